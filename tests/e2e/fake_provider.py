# fake_provider.py: a stand-in for tests/provider/lk-provider until it
# exists: /basic/user (alice:wonderland), /_/requests, 127.0.0.1 only.
import base64, json, sys, threading
from http.server import BaseHTTPRequestHandler, HTTPServer

seen = []

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        if self.path == "/_/requests":
            return self.send(200, seen)
        seen.append({"method": "GET", "path": self.path})
        if self.path == "/basic/user":
            want = "Basic " + base64.b64encode(b"alice:wonderland").decode()
            if self.headers.get("Authorization") == want:
                return self.send(200, {"login": "alice", "id": 1})
            return self.send(401, {"message": "bad credentials"})
        if self.path.startswith("/fault/status/"):
            return self.send(int(self.path.rsplit("/", 1)[1]), {})
        return self.send(404, {"message": "not found"})

srv = HTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
threading.Timer(float(sys.argv[2]), srv.shutdown).start()
srv.serve_forever()
