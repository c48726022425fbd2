import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Certificates for TLS tests, made at test time with the openssl command in a
 * temporary directory. There are a test root CA and an intermediate CA, and
 * server certificates that are valid, self-signed, expired, for another host
 * name, or issued by the intermediate (to serve without it).
 */
export interface KeyAndCertificate {
  key: string;
  cert: string;
}

export interface TestCertificates {
  rootCa: string;
  valid: KeyAndCertificate;
  selfSigned: KeyAndCertificate;
  expired: KeyAndCertificate;
  otherHost: KeyAndCertificate;
  // Issued by the intermediate; a server that sends only this certificate omits the chain.
  viaIntermediate: KeyAndCertificate;
  intermediateCa: string;
  remove(): void;
}

function openssl(directory: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd: directory, stdio: "pipe" });
}

/** Creates every certificate for `hostname` (and a wrong one for another.<hostname>). */
export function createTestCertificates(hostname: string): TestCertificates {
  const directory = mkdtempSync(path.join(tmpdir(), "wvk-tls-"));
  const read = (name: string) => readFileSync(path.join(directory, name), "utf8");
  const subjectAltName = (name: string) => `subjectAltName=DNS:${name}`;

  openssl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key", "-out", "root.pem", "-days", "2", "-subj", "/CN=WASViking Test Root CA");
  openssl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "intermediate.key", "-out", "intermediate.csr", "-subj", "/CN=WASViking Test Intermediate CA");
  writeFileSync(path.join(directory, "ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
  openssl(directory, "x509", "-req", "-in", "intermediate.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-out", "intermediate.pem", "-days", "2", "-extfile", "ca.ext");

  const leaf = (name: string, commonName: string, issuer: "root" | "intermediate") => {
    openssl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${commonName}`);
    writeFileSync(path.join(directory, `${name}.ext`), `${subjectAltName(commonName)}\n`);
    openssl(directory, "x509", "-req", "-in", `${name}.csr`, "-CA", `${issuer}.pem`, "-CAkey", `${issuer}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`);
    return { key: read(`${name}.key`), cert: read(`${name}.pem`) };
  };
  const valid = leaf("valid", hostname, "root");
  const otherHost = leaf("other", `another.${hostname}`, "root");
  const viaIntermediate = leaf("chained", hostname, "intermediate");

  openssl(directory, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days", "2", "-subj", `/CN=${hostname}`, "-addext", subjectAltName(hostname));
  const selfSigned = { key: read("self.key"), cert: read("self.pem") };

  // OpenSSL 3.0's `x509` and `req` cannot backdate a certificate, but `openssl ca -startdate` can.
  writeFileSync(path.join(directory, "index.txt"), "");
  writeFileSync(path.join(directory, "serial"), "1000\n");
  writeFileSync(
    path.join(directory, "ca.cnf"),
    [
      "[ca]",
      "default_ca = test",
      "[test]",
      `dir = ${directory}`,
      "database = $dir/index.txt",
      "serial = $dir/serial",
      "new_certs_dir = $dir",
      "default_md = sha256",
      "policy = anything",
      "copy_extensions = copy",
      "[anything]",
      "commonName = supplied",
      "",
    ].join("\n"),
  );
  openssl(directory, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "expired.key", "-out", "expired.csr", "-subj", `/CN=${hostname}`, "-addext", subjectAltName(hostname));
  openssl(directory, "ca", "-batch", "-config", "ca.cnf", "-cert", "root.pem", "-keyfile", "root.key", "-in", "expired.csr", "-out", "expired.pem", "-notext", "-startdate", "20200101000000Z", "-enddate", "20200201000000Z");
  const expired = { key: read("expired.key"), cert: read("expired.pem") };

  return {
    rootCa: read("root.pem"),
    intermediateCa: read("intermediate.pem"),
    valid,
    selfSigned,
    expired,
    otherHost,
    viaIntermediate,
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
