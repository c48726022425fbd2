#!/usr/bin/env python3
"""Verify WASViking webhook deliveries with the Python standard library only.

    WEBHOOK_SECRETS="whsec_..." PORT=4000 python3 verify.py

During a secret rotation, list both secrets separated by a space: a delivery
is accepted when any of its signatures matches any of them. The server prints
one JSON line per verified delivery and responds 401 to anything else. Copy
verify_delivery into your own handler; give it the raw body bytes (in Flask
request.get_data(), in Django request.body), never a re-serialised object.
"""
import base64
import binascii
import hashlib
import hmac
import json
import os
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 5 * 60
MAX_BODY_BYTES = 1024 * 1024
# [0-9] rather than \d: in Python, \d also matches digits of other scripts.
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


def secret_key(secret):
    """Return the HMAC key of a signing secret: the base64 after "whsec_", decoded."""
    if not secret.startswith("whsec_"):
        raise ValueError('A WASViking signing secret starts with "whsec_"')
    try:
        key = base64.b64decode(secret[len("whsec_"):], validate=True)
    except binascii.Error as error:
        raise ValueError("The signing secret is not valid base64: copy it again") from error
    if len(key) < 16:
        raise ValueError("The signing secret is truncated: copy it again")
    return key


def verify_delivery(raw_body, delivery_id, signature_header, keys, now=None):
    """Return True when the delivery is signed by one of the keys and is at most
    5 minutes old or ahead. Never raises, whatever the headers contain."""
    if not delivery_id or not signature_header or len(signature_header) > 4096:
        return False

    # Wasviking-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]. Keep every v1: during a rotation there are two.
    timestamp = None
    candidates = []
    for part in signature_header.split(","):
        name, separator, value = part.partition("=")
        if not separator:
            continue
        name, value = name.strip(), value.strip()
        if name == "t":
            if timestamp is not None:
                return False
            timestamp = value
        elif name == "v1" and _HEX_DIGEST.fullmatch(value):
            candidates.append(bytes.fromhex(value))
        # Other names are future signature versions: skip them.
    if timestamp is None or not _UNIX_SECONDS.fullmatch(timestamp) or not candidates:
        return False
    now = int(time.time()) if now is None else now
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False

    signed = delivery_id.encode("utf-8", "surrogateescape") + b"." + timestamp.encode("ascii") + b"." + raw_body
    for key in keys:
        expected = hmac.new(key, signed, hashlib.sha256).digest()
        # compare_digest takes constant time for equal lengths; every candidate is 32 bytes.
        if any(hmac.compare_digest(expected, candidate) for candidate in candidates):
            return True
    return False


def _single(headers, name):
    """Return a header sent exactly once; a repeated header counts as absent."""
    values = headers.get_all(name) or []
    return values[0] if len(values) == 1 else None


def make_handler(keys):
    processed = set()

    class WebhookHandler(BaseHTTPRequestHandler):
        def do_POST(self):
            length_header = self.headers.get("Content-Length", "0")
            if not length_header.isdigit() or int(length_header) > MAX_BODY_BYTES:
                self._answer(413, b"body too large or length missing\n")
                return
            raw_body = self.rfile.read(int(length_header))
            delivery_id = _single(self.headers, "Wasviking-Delivery")
            signature = _single(self.headers, "Wasviking-Signature")
            if not verify_delivery(raw_body, delivery_id, signature, keys):
                self._answer(401, b"invalid signature\n")
                return
            if delivery_id in processed:
                self._answer(200, b"already processed\n")
                return
            # Parse only after verifying: the signature covers the raw bytes.
            try:
                event = json.loads(raw_body)
            except ValueError:
                self._answer(400, b"body is not JSON\n")
                return
            processed.add(delivery_id)
            line = {"verified": True, "delivery": delivery_id, "event": event.get("id"), "type": event.get("type")}
            print(json.dumps(line), flush=True)
            self._answer(204, b"")

        def _answer(self, status, body):
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            sys.stderr.write("%s %s\n" % (self.address_string(), format % args))

    return WebhookHandler


def main():
    secrets = os.environ.get("WEBHOOK_SECRETS", "").split()
    if not secrets:
        sys.exit("Set WEBHOOK_SECRETS to your signing secret (two, separated by a space, during a rotation)")
    keys = [secret_key(secret) for secret in secrets]
    host = os.environ.get("HOST", "127.0.0.1")
    server = ThreadingHTTPServer((host, int(os.environ.get("PORT", "4000"))), make_handler(keys))
    print("listening on http://%s:%d" % (host, server.server_address[1]), file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
