#!/usr/bin/env python3
"""A PyPI-shaped HTTP server for tests, the demo and the benchmark (127.0.0.1 only).

Serves, from --root DIR:
  GET /pypi/<name>/json     <- DIR/<normalised name>.json (PyPI JSON API document); a name that is
                               not PEP 503-normalised gets a 301 to the normalised URL, like PyPI
  GET /pypi/<name>/<version>/json
                            <- the per-version document PyPI serves: `info` with that version and
                               its `requires_dist`, `urls` (its files); 404 for an unknown version
  GET /simple/<name>/       <- PEP 691 JSON (Accept: application/vnd.pypi.simple.v1+json), from
                               DIR/simple/<name>.json if present, else generated from DIR/<name>.json
                               (PEP 700 upload-time, yanked, versions; file URLs relative to the
                               page, `../../files/<filename>`; PEP 658/714 `core-metadata` and
                               `data-dist-info-metadata` on the wheels of releases whose
                               requirements are known)
  GET /files/<wheel>.metadata
                            <- the wheel's core metadata (Metadata-Version, Name, Version and one
                               Requires-Dist line per requirement)
Requirements: a project document may hold, besides PyPI's fields, "x-requires-dist": {version:
[requirement, ...]} (a test-data extension, never served): the per-version documents and metadata
files are made from it, and the project document's `info.requires_dist` is filled from it for
`info.version` when absent.
  GET /raw/<path>           <- DIR/raw/<path> (stands in for raw.githubusercontent.com)
  GET /_stats               <- request counts (not counted itself)
Every reply carries an ETag and Last-Modified (unless --no-validators); If-None-Match /
If-Modified-Since give a 304.

Options:
  --simple-only     the index has no JSON API: /pypi/... answers 404
  --delay-ms N      every reply waits N ms first (the benchmark's slow index)
  --max-age N       send Cache-Control: max-age=N (default: no Cache-Control)
  --no-validators   send neither ETag nor Last-Modified (and never answer 304)
  --faults FILE     JSON {key: [step, ...]}; key is a normalised name (JSON API), "simple:<name>"
                    or a path; each request of that key consumes the next step, then replies are
                    normal. A step starting with "*" repeats forever. Steps: "ok", "404", "500",
                    "503", "429" or "429:<retry-after seconds>", "delay:<ms>", "truncate" (sends half
                    the promised body and closes), "malformed" (200 with broken JSON), and hostile
                    replies: "endless" (a 200 body that never ends), "gzip-bomb:<MiB>" (Content-Encoding:
                    gzip, that many MiB of zeros once decompressed, compressed as it is sent),
                    "drip:<ms>" (one body byte every <ms> ms), "redirect:<location>" (a 302;
                    "{port}" in the location becomes this server's port).
GET /_stats also lists, per path, the distinct Authorization headers received ("auth").
When ready it prints its port on stdout (one line) and flushes, so callers never need to sleep.
"""
import argparse
import email.utils
import hashlib
import http.server
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import zlib

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.total = 0
        self.by_path = {}
        self.by_status = {}
        self.conditional = 0
        self.auth = {}
        self.faults = {}
        if args.faults:
            with open(args.faults) as f:
                self.faults = {k: list(v) for k, v in json.load(f).items()}

    def count(self, path, conditional, auth=None):
        with self.lock:
            if auth is not None:
                seen = self.auth.setdefault(path, [])
                if auth not in seen:
                    seen.append(auth)
            self.total += 1
            self.by_path[path] = self.by_path.get(path, 0) + 1
            if conditional:
                self.conditional += 1

    def count_status(self, status):
        with self.lock:
            key = str(status)
            self.by_status[key] = self.by_status.get(key, 0) + 1

    def next_step(self, key):
        with self.lock:
            steps = self.faults.get(key)
            if not steps:
                return "ok"
            step = steps[0]
            if step.startswith("*"):
                return step[1:]
            steps.pop(0)
            return step


def requirements_of(doc, version):
    """The requirements of one release of a project document, or None when unknown."""
    known = doc.get("x-requires-dist", {})
    if version in known:
        return known[version]
    info = doc.get("info", {})
    if info.get("version") == version:
        return info.get("requires_dist")
    return None


