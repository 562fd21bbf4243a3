"""notify_server.py LOG PORT_FILE [LIFETIME]

A tiny HTTP server for tests/cli/notify.sh, standing in for WebSub hubs
and the Podcast Index on 127.0.0.1, so no test leaves the machine. It
listens on a free port of 127.0.0.1 and writes the port to PORT_FILE once
it is listening. Every request is appended to LOG as one JSON line:
method, path, query, body and content type.

It answers 202 to a POST and 200 to a GET, except:
- a path listed (one a line) in LOG.fail answers 500 while that file lists it;
- /redirect-http answers 302 to http://127.0.0.1:<port>/hub;
- /slow waits 5 seconds before answering.
It stops by itself after LIFETIME seconds (default 300), whatever happens.
"""
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log_path, port_file = sys.argv[1], sys.argv[2]
lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 300.0
lock = threading.Lock()


def failing(path):
    try:
        with open(log_path + ".fail") as f:
            return path in (line.strip() for line in f)
    except FileNotFoundError:
        return False


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, headers=()):
        body = b"ok\n" if code < 300 else b"hub trouble\n"
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        u = urllib.parse.urlsplit(self.path)
        with lock, open(log_path, "a") as f:
            f.write(json.dumps({"method": self.command, "path": u.path, "query": u.query,
                                "body": body,
                                "type": self.headers.get("Content-Type") or ""}) + "\n")
        if u.path == "/slow":
            time.sleep(5)
        if u.path == "/redirect-http":
            port = self.server.server_address[1]
            self.answer(302, [("Location", f"http://127.0.0.1:{port}/hub")])
        elif failing(u.path):
            self.answer(500)
        else:
            self.answer(202 if self.command == "POST" else 200)

    do_GET = handle_any
    do_POST = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
stopper = threading.Timer(lifetime, server.shutdown)
stopper.daemon = True
stopper.start()
tmp = port_file + ".tmp"
with open(tmp, "w") as f:
    f.write(str(server.server_address[1]))
os.rename(tmp, port_file)
server.serve_forever()
