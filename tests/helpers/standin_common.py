"""The part the two secret-store stand-ins share (vault_standin.py and
awssm_standin.py): the command line, the faults, the request log and the
server.  NOT Vault and NOT the AWS agent: see STANDINS.md.  Tests only.

What differs between the two, the importing stand-in gives this module
before it serves (use_hooks): dump_json, error_answer, change_values,
extra_fault_kind and extra_fault_answer."""

import argparse
import datetime
import json
import os
import signal
import socket
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

FAULT_KINDS = ("redirect", "chunked", "oversized", "malformed", "nonstring",
               "nul", "slow", "close")

# Set by use_hooks() from the stand-in that imports this module.
dump_json = error_answer = change_values = None
extra_fault_kind = extra_fault_answer = None
HOOKS = ("dump_json", "error_answer", "change_values", "extra_fault_kind",
         "extra_fault_answer")


def use_hooks(names):
    """Take what differs (HOOKS) from the stand-in's globals."""
    g = globals()
    for name in HOOKS:
        g[name] = names[name]


class Fault:
    """One --fault PATHPREFIX=KIND[:COUNT]."""

    def __init__(self, spec):
        prefix, sep, rest = spec.rpartition("=")
        if not sep or not prefix:
            raise ValueError("--fault %r: want PATHPREFIX=KIND[:COUNT]" % spec)
        kind, sep, count = rest.partition(":")
        if not kind:
            raise ValueError("--fault %r: no KIND" % spec)
        if not (kind.isdigit() and len(kind) == 3) and kind not in FAULT_KINDS \
                and not extra_fault_kind(kind):
            raise ValueError("--fault %r: unknown KIND %r" % (spec, kind))
        self.prefix = prefix
        self.kind = kind
        self.left = int(count) if sep else None
        if self.left is not None and self.left < 0:
            raise ValueError("--fault %r: COUNT below 0" % spec)

    def take(self, target):
        """The kind to apply to a request for target, counting it down."""
        if not target.startswith(self.prefix):
            return None
        if self.left is None:
            return self.kind
        if self.left == 0:
            return None
        self.left -= 1
        return self.kind


class Answer:
    """An answer before it is written: status, body (an object to encode
    as JSON, or bytes), headers, and `values`, the dict of the secret's
    values that the nonstring and nul faults change (None when the answer
    holds no secret)."""

    def __init__(self, status, body, headers=None, values=None):
        self.status = status
        self.body = body
        self.headers = dict(headers or {})
        self.values = values


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.faults = [Fault(s) for s in args.fault]
        self.logf = open(args.log, "a", encoding="utf-8") if args.log else None
        self.data = {}
        if args.data:
            with open(args.data, encoding="utf-8") as f:
                self.data = json.load(f)

    def fault_for(self, target):
        with self.lock:
            for f in self.faults:
                kind = f.take(target)
                if kind is not None:
                    return kind
        return None

    def log(self, entry):
        if self.logf is None:
            return
        line = json.dumps(entry, sort_keys=True) + "\n"
        with self.lock:
            self.logf.write(line)
            self.logf.flush()


def encode(body):
    if isinstance(body, bytes):
        return body
    return dump_json(body)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # the --log file is the record
        pass

    def do_GET(self):
        self.serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_LIST = do_GET

    def serve(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        if length > 0:
            self.rfile.read(min(length, 1 << 20))
        answer = respond(state, self.command, self.path, self.headers)
        kind = state.fault_for(self.path)
        if kind is not None:
            answer = apply_fault(state, kind, answer, self.path)
        state.log({
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "method": self.command,
            "path": self.path,
            "headers": dict(self.headers.items()),
            "status": None if kind == "close" else answer.status,
            "fault": kind,
        })
        if kind == "close":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if kind == "slow":
            time.sleep(state.args.slow_seconds)
        self.write(answer, chunked=(kind == "chunked"))

    def write(self, answer, chunked):
        body = encode(answer.body)
        # 1xx, 204 and 304 have no body, and no length or framing header.
        bodiless = answer.status < 200 or answer.status in (204, 304)
        self.send_response_only(answer.status)
        self.send_header("Date", self.date_time_string())
        for k, v in answer.headers.items():
            if not (bodiless and k == "Content-Type"):
                self.send_header(k, v)
        if bodiless:
            pass
        elif chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD" or bodiless:
            self.wfile.flush()
            return
        try:
            if chunked:
                # Small chunks, so that a client meets several chunk sizes.
                for i in range(0, len(body), 64):
                    piece = body[i:i + 64]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True


def apply_fault(state, kind, answer, target):
    """The answer `kind` makes of the normal one."""
    if kind.isdigit():
        return error_answer(int(kind))
    if extra_fault_kind(kind):
        return extra_fault_answer(kind)
    if kind == "redirect":
        return Answer(307, b'<a href="%s">Temporary Redirect</a>.\n'
                      % target.encode("utf-8", "replace"),
                      {"Location": target,
                       "Content-Type": "text/html; charset=utf-8"})
    if kind == "oversized":
        pad = "x" * state.args.oversized_bytes
        if isinstance(answer.body, dict):
            body = dict(answer.body)
            body["padding"] = pad
            answer.body = body
        else:
            answer.body = encode(answer.body) + pad.encode()
        return answer
    if kind == "malformed":
        text = encode(answer.body)
        answer.body = text[:max(1, len(text) // 2)] + b"\x00 not JSON {"
        return answer
    if kind in ("nonstring", "nul"):
        change_values(kind, answer)
        return answer
    return answer  # chunked, slow, close: the normal answer, delivered so


def serve(state, handler_respond):
    args = state.args
    global respond
    respond = handler_respond
    listen = args.listen
    if listen.startswith("unix:"):
        path = listen[len("unix:"):]
        if os.path.exists(path) and not os.path.isdir(path):
            os.unlink(path)  # a socket left by an earlier run

        class Server(socketserver.ThreadingMixIn,
                     socketserver.UnixStreamServer):
            daemon_threads = True
            block_on_close = False
        server = Server(path, Handler)
        ready = "unix:" + path
    elif listen.startswith("tcp:"):
        hostport = listen[len("tcp:"):]
        host, _, port = hostport.rpartition(":")
        host = host.strip("[]")
        family = socket.AF_INET6 if ":" in host else socket.AF_INET

        class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
            daemon_threads = True
            block_on_close = False
            allow_reuse_address = True
            address_family = family
        server = Server((host, int(port)), Handler)
        real = server.server_address[1]
        ready = "http://%s:%d" % ("[%s]" % host if family == socket.AF_INET6
                                  else host, real)
    else:
        sys.exit("--listen %r: want tcp:HOST:PORT or unix:PATH" % listen)
    server.state = state
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    if args.ready:
        tmp = args.ready + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(ready + "\n")
        os.rename(tmp, args.ready)
    stop.wait(args.lifetime)
    server.shutdown()
    server.server_close()
    if listen.startswith("unix:"):
        try:
            os.unlink(listen[len("unix:"):])
        except OSError:
            pass
    return 0


def common_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--listen", required=True)
    p.add_argument("--ready")
    p.add_argument("--data")
    p.add_argument("--log")
    p.add_argument("--fault", action="append", default=[])
    p.add_argument("--lifetime", type=float, default=60)
    p.add_argument("--slow-seconds", type=float, default=30)
    p.add_argument("--oversized-bytes", type=int, default=8 << 20)
    return p