def core_metadata(doc, version):
    """A release's METADATA file, as a wheel carries it."""
    name = doc.get("info", {}).get("name", "")
    lines = ["Metadata-Version: 2.1", "Name: %s" % name, "Version: %s" % version]
    lines += ["Requires-Dist: %s" % r for r in requirements_of(doc, version) or []]
    return ("\n".join(lines) + "\n\n%s %s (test data)\n" % (name, version)).encode()


def to_json_api(doc):
    """The project document as PyPI serves it: without the test-data extension."""
    if "x-requires-dist" not in doc:
        return doc
    doc = dict(doc)
    doc["info"] = dict(doc.get("info", {}))
    version = doc["info"].get("version")
    if doc["info"].get("requires_dist") is None and version in doc["x-requires-dist"]:
        doc["info"]["requires_dist"] = doc["x-requires-dist"][version]
    del doc["x-requires-dist"]
    return doc


def to_version_json(doc, version):
    """PyPI's /pypi/<name>/<version>/json, or None when there is no such release."""
    if version not in doc.get("releases", {}):
        return None
    info = dict(doc.get("info", {}))
    info["version"] = version
    info["requires_dist"] = requirements_of(doc, version)
    return {"info": info, "urls": doc["releases"][version], "vulnerabilities": []}


def to_simple(doc):
    """PEP 691 (+ PEP 700, PEP 658/714) JSON from a PyPI JSON API document."""
    files = []
    for version, release_files in doc.get("releases", {}).items():
        for f in release_files:
            # Relative to /simple/<name>/, as many private indexes write them.
            entry = {"filename": f["filename"], "url": "../../files/" + f["filename"],
                     "hashes": f.get("digests", {}), "yanked": f.get("yanked_reason") or f.get("yanked", False)}
            if "upload_time_iso_8601" in f:
                entry["upload-time"] = f["upload_time_iso_8601"]
            if f["filename"].endswith(".whl") and requirements_of(doc, version) is not None:
                digest = {"sha256": hashlib.sha256(core_metadata(doc, version)).hexdigest()}
                entry["core-metadata"] = digest
                entry["data-dist-info-metadata"] = digest
            files.append(entry)
    return {"meta": {"api-version": "1.1"}, "name": normalise(doc.get("info", {}).get("name", "")),
            "versions": list(doc.get("releases", {}).keys()), "files": files}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so clients can reuse connections
    server_version = "breeze-test-pypi/1"
    # Headers and body go out in separate writes; with Nagle on, a keep-alive client waits for
    # the delayed ACK (~40 ms) on every reply — a stall no real index has.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        pass

    @property
    def state(self):
        return self.server.state

    def reply(self, status, body=b"", content_type="application/json", headers=None, truncate=False, count=True):
        if count:
            self.state.count_status(status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_stats":
            with self.state.lock:
                body = json.dumps({"total": self.state.total, "by_path": self.state.by_path,
                                   "by_status": self.state.by_status,
                                   "conditional": self.state.conditional, "auth": self.state.auth}).encode()
            self.reply(200, body, count=False)
            return
        conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
        self.state.count(path, conditional, self.headers.get("Authorization"))
        if self.state.args.delay_ms:
            time.sleep(self.state.args.delay_ms / 1000.0)

        m_json = re.fullmatch(r"/pypi/([^/]+)/json/?", path)
        m_version = re.fullmatch(r"/pypi/([^/]+)/([^/]+)/json/?", path)
        m_simple = re.fullmatch(r"/simple/([^/]+)/?", path)
        m_metadata = re.fullmatch(r"/files/(([^/-]+)-([^/-]+)-[^/]+\.whl)\.metadata", path)
        if m_json or m_version:
            name = (m_json or m_version).group(1)
            if name != normalise(name):
                rest = "/json" if m_json else "/%s/json" % m_version.group(2)
                self.reply(301, b"", headers={"Location": "/pypi/%s%s" % (normalise(name), rest)})
                return
            key, source = (name if m_json else path), os.path.join(self.state.args.root, name + ".json")
            if self.state.args.simple_only:
                source = None
            content_type = "application/json"
            if m_json:
                transform = to_json_api
            else:
                version = m_version.group(2)
                transform = lambda doc: to_version_json(doc, version)  # noqa: E731
        elif m_metadata:
            key = path
            name, version = normalise(m_metadata.group(2)), m_metadata.group(3)
            source = os.path.join(self.state.args.root, name + ".json")
            content_type = "text/plain; charset=utf-8"
            transform = lambda doc: core_metadata(doc, version) if requirements_of(doc, version) is not None else None  # noqa: E731
        elif m_simple:
            name = normalise(m_simple.group(1))
            if SIMPLE_JSON not in self.headers.get("Accept", ""):
                self.reply(406, b"only PEP 691 JSON here", "text/plain")
                return
            key = "simple:" + name
            own = os.path.join(self.state.args.root, "simple", name + ".json")
            source = own if os.path.exists(own) else os.path.join(self.state.args.root, name + ".json")
            content_type = SIMPLE_JSON
            transform = None if os.path.exists(own) else to_simple
        elif path.startswith("/raw/"):
            key = path
            source = os.path.join(self.state.args.root, "raw", urllib.parse.unquote(path[len("/raw/"):]))
            content_type, transform = "text/plain; charset=utf-8", None
        else:
            self.reply(404, b'{"message": "Not Found"}')
            return

        step = self.state.next_step(key)
        if step == "ok" and path in self.state.faults:
            step = self.state.next_step(path)
        if step.startswith("delay:"):
            time.sleep(int(step.split(":", 1)[1]) / 1000.0)
            step = "ok"
        if step == "404":
            self.reply(404, b'{"message": "Not Found"}')
            return
        if step in ("500", "502", "503"):
            self.reply(int(step), b"server error", "text/plain")
            return
        if step.startswith("429"):
            headers = {}
            if ":" in step:
                headers["Retry-After"] = step.split(":", 1)[1]
            self.reply(429, b"too many requests", "text/plain", headers)
            return
        if self.hostile(step):
            return
        if step == "malformed":
            self.reply(200, b'{"info": {"name": "broken"}, "releases": {', content_type)
            return

        if source is None or not os.path.isfile(source):
            self.reply(404, b'{"message": "Not Found"}')
            return
        with open(source, "rb") as f:
            body = f.read()
        if transform is not None:
            doc = json.loads(body)
            out = transform(doc)
            if out is None:
                self.reply(404, b'{"message": "Not Found"}')
                return
            if isinstance(out, bytes):
                body = out
            elif out is not doc:  # an unchanged document is served byte for byte
                body = json.dumps(out).encode()
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        last_modified = email.utils.formatdate(int(os.path.getmtime(source)), usegmt=True)
        headers = {} if self.state.args.no_validators else {"ETag": etag, "Last-Modified": last_modified}
        if self.state.args.max_age is not None:
            headers["Cache-Control"] = "max-age=%d, public" % self.state.args.max_age
        not_modified = self.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in self.headers and self.headers.get("If-Modified-Since") == last_modified)
        if not_modified and not self.state.args.no_validators:
            self.reply(304, b"", content_type, headers)
            return
        self.reply(200, body, content_type, headers, truncate=(step == "truncate"))


    def stream(self, headers, chunks):
        """A 200 whose body ends only when the client hangs up (or `chunks` does)."""
        self.state.count_status(200)
        self.send_response(200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.close_connection = True
        try:
            for chunk in chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def hostile(self, step):
        """The replies a hostile or broken server gives; True when `step` was one of them."""
        if step == "endless":
            zeros = b"0" * 65536

            def forever():
                while True:
                    yield zeros
            self.stream({"Content-Type": "application/json", "Connection": "close"}, forever())
            return True
        if step.startswith("gzip-bomb:"):
            mib = int(step.split(":", 1)[1])

            def bomb():
                z = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip framing
                block = b"\0" * (1 << 20)
                for _ in range(mib):
                    out = z.compress(block)
                    if out:
                        yield out
                yield z.flush()
            self.stream({"Content-Type": "application/json", "Content-Encoding": "gzip", "Connection": "close"},
                        bomb())
            return True
        if step.startswith("drip:"):
            pause = int(step.split(":", 1)[1]) / 1000.0

            def drip():
                while True:
                    yield b" "
                    time.sleep(pause)
            self.stream({"Content-Type": "application/json", "Content-Length": "1000000"}, drip())
            return True
        if step.startswith("redirect:"):
            location = step.split(":", 1)[1].replace("{port}", str(self.server.server_address[1]))
            self.reply(302, b"", "text/plain", {"Location": location})
            return True
        return False


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True)
    parser.add_argument("--simple-only", action="store_true")
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--max-age", type=int, default=None)
    parser.add_argument("--no-validators", action="store_true")
    parser.add_argument("--faults")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State(args)
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
