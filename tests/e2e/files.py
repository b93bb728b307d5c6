"""Real file servers on 127.0.0.1 for Firmware Management: an HTTP server (http.server)
that serves a folder, takes multipart POST and PUT uploads, can answer slowly, and can
send CORS headers or not; and an FTP server (pyftpdlib) with one user. Each records
what it was asked, with the wall-clock time."""

import email.parser
import email.policy
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class HttpFiles:
    """`files.url(name)`; `files.requests` holds (time, method, path) per request;
    `files.uploads` the (filename, bytes) of every upload."""

    def __init__(self, root: Path, cors=True):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.cors = cors
        self.delay = 0.0  # seconds between 4 KiB chunks of a download
        self.refuse_uploads = None  # an HTTP status that every upload gets (e.g. 403)
        self.requests = []
        self.uploads = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _cors(self):
                if owner.cors:
                    self.send_header("Access-Control-Allow-Origin", "*")
                    self.send_header("Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS")
                    self.send_header("Access-Control-Allow-Headers", "*")

            def _reply(self, code, body=b"", kind="text/plain"):
                self.send_response(code)
                self._cors()
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self):
                owner.requests.append((time.time(), "OPTIONS", self.path))
                self._reply(204)

            def do_GET(self):
                owner.requests.append((time.time(), "GET", self.path))
                path = owner.root / self.path.lstrip("/").split("?")[0]
                if not path.is_file():
                    return self._reply(404, b"not found\n")
                body = path.read_bytes()
                self.send_response(200)
                self._cors()
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for i in range(0, len(body), 4096):
                        self.wfile.write(body[i:i + 4096])
                        if owner.delay:
                            self.wfile.flush()
                            time.sleep(owner.delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _body(self):
                length = int(self.headers.get("Content-Length", "0"))
                return self.rfile.read(length)

            def do_POST(self):
                owner.requests.append((time.time(), "POST", self.path))
                body = self._body()
                if owner.refuse_uploads:
                    return self._reply(owner.refuse_uploads, b"refused\n")
                head = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode()
                message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
                parts = [p for p in message.iter_parts() if p.get_filename()] if message.is_multipart() else []
                if not parts:
                    return self._reply(400, b"expected multipart/form-data with a file\n")
                for part in parts:
                    owner.uploads.append((part.get_filename(), part.get_payload(decode=True)))
                self._reply(201, b"stored\n")

            def do_PUT(self):
                owner.requests.append((time.time(), "PUT", self.path))
                if owner.refuse_uploads:
                    self._body()
                    return self._reply(owner.refuse_uploads, b"refused\n")
                owner.uploads.append((self.path.rsplit("/", 1)[-1], self._body()))
                self._reply(201, b"stored\n")

        class Server(ThreadingHTTPServer):
            request_queue_size = 1024  # a fleet connects at once
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, name=""):
        return f"http://127.0.0.1:{self.port}/{name}"

    def gets(self, name):
        return [t for t, m, p in self.requests if m == "GET" and p == "/" + name]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class FtpFiles:
    """An FTP server (pyftpdlib) with user `evc` / password `secret` on `root`."""

    USER, PASSWORD = "evc", "secret"

    def __init__(self, root: Path):
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler
        from pyftpdlib.servers import ThreadedFTPServer

        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.commands = []
        owner = self
        authorizer = DummyAuthorizer()
        authorizer.add_user(self.USER, self.PASSWORD, str(root), perm="elradfmwMT")

        class Handler(FTPHandler):
            def on_file_sent(self, file):
                owner.commands.append((time.time(), "RETR", file))

            def on_file_received(self, file):
                owner.commands.append((time.time(), "STOR", file))

        Handler.authorizer = authorizer
        self.server = ThreadedFTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"handle_exit": False}, daemon=True)
        self.thread.start()

    def url(self, path=""):
        return f"ftp://{self.USER}:{self.PASSWORD}@127.0.0.1:{self.port}/{path}"

    def close(self):
        self.server.close_all()
