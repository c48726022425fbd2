import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ipv6Groups } from "./ip-address";
import { blockedRange, checkDestinationUrl, hostnameProblem, metadataRange } from "./url-safety";

const strict = { allowPrivate: false };

describe("checkDestinationUrl", () => {
  it.each([
    ["https://2130706433/"],
    ["https://0x7f000001/"],
    ["https://0x7f.0.0.1/"],
    ["https://0177.0.0.1/"],
    ["https://017700000001/"],
    ["https://127.1/"],
    ["https://127.000.000.001/"],
    ["https://１２７.０.０.１/"],
    ["https://0/"],
    ["https://2852039166/"],
    ["https://0xA9FEA9FE/"],
    ["https://0251.0376.0251.0376/"],
    ["https://localhost./"],
    ["https://LOCALHOST/"],
    ["https://foo.localhost/"],
    ["https://metadata.google.internal/"],
    ["https://foo.localhost./"],
    ["https://metadata.google.internal./"],
    ["https://169.254.169.254./"],
    ["https://instance-data/"],
    ["https://instance-data.ec2.internal/"],
    ["https://100.100.100.200/"],
    ["https://[fd00:ec2::254]/"],
    ["https://[::ffff:127.0.0.1]/wvk"],
    ["https://[::ffff:7f00:1]/wvk"],
    ["https://[0:0:0:0:0:ffff:169.254.169.254]/wvk"],
    ["https://[::]/wvk"],
    ["https://[::1]/wvk"],
    ["https://[::127.0.0.1]/wvk"],
    ["https://[fe80::1]/wvk"],
    ["https://[fd00::1]/wvk"],
    ["https://[64:ff9b::a9fe:a9fe]/wvk"],
    ["https://10.0.0.5/"],
    ["https://100.64.0.1/"],
    ["https://172.16.0.1/"],
    ["https://192.168.1.1/"],
    ["https://224.0.0.1/"],
    ["https://intranet/"],
  ])("blocks %s", (url) => {
    const check = checkDestinationUrl(url, strict);
    expect(check).toMatchObject({ ok: false, problem: "blocked_destination" });
  });

  // The parser's canonical host, which the HTTP client would connect to, is the one the rule judges and names.
  it.each([
    ["https://2130706433/", "127.0.0.1"],
    ["https://0x7f000001/", "127.0.0.1"],
    ["https://0x7f.0.0.1/", "127.0.0.1"],
    ["https://0177.0.0.1/", "127.0.0.1"],
    ["https://017700000001/", "127.0.0.1"],
    ["https://127.1/", "127.0.0.1"],
    ["https://127.000.000.001/", "127.0.0.1"],
    ["https://１２７.０.０.１/", "127.0.0.1"],
    ["https://0/", "0.0.0.0"],
    ["https://2852039166/", "169.254.169.254"],
    ["https://0xA9FEA9FE/", "169.254.169.254"],
    ["https://0251.0376.0251.0376/", "169.254.169.254"],
    ["https://hooks.example.com@169.254.169.254/wvk", "169.254.169.254"],
    ["https://hooks.example.com:443@10.0.0.1/wvk", "10.0.0.1"],
    ["https://[::ffff:127.0.0.1]/wvk", "::ffff:7f00:1"],
    ["https://[::ffff:7f00:1]/wvk", "::ffff:7f00:1"],
    ["https://[0:0:0:0:0:ffff:169.254.169.254]/wvk", "::ffff:a9fe:a9fe"],
    ["https://[::]/wvk", "::"],
    ["https://[::1]/wvk", "::1"],
    ["https://[::127.0.0.1]/wvk", "::7f00:1"],
    ["https://[fe80::1]/wvk", "fe80::1"],
    ["https://[fd00::1]/wvk", "fd00::1"],
    ["https://[64:ff9b::a9fe:a9fe]/wvk", "64:ff9b::a9fe:a9fe"],
  ])("judges %s as %s", (url, address) => {
    const hostname = new URL(url).hostname.replace(/^\[|\]$/g, "");
    expect(hostname).toBe(address);
    expect(hostnameProblem(new URL(url).hostname)).toContain(`The address ${address} is not allowed`);
  });

  it.each([
    ["http://2130706433/"],
    ["http://0x7f000001/"],
    ["http://0x7f.0.0.1/"],
    ["http://0177.0.0.1/"],
    ["http://017700000001/"],
    ["http://127.1/"],
    ["http://127.000.000.001/"],
    ["http://１２７.０.０.１/"],
    ["http://0/"],
    ["http://2852039166/"],
    ["http://0xA9FEA9FE/"],
    ["http://0251.0376.0251.0376/"],
    ["http://localhost./"],
    ["http://LOCALHOST/"],
    ["http://foo.localhost/"],
  ])("rejects plain-http %s", (url) => {
    expect(checkDestinationUrl(url, strict)).toMatchObject({ ok: false, problem: "https_required" });
    // With https the same host is still refused, so the scheme rule is not the only guard.
    expect(checkDestinationUrl(url.replace("http:", "https:"), strict)).toMatchObject({ ok: false, problem: "blocked_destination" });
  });

  it.each([
    ["file:///etc/passwd", "scheme_not_allowed"],
    ["gopher://127.0.0.1:6379/_INFO", "scheme_not_allowed"],
    ["ftp://example.com/x", "scheme_not_allowed"],
    ["javascript:alert(1)", "scheme_not_allowed"],
    ["data:text/html,<b>x</b>", "scheme_not_allowed"],
    ["ws://example.com/wvk", "scheme_not_allowed"],
    ["http://example.com/wvk", "https_required"],
    ["https://example.com:0/wvk", "invalid_port"],
    ["https://example.com:65536/wvk", "invalid_port"],
    ["https://[2606:4700::1111]:99999/wvk", "invalid_port"],
    ["https://example.com:99999999999999999999", "invalid_port"],
    ["https://example.com:8x/wvk", "malformed"],
    ["https://", "malformed"],
    ["", "malformed"],
    ["https://user:s3cret@hooks.example.com/wvk", "credentials_in_url"],
    ["https://hooks.example.com@169.254.169.254/wvk", "credentials_in_url"],
    ["https://hooks.example.com:443@10.0.0.1/wvk", "credentials_in_url"],
    ["https://hooks.example.com%40evil.example.org/wvk", "malformed"],
    [`https://example.com/${"a".repeat(2100)}`, "too_long"],
  ])("rejects %s as %s", (url, problem) => {
    expect(checkDestinationUrl(url, strict)).toMatchObject({ ok: false, problem });
  });

  it.each([
    ["HTTPS://EXAMPLE.COM:443/wvk", "https://example.com/wvk"],
    ["  https://example.com/wvk  ", "https://example.com/wvk"],
    ["https://example.com/wvk?path=C:\\hooks", "https://example.com/wvk?path=C:\\hooks"],
    ["https://example.com/wvk?note=a@b", "https://example.com/wvk?note=a@b"],
    ["https://siem.example.com:8443/hooks?tenant=1#frag", "https://siem.example.com:8443/hooks?tenant=1"],
    ["https://[2606:4700::1111]/hook", "https://[2606:4700::1111]/hook"],
  ])("accepts %s and stores %s", (input, stored) => {
    expect(checkDestinationUrl(input, strict)).toMatchObject({ ok: true, url: stored });
  });

  // Spellings the WHATWG parser would repair into another URL, rather than store the repaired one.
  it.each([
    ["http:///x", "malformed", 'The URL has an empty host: nothing comes between "http://" and the next "/"'],
    ["https:////example.com/wvk", "malformed", 'The URL has an empty host: nothing comes between "https://" and the next "/"'],
    ["https:/example.com/wvk", "malformed", 'The URL needs "//" after "https:", for example https://siem.example.com/hooks/wasviking'],
    ["https:example.com/wvk", "malformed", 'The URL needs "//" after "https:", for example https://siem.example.com/hooks/wasviking'],
    ["https:\\\\example.com/wvk", "malformed", 'The URL contains a backslash at character 7, which URL parsers read as "/": use "/" between path segments, or write a literal backslash as %5C'],
    ["https://example.com\\wvk", "malformed", 'The URL contains a backslash at character 20, which URL parsers read as "/": use "/" between path segments, or write a literal backslash as %5C'],
    ["https://exa\tmple.com/wvk", "malformed", "The URL contains a tab at character 12: remove it"],
    ["https://example.com/w\nvk", "malformed", "The URL contains a line feed at character 22: remove it"],
    ["https://example.com/wvk\r\n/more", "malformed", "The URL contains a carriage return at character 24: remove it"],
    ["https://example.com/wvk\u0000", "malformed", "The URL contains the control character U+0000 at character 24: remove it"],
    ["https://example.com/w\u007fvk", "malformed", "The URL contains the control character U+007F at character 22: remove it"],
    ["https://@example.com/wvk", "credentials_in_url", 'The URL has an "@" with no user name before the host: remove the "@"'],
    ["https://:@example.com/wvk", "credentials_in_url", 'The URL has an "@" with no user name before the host: remove the "@"'],
  ])("rejects the repairable spelling %j", (url, problem, message) => {
    expect(checkDestinationUrl(url, strict)).toEqual({ ok: false, problem, message });
    expect(checkDestinationUrl(url, { allowPrivate: true })).toEqual({ ok: false, problem, message });
  });

  it("names the empty host of http:///x, which the parser would store as http://x/", () => {
    expect(new URL("http:///x").href).toBe("http://x/");
    expect(checkDestinationUrl("http:///x", { allowPrivate: true })).toMatchObject({ ok: false, message: expect.stringContaining("empty host") });
  });

  it("allows loopback and plain http only in the development policy", () => {
    expect(checkDestinationUrl("http://127.0.0.1:4000/hook", { allowPrivate: true })).toMatchObject({ ok: true });
    expect(checkDestinationUrl("http://127.0.0.1:4000/hook", strict).ok).toBe(false);
  });

  it.each([
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.0.1/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[fe80::1]/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://0xa9fea9fe/",
    "http://2852039166/",
  ])("refuses the metadata address %s even in the development policy", (input) => {
    expect(checkDestinationUrl(input, { allowPrivate: true })).toMatchObject({ ok: false, problem: "blocked_destination" });
  });

  // Every IPv6 form that carries 169.254.169.254: each reaches the metadata service through a translator or tunnel.
  const METADATA_IN_IPV6 = [
    "::ffff:169.254.169.254",
    "::169.254.169.254",
    "::a9fe:a9fe",
    "::ffff:0:169.254.169.254",
    "::ffff:0:a9fe:a9fe",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1:a9fe:a9:fe00::",
    "64:ff9b:1:a9:fe:a9fe::",
    "64:ff9b:1:0:a9:fea9:fe00:0",
    "64:ff9b:1::a9fe:a9fe",
    "2002:a9fe:a9fe::",
    "2002:a9fe:a9fe:1::1",
    "2001:0:4136:e378:8000:63bf:5601:5601",
    "2001:470:1:2:0:5efe:a9fe:a9fe",
    "2001:470:1:2:200:5efe:169.254.169.254",
    "2002:808:808:1:0:5efe:a9fe:a9fe",
  ];

  it.each(METADATA_IN_IPV6)("refuses [%s] in the development policy", (address) => {
    const check = checkDestinationUrl(`http://[${address}]/latest/meta-data/`, { allowPrivate: true });
    expect(check).toMatchObject({ ok: false, problem: "blocked_destination" });
    expect(check.ok ? "" : check.message).toMatch(/even for development: it is an? .+ form of a link-local address/);
  });

  it.each(METADATA_IN_IPV6)("refuses [%s] in the strict policy", (address) => {
    expect(checkDestinationUrl(`https://[${address}]/latest/meta-data/`, strict)).toMatchObject({ ok: false, problem: "blocked_destination" });
  });

  it.each(["::ffff:10.0.0.1", "::ffff:0:7f00:1", "64:ff9b::a00:1", "2002:c0a8:101::", "2001:0:4136:e378:8000:63bf:80ff:fffe", "2002:808:808::", "2001:470:1:2:0:5efe:a00:1"])(
    "allows [%s], which carries no link-local address, in the development policy",
    (address) => {
      expect(checkDestinationUrl(`http://[${address}]/hook`, { allowPrivate: true })).toMatchObject({ ok: true });
    },
  );

  it("still refuses credentials and other schemes in the development policy", () => {
    expect(checkDestinationUrl("http://u:p@127.0.0.1/", { allowPrivate: true })).toMatchObject({ ok: false, problem: "credentials_in_url" });
    expect(checkDestinationUrl("file:///etc/passwd", { allowPrivate: true })).toMatchObject({ ok: false, problem: "scheme_not_allowed" });
  });
});

