#!/usr/bin/env python3
"""An HTTP server on 127.0.0.1 that challenges every request with 401 + WWW-Authenticate: Basic
and records the Authorization header of each request (one JSON line per request in --log), so a
test can assert which credentials a git client offered to it. It never serves a repository: a
client that sends credentials just gets 401 again.

When ready it prints its port on stdout (one line) and flushes, so callers never need to sleep.
"""
import argparse
import http.server
import json
import sys
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    args = parser.parse_args()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _challenge(self):
            with lock, open(args.log, "a") as log:
                log.write(json.dumps({"method": self.command, "path": self.path,
                                      "authorization": self.headers.get("Authorization", "")}) + "\n")
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            body = b"authentication required\n"
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _challenge
        do_POST = _challenge

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    sys.stdout.close()
    server.serve_forever()


if __name__ == "__main__":
    main()
