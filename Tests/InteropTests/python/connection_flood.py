"""Opens many connections that never finish what they start, as an attacker would, and reports
what the server did with them.

Usage: connection_flood.py PORT COUNT KIND SECONDS
KIND: idle (TCP, sends nothing), hello (a partial TLS ClientHello), tls (a finished handshake,
no request), keepalive (one request answered, then nothing).
Prints JSON: how many connections were opened, how many the server closed within SECONDS, and
how long the last close took.
KIND hold: keeps COUNT idle TCP connections open for SECONDS, opening a new one for each the
server closes, and prints how many it opened and how many were closed.
"""
import json
import resource
import select
import socket
import ssl
import sys
import time

port, count, kind, seconds = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, count + 256)), hard))

context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE

start = time.monotonic()
if kind == "hold":
    holding, opened, shed = {}, 0, 0
    poller = select.poll()

    def open_one():
        global opened
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.connect_ex(("127.0.0.1", port))
        holding[sock.fileno()] = sock
        poller.register(sock.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
        opened += 1

    for _ in range(count):
        open_one()
    while time.monotonic() < start + seconds:
        for fd, _ in poller.poll(200):
            sock = holding.pop(fd)
            poller.unregister(fd)
            sock.close()
            shed += 1
            open_one()
    print(json.dumps({"opened": opened, "closed": shed, "lastClose": 0}))
    sys.exit(0)

open_sockets = []
for _ in range(count):
    raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if kind in ("idle", "hello"):
        raw.setblocking(False)
        raw.connect_ex(("127.0.0.1", port))
        open_sockets.append(raw)
        continue
    raw.settimeout(10)
    raw.connect(("127.0.0.1", port))
    tls = context.wrap_socket(raw)
    if kind == "keepalive":
        tls.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        tls.recv(65536)
    tls.setblocking(False)
    open_sockets.append(tls)

if kind == "hello":
    # The first bytes of a TLS record carrying a ClientHello, and no more.
    time.sleep(0.5)
    for sock in open_sockets:
        try:
            sock.send(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
        except OSError:
            pass

closed = set()
last_close = 0.0
poller = select.poll()
by_fd = {}
for sock in open_sockets:
    by_fd[sock.fileno()] = sock
    poller.register(sock.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
deadline = start + seconds
while len(closed) < len(open_sockets) and time.monotonic() < deadline:
    for fd, _ in poller.poll(200):
        sock = by_fd[fd]
        try:
            data = sock.recv(65536)
        except (ssl.SSLWantReadError, BlockingIOError):
            continue
        except (ConnectionError, OSError, ssl.SSLError):
            data = b""
        if not data:
            closed.add(fd)
            poller.unregister(fd)
            last_close = time.monotonic() - start

print(json.dumps({"opened": len(open_sockets), "closed": len(closed), "lastClose": round(last_close, 2)}))