describe("blockedRange", () => {
  it.each([
    ["8.8.8.8"],
    ["1.1.1.1"],
    ["2606:4700::1111"],
    ["2001:4860:4860::8888"],
    ["::ffff:8.8.8.8"],
    // An ISATAP identifier that carries a public IPv4 address, and identifiers that only resemble ISATAP's.
    ["2001:470:1:2:200:5efe:808:808"],
    ["2001:470:1:2:100:5efe:a00:1"],
    ["2001:470:1:2:0:5eff:a00:1"],
    ["2001:470:1:5efe::a00:1"],
  ])("lets public %s through", (address) => {
    expect(blockedRange(address)).toBeNull();
  });

  it.each([
    ["169.254.169.254", /link-local/],
    ["100.64.0.1", /carrier-grade NAT/],
    ["::ffff:10.0.0.1", /IPv4-mapped/],
    ["64:ff9b::a9fe:a9fe", /NAT64/],
    ["2002:7f00:1::", /6to4 form of a loopback/],
    ["2002:808:808::", /6to4 address/],
    ["::a00:1", /IPv4-compatible form of a private/],
    ["::808:808", /IPv4-compatible IPv6 address/],
    ["::ffff:0:a00:1", /IPv4-translated form of a private/],
    ["64:ff9b:1::a00:1", /local-use NAT64 form of/],
    ["2001:0:4136:e378:8000:63bf:f5ff:fffe", /Teredo form of a private/],
    ["2001:0:4136:e378:8000:63bf:f7f7:f7f7", /Teredo/],
    ["2001:470:1:2:0:5efe:a00:1", /^an ISATAP form of a private address/],
    ["2001:470:1:2:200:5efe:7f00:1", /^an ISATAP form of a loopback/],
    ["2001:470:1:2::5efe:c0a8:101", /^an ISATAP form of a private address/],
    ["2001:db8::1", /documentation/],
    ["ff02::1", /multicast/],
    ["fec0::1", /site-local/],
  ])("blocks %s", (address, reason) => {
    expect(blockedRange(address)).toMatch(reason);
  });
});

