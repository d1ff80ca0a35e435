#!/usr/bin/python3
"""A minimal OAuth authority for the scale benchmark's app-only (impersonation) ewstrigd contender:
the OpenID discovery document under /{tenant}/v2.0/.well-known/openid-configuration and a token endpoint
answering every client_credentials request with one opaque Bearer token valid for an hour (ews-sim runs with
--insecure-any-token). Prints "listening on http://127.0.0.1:PORT" once ready. stdlib only; loopback only."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _json(self, status, doc):
        body = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        parts = self.path.split("/")
        if self.path.endswith("/v2.0/.well-known/openid-configuration") and len(parts) > 1:
            base = f"http://{self.headers.get('Host')}/{parts[1]}"
            self._json(200, {"issuer": base + "/v2.0", "authorization_endpoint": base + "/oauth2/v2.0/authorize",
                             "token_endpoint": base + "/oauth2/v2.0/token", "jwks_uri": base + "/discovery/v2.0/keys"})
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        if self.path.endswith("/oauth2/v2.0/token"):
            self._json(200, {"token_type": "Bearer", "expires_in": 3600, "access_token": "bench-app-token"})
        else:
            self._json(404, {"error": "not_found"})

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 4096  # 10,000 mailboxes ask at start-up; the default backlog of 5 refuses most


def main():
    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
