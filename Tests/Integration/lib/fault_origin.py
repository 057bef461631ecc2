"""A scripted HTTP origin for the server tests: serves files from a directory and misbehaves on request.

Paths (anything else is a file under the root):
  /counter                 number of requests seen for /count/... paths, as text; /counter/reset sets it to 0
  /count/<file>            the file after 0.4 s, counted (coalescing tests)
  /gzip/<file>             the file gzip-compressed with Content-Encoding: gzip
  /chunked/<file>          the file with Transfer-Encoding: chunked
  /status/<code>           that status with a small body (Location for 3xx)
  /cache/<file>            the file with Cache-Control and Last-Modified
  /stall/<file>            headers never come (sleeps 20 s)
  /stall-body/<file>       headers, half the body, then silence
  /reset/<file>            headers, part of the body, then a TCP reset
  /truncated/<file>        Content-Length larger than the bytes sent, then close
  /garbage/<file>          a line that is not HTTP
  /bad-header/<file>       a header line without a colon
  /huge                    declares a 3 GB Content-Length
"""
import gzip, os, socket, socketserver, struct, sys, threading, time

PORT = int(sys.argv[1])
ROOT = os.path.realpath(sys.argv[2])
COUNT = 0
LOCK = threading.Lock()
PATHS_SEEN = []


def read_file(rel):
    path = os.path.realpath(os.path.join(ROOT, rel.lstrip("/")))
    if not path.startswith(ROOT + "/") or not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return f.read()


class Handler(socketserver.BaseRequestHandler):
    def send(self, status, headers, body=b"", reason="X"):
        head = "HTTP/1.1 %d %s\r\n" % (status, reason)
        for k, v in headers:
            head += "%s: %s\r\n" % (k, v)
        self.request.sendall(head.encode() + b"\r\n" + body)

    def handle(self):
        global COUNT
        self.request.settimeout(30)
        buf = b""
        while True:
            while b"\r\n\r\n" not in buf:
                chunk = self.request.recv(65536)
                if not chunk:
                    return
                buf += chunk
            head, buf = buf.split(b"\r\n\r\n", 1)
            line = head.split(b"\r\n")[0].decode("latin-1")
            target = line.split(" ")[1]
            with LOCK:
                PATHS_SEEN.append(target)
            path = target.split("?")[0]
            if not self.route(path, target):
                return

    def route(self, path, target):
        global COUNT
        parts = path.split("/", 2)
        kind = parts[1] if len(parts) > 1 else ""
        rest = parts[2] if len(parts) > 2 else ""
        if path == "/counter":
            with LOCK:
                n = COUNT
            self.send(200, [("Content-Length", len(str(n)))], str(n).encode())
            return True
        if path == "/counter/reset":
            with LOCK:
                COUNT = 0
            self.send(200, [("Content-Length", 0)])
            return True
        if path == "/seen":
            with LOCK:
                body = "\n".join(PATHS_SEEN).encode()
            self.send(200, [("Content-Length", len(body))], body)
            return True
        if kind == "status":
            code = int(rest)
            body = ("status %d from origin\n" % code).encode()
            headers = [("Content-Type", "text/plain"), ("Content-Length", len(body)), ("X-Origin-Marker", "yes")]
            if 300 <= code < 400:
                headers.append(("Location", "/elsewhere/photo.jpg"))
            self.send(code, headers, body)
            return True
        if kind == "huge":
            self.send(200, [("Content-Type", "image/jpeg"), ("Content-Length", "3000000000")])
            return False
        data = read_file(rest if kind in ("count", "gzip", "chunked", "cache", "stall", "stall-body", "reset",
                                           "truncated", "garbage", "bad-header") else path)
        if data is None:
            self.send(404, [("Content-Length", 9)], b"not found")
            return True
        if kind == "count":
            with LOCK:
                COUNT += 1
            time.sleep(0.4)
        if kind == "gzip":
            z = gzip.compress(data)
            self.send(200, [("Content-Type", "image/jpeg"), ("Content-Encoding", "gzip"), ("Content-Length", len(z))], z)
            return True
        if kind == "chunked":
            self.send(200, [("Content-Type", "application/octet-stream"), ("Transfer-Encoding", "chunked")])
            for i in range(0, len(data), 7000):
                piece = data[i:i + 7000]
                self.request.sendall(b"%x;ext=1\r\n" % len(piece) + piece + b"\r\n")
            self.request.sendall(b"0\r\nX-Trailer: t\r\n\r\n")
            return True
        if kind == "cache":
            self.send(200, [("Content-Type", "image/jpeg"), ("Content-Length", len(data)),
                            ("Cache-Control", "public, max-age=3600"),
                            ("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"), ("ETag", '"origin-tag"')], data)
            return True
        if kind == "stall":
            time.sleep(20)
            return False
        if kind == "stall-body":
            self.send(200, [("Content-Type", "image/jpeg"), ("Content-Length", len(data))], data[: len(data) // 2])
            time.sleep(20)
            return False
        if kind == "reset":
            self.send(200, [("Content-Type", "image/jpeg"), ("Content-Length", len(data))], data[:3000])
            time.sleep(0.1)
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.request.close()
            return False
        if kind == "truncated":
            self.send(200, [("Content-Type", "image/jpeg"), ("Content-Length", len(data) + 5000)], data)
            return False
        if kind == "garbage":
            self.request.sendall(b"HELLO THIS IS NOT HTTP\r\n\r\n" + data[:100])
            return False
        if kind == "bad-header":
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nthis line has no colon\r\n\r\nhello")
            return False
        ctype = "image/png" if path.endswith(".png") else "image/jpeg" if path.endswith(".jpg") else "application/octet-stream"
        self.send(200, [("Content-Type", ctype), ("Content-Length", len(data))], data)
        return True


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


Server(("127.0.0.1", PORT), Handler).serve_forever()
