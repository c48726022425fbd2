// Test guard: host-name lookups answer only for loopback names, so no test can
// reach, or even query DNS about, a host outside this machine. Tests that need
// other names inject a resolver (lib/dispatch/safe-lookup.ts). Loaded in the
// integration test workers and, through NODE_OPTIONS, in the browser tests' servers.
import dns from "node:dns";
import { syncBuiltinESMExports } from "node:module";

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1"]);

function refused(hostname) {
  const error = new Error(`getaddrinfo ENOTFOUND ${hostname} (tests resolve loopback names only)`);
  error.code = "ENOTFOUND";
  error.hostname = hostname;
  return error;
}

const originalLookup = dns.lookup;
const originalPromiseLookup = dns.promises.lookup;

dns.lookup = function guardedLookup(hostname, options, callback) {
  const done = typeof options === "function" ? options : callback;
  if (!LOOPBACK_NAMES.has(String(hostname).toLowerCase())) {
    process.nextTick(() => done(refused(hostname)));
    return {};
  }
  return originalLookup.call(dns, hostname, options, callback);
};

dns.promises.lookup = async function guardedPromiseLookup(hostname, options) {
  if (!LOOPBACK_NAMES.has(String(hostname).toLowerCase())) throw refused(hostname);
  return originalPromiseLookup.call(dns.promises, hostname, options);
};

// ES module imports of node:dns and node:dns/promises see the replaced functions only after this.
syncBuiltinESMExports();
