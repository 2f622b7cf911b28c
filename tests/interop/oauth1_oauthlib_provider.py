#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""An OAuth 1.0a provider built on Debian's python3-oauthlib (3.2.2): its
RequestTokenEndpoint, AuthorizationEndpoint, AccessTokenEndpoint and
ResourceEndpoint behind http.server on 127.0.0.1, for interop tests of
oauth1.so. Nothing here shares code with latchkey.

    oauthlib_provider.py PORT_FILE LIFETIME_SECONDS

  POST /request_token   consumer lk-consumer; any callback
  GET  /authorize       auto-approves: 302 to the callback with
                        oauth_token and oauth_verifier
  POST /access_token    answers oauth_token, oauth_token_secret,
                        user_id=42, screen_name=alice
  ANY  /me              a protected resource: 200 {"screen_name":
                        "alice","user_id":42} or 401
  GET  /_/log           [{"path", "status", "method"}] of every request

oauthlib 3.2.2 percent-decodes oauth_* values taken from a query string
or a form body twice; they are encoded once more before oauthlib sees
them, so values holding '%' survive.
"""
import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from oauthlib.oauth1 import (AccessTokenEndpoint, AuthorizationEndpoint,
                             RequestTokenEndpoint, RequestValidator,
                             ResourceEndpoint)

CONSUMER_KEY = "lk-consumer"
CONSUMER_SECRET = "cs&+/ %\u00e9"
# The public half of tests/modules/oauth1/wiki-oauth-net-rsa.pem.
RSA_PUBLIC = """-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC0YjCwIfYoprq/FQO6lb3asXrx
LlJFuCvtinTF5p0GxvQGu5O3gYytUvtC2JlYzypSRjVxwxrsuRcP3e641SdASwfr
mzyvIgP08N4S0IFzEURkV1wp/IpH7kH41EtbmUmrXSwfNZsnQRE5SYSOhh+LcK2w
yQkdgcMv11l4KoBkcwIDAQAB
-----END PUBLIC KEY-----
"""

LOCK = threading.Lock()
REQUEST_TOKENS = {}  # token -> {secret, callback, verifier}
ACCESS_TOKENS = {}   # token -> secret
NONCES = set()
LOG = []


class Validator(RequestValidator):
    """State in dicts; oauthlib's own format checks relaxed (latchkey's
    nonces are 32 hex digits, keys hold '-'), the real checks kept."""

    enforce_ssl = False

    def check_client_key(self, client_key):
        return True

    def check_request_token(self, token):
        return True

    def check_access_token(self, token):
        return True

    def check_nonce(self, nonce):
        return 16 <= len(nonce) <= 64

    def check_verifier(self, verifier):
        return True

    def check_realms(self, realms):
        return all(r == "Photos" for r in realms)

    @property
    def dummy_client(self):
        return "dummy-client"

    @property
    def dummy_request_token(self):
        return "dummy-request-token"

    @property
    def dummy_access_token(self):
        return "dummy-access-token"

    def validate_client_key(self, client_key, request):
        return client_key == CONSUMER_KEY

    def get_client_secret(self, client_key, request):
        return CONSUMER_SECRET

    def get_rsa_key(self, client_key, request):
        return RSA_PUBLIC

    def validate_timestamp_and_nonce(self, client_key, timestamp, nonce,
                                     request, request_token=None,
                                     access_token=None):
        key = (client_key, timestamp, nonce, request_token, access_token)
        with LOCK:
            if key in NONCES:
                return False
            NONCES.add(key)
        return True

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        return redirect_uri.startswith("http://127.0.0.1:")

    def validate_requested_realms(self, client_key, realms, request):
        return True

    def get_default_realms(self, client_key, request):
        return []

    def save_request_token(self, token, request):
        with LOCK:
            REQUEST_TOKENS[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"],
                "callback": request.redirect_uri,
                "verifier": None,
            }

    def verify_request_token(self, token, request):
        with LOCK:
            return token in REQUEST_TOKENS

    def get_realms(self, token, request):
        return []

    def verify_realms(self, token, realms, request):
        return True

    def get_redirect_uri(self, token, request):
        with LOCK:
            return REQUEST_TOKENS[token]["callback"]

    def save_verifier(self, token, verifier, request):
        with LOCK:
            REQUEST_TOKENS[token]["verifier"] = verifier["oauth_verifier"]

    def validate_request_token(self, client_key, token, request):
        with LOCK:
            return token in REQUEST_TOKENS

    def get_request_token_secret(self, client_key, token, request):
        with LOCK:
            t = REQUEST_TOKENS.get(token)
            return t["secret"] if t else "dummy-secret"

    def validate_verifier(self, client_key, token, verifier, request):
        with LOCK:
            t = REQUEST_TOKENS.get(token)
            return bool(t and t["verifier"] and t["verifier"] == verifier)

    def invalidate_request_token(self, client_key, request_token, request):
        with LOCK:
            REQUEST_TOKENS.pop(request_token, None)

    def save_access_token(self, token, request):
        with LOCK:
            ACCESS_TOKENS[token["oauth_token"]] = token["oauth_token_secret"]

    def validate_access_token(self, client_key, token, request):
        with LOCK:
            return token in ACCESS_TOKENS

    def get_access_token_secret(self, client_key, token, request):
        with LOCK:
            return ACCESS_TOKENS.get(token, "dummy-secret")

    def validate_realms(self, client_key, token, request, uri=None,
                        realms=None):
        return True


VALIDATOR = Validator()
REQUEST_TOKEN = RequestTokenEndpoint(VALIDATOR)
AUTHORIZE = AuthorizationEndpoint(VALIDATOR)
ACCESS_TOKEN = AccessTokenEndpoint(VALIDATOR)
RESOURCE = ResourceEndpoint(VALIDATOR)


def reencode_oauth(qs):
    """Encode the raw value of each oauth_* pair once more (oauthlib
    3.2.2 decodes them twice); other pairs as they came."""
    out = []
    for seg in qs.split("&"):
        name, eq, value = seg.partition("=")
        if urllib.parse.unquote_plus(name).startswith("oauth_"):
            value = urllib.parse.quote(value, safe="")
        out.append(name + eq + value)
    return "&".join(out)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _answer(self, status, headers, body):
        body = (body or "").encode()
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with LOCK:
            LOG.append({"method": self.command,
                        "path": self.path.split("?")[0], "status": status})

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path, _, query = self.path.partition("?")
        port = self.server.server_address[1]
        ctype = self.headers.get("Content-Type", "")
        if query:
            query = reencode_oauth(query)
        if body and ctype.startswith("application/x-www-form-urlencoded"):
            body = reencode_oauth(body)
        uri = "http://127.0.0.1:%d%s%s" % (port, path,
                                            "?" + query if query else "")
        headers = {k: v for k, v in self.headers.items()}
        if path == "/_/log":
            with LOCK:
                text = json.dumps(LOG)
            return self._answer(200, {"Content-Type": "application/json"},
                                text)
        if path == "/request_token" and self.command == "POST":
            h, b, s = REQUEST_TOKEN.create_request_token_response(
                uri, "POST", body or None, headers)
            h = dict(h or {})
            h["Content-Type"] = "application/x-www-form-urlencoded"
            return self._answer(s, h, b)
        if path == "/authorize" and self.command == "GET":
            h, b, s = AUTHORIZE.create_authorization_response(
                uri, "GET", None, headers, realms=[], credentials={})
            return self._answer(s, h, b)
        if path == "/access_token" and self.command == "POST":
            h, b, s = ACCESS_TOKEN.create_access_token_response(
                uri, "POST", body or None, headers,
                credentials={"user_id": "42", "screen_name": "alice"})
            h = dict(h or {})
            h["Content-Type"] = "application/x-www-form-urlencoded"
            return self._answer(s, h, b)
        if path == "/me":
            ok, _ = RESOURCE.validate_protected_resource_request(
                uri, self.command, body or None, headers, realms=[])
            if ok:
                return self._answer(200, {"Content-Type": "application/json"},
                                    '{"screen_name":"alice","user_id":42}')
            return self._answer(401, {"Content-Type": "application/json"},
                                '{"error":"invalid_request"}')
        return self._answer(404, {"Content-Type": "application/json"},
                            '{"error":"not_found"}')

    do_GET = do_POST = do_PUT = do_DELETE = _handle


def main():
    port_file, lifetime = sys.argv[1], float(sys.argv[2])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, port_file)
    # Stops by itself, whatever happens to the test.
    timer = threading.Timer(lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    server.serve_forever()


if __name__ == "__main__":
    main()
