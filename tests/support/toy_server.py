"""A stand-in child process for supervisor tests: a real HTTP server with a /health endpoint.

Flags make it slow to become ready, crash, ignore SIGTERM, or fork a grandchild, so the
supervisor is tested against real processes and real sockets.
"""

import argparse
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--ready-after", type=float, default=0.0)
parser.add_argument("--exit-after", type=float, default=None)
parser.add_argument("--exit-code", type=int, default=3)
parser.add_argument("--ignore-term", action="store_true")
parser.add_argument("--grandchild-pidfile", default=None)
args = parser.parse_args()
started = time.monotonic()


class Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        ready = time.monotonic() - started >= args.ready_after
        self.send_response(200 if ready else 503)
        self.end_headers()
        self.wfile.write(b"ok" if ready else b"starting")

    def log_message(self, *a) -> None:
        pass


if args.ignore_term:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if args.grandchild_pidfile:
    worker = os.fork()
    if worker == 0:  # a worker, as Sanic forks, that ignores SIGTERM: only the group kill ends it
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        while True:
            time.sleep(1)
    with open(args.grandchild_pidfile, "w") as fh:
        fh.write(str(worker))
if args.exit_after is not None:
    def crash() -> None:
        time.sleep(args.exit_after)
        print(f"toy server on {args.port}: simulated crash", flush=True)
        os._exit(args.exit_code)
    threading.Thread(target=crash, daemon=True).start()

print(f"toy server on {args.port}: listening", flush=True)
ThreadingHTTPServer(("127.0.0.1", args.port), Health).serve_forever()