describe("metadataRange", () => {
  it.each([
    ["169.254.169.254", /link-local/],
    ["fe80::1", /link-local/],
    ["fe80::1%eth0", /link-local/],
    ["fd00:ec2::254", /cloud metadata service/],
    ["::ffff:a9fe:a9fe", /IPv4-mapped form of a link-local/],
    ["::a9fe:a9fe", /IPv4-compatible form of a link-local/],
    ["::ffff:0:a9fe:a9fe", /IPv4-translated form of a link-local/],
    ["64:ff9b::a9fe:a9fe", /NAT64 form of a link-local/],
    ["64:ff9b:1:a9fe:a9:fe00::", /local-use NAT64 form of a link-local/],
    ["2002:a9fe:a9fe::", /6to4 form of a link-local/],
    ["2001:0:4136:e378:8000:63bf:5601:5601", /Teredo form of a link-local/],
    ["2001:470:1:2:0:5efe:a9fe:a9fe", /ISATAP form of a link-local/],
    ["2002:808:808:1:200:5efe:a9fe:a9fe", /ISATAP form of a link-local/],
  ])("blocks %s", (address, reason) => {
    expect(metadataRange(address)).toMatch(reason);
  });

  it.each(["127.0.0.1", "10.0.0.1", "::1", "fd00::1", "::ffff:127.0.0.1", "2002:7f00:1::", "64:ff9b::a00:1", "2001:470:1:2:0:5efe:a00:1", "example.com"])(
    "lets %s through",
    (address) => {
      expect(metadataRange(address)).toBeNull();
    },
  );
});

describe("ipv6Groups", () => {
  it.each([
    ["::1", [0, 0, 0, 0, 0, 0, 0, 1]],
    ["::ffff:127.0.0.1", [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]],
    ["1:2:3:4:5:6:1.2.3.4", [1, 2, 3, 4, 5, 6, 0x102, 0x304]],
    ["fe80::", [0xfe80, 0, 0, 0, 0, 0, 0, 0]],
  ])("expands %s", (address, groups) => {
    expect(ipv6Groups(address)).toEqual(groups);
  });
});

describe("browser compatibility", () => {
  it.each(["url-safety.ts", "ip-address.ts"])("%s imports no node: module", (file) => {
    const source = readFileSync(new URL(`./${file}`, import.meta.url), "utf8");
    expect(source).not.toMatch(/from\s+["']node:/);
    expect(source).not.toMatch(/require\(/);
  });
});
