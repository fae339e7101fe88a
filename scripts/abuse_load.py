"""The load of scripts/bench-abuse.sh, in two processes so that neither slows the other's
measurement: a normal client, and attackers that hold idle TCP connections, trickle request
headers (slowloris) and open TLS handshakes at a fixed rate. Every connection goes to 127.0.0.1.
Each prints one JSON object at the end.

Usage: abuse_load.py normal PORT CA_PEM CLIENT_PEM SUBSCRIPTION SECONDS
       abuse_load.py attack PORT SUBSCRIPTION IDLE SLOWLORIS HANDSHAKES_PER_S SECONDS
       (prints "attacking" once the idle connections are open)
"""
import asyncio
import json
import resource
import ssl
import sys
import time

mode, port = sys.argv[1], int(sys.argv[2])
if mode == "normal":
    ca, client_pem, subscription, seconds = sys.argv[3], sys.argv[4], sys.argv[5], float(sys.argv[6])
else:
    subscription = sys.argv[3]
    idle_count, slowloris_count, handshake_rate, seconds = int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

HOST = "127.0.0.1"
stats = {"idleOpened": 0, "idleShed": 0, "slowlorisOpened": 0, "slowlorisShed": 0, "handshakes": 0, "handshakeErrors": 0}
stop = asyncio.Event()


def client_context():
    context = ssl.create_default_context(cafile=ca)
    context.check_hostname = False
    context.load_cert_chain(client_pem)
    return context


def attacker_context():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def normal_requests(duration, latencies, failures):
    """One authenticated GET per fresh TLS connection, ten a second."""
    context = client_context()
    request = f"GET /{subscription} HTTP/1.1\r\nHost: {HOST}\r\nx-ms-version: 2014-10-01\r\nConnection: close\r\n\r\n".encode()
    end = time.monotonic() + duration
    while time.monotonic() < end:
        started = time.monotonic()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port, ssl=context), 10)
            writer.write(request)
            answer = await asyncio.wait_for(reader.read(), 10)
            writer.close()
            if not answer.startswith(b"HTTP/1.1 200"):
                failures.append(answer[:40].decode(errors="replace"))
            latencies.append(time.monotonic() - started)
        except Exception as error:  # a failed request counts as a failure and as 10 s
            failures.append(type(error).__name__)
            latencies.append(10.0)
        await asyncio.sleep(max(0, 0.1 - (time.monotonic() - started)))


async def hold_idle():
    """One idle TCP connection, opened again whenever the server closes it."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
            stats["idleOpened"] += 1
            done = asyncio.ensure_future(reader.read(1))
            await asyncio.wait([done, asyncio.ensure_future(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
            if done.done():
                stats["idleShed"] += 1
            writer.close()
        except Exception:
            await asyncio.sleep(0.5)


async def slowloris():
    """A TLS connection whose request headers never end: a byte every two seconds."""
    context = attacker_context()
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(HOST, port, ssl=context)
            stats["slowlorisOpened"] += 1
            writer.write(f"GET /{subscription} HTTP/1.1\r\nHost: {HOST}\r\n".encode())
            while not stop.is_set():
                writer.write(b"X")
                await writer.drain()
                try:
                    if await asyncio.wait_for(reader.read(1), 2) == b"":
                        break
                except asyncio.TimeoutError:
                    continue
            stats["slowlorisShed"] += 1
            writer.close()
        except Exception:
            await asyncio.sleep(0.5)


async def one_handshake(context):
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port, ssl=context), 10)
        stats["handshakes"] += 1
        writer.close()
    except Exception:
        stats["handshakeErrors"] += 1


async def handshakes():
    context = attacker_context()
    interval = 1 / handshake_rate
    next_at = time.monotonic()
    pending = set()
    while not stop.is_set():
        task = asyncio.ensure_future(one_handshake(context))
        pending.add(task)
        task.add_done_callback(pending.discard)
        next_at += interval
        await asyncio.sleep(max(0, next_at - time.monotonic()))


def summary(latencies, failures):
    ordered = sorted(latencies)
    pick = lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1) if ordered else None
    return {"requests": len(ordered), "failures": len(failures), "p50ms": pick(0.5), "p99ms": pick(0.99), "maxms": pick(1.0),
            "failureKinds": sorted(set(failures))[:5]}


async def normal():
    latencies, failures = [], []
    await normal_requests(seconds, latencies, failures)
    print(json.dumps(summary(latencies, failures)))


async def attack():
    attackers = [asyncio.ensure_future(hold_idle()) for _ in range(idle_count)]
    attackers += [asyncio.ensure_future(slowloris()) for _ in range(slowloris_count)]
    # The idle connections pile up first; then the handshakes start and the measuring begins.
    for _ in range(120):
        if stats["idleOpened"] >= idle_count:
            break
        await asyncio.sleep(0.5)
    if handshake_rate > 0:
        attackers.append(asyncio.ensure_future(handshakes()))
    print("attacking", flush=True)
    started = time.monotonic()
    await asyncio.sleep(seconds)
    elapsed = time.monotonic() - started
    stop.set()
    for task in attackers:
        task.cancel()
    await asyncio.gather(*attackers, return_exceptions=True)
    print(json.dumps({**stats, "handshakesPerSecond": round(stats["handshakes"] / elapsed, 1)}))


asyncio.run(normal() if mode == "normal" else attack())
