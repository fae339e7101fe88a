"""The load of scripts/bench-abuse.sh: a normal client measured alone, then while attackers hold
idle TCP connections, trickle request headers (slowloris) and open TLS handshakes at a fixed
rate. Every connection goes to 127.0.0.1. Prints one JSON object.

Usage: abuse_load.py PORT CA_PEM CLIENT_PEM SUBSCRIPTION IDLE SLOWLORIS HANDSHAKES_PER_S SECONDS
"""
import asyncio
import json
import resource
import ssl
import sys
import time

port, ca, client_pem, subscription = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
idle_count, slowloris_count, handshake_rate, seconds = int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
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


async def main():
    alone, alone_failures = [], []
    await normal_requests(min(10, seconds), alone, alone_failures)
    attackers = [asyncio.ensure_future(hold_idle()) for _ in range(idle_count)]
    attackers += [asyncio.ensure_future(slowloris()) for _ in range(slowloris_count)]
    attackers.append(asyncio.ensure_future(handshakes()))
    # Let the idle connections pile up before measuring.
    for _ in range(60):
        if stats["idleOpened"] >= idle_count:
            break
        await asyncio.sleep(0.5)
    started = time.monotonic()
    handshakes_before = stats["handshakes"]
    attacked, attacked_failures = [], []
    await normal_requests(seconds, attacked, attacked_failures)
    elapsed = time.monotonic() - started
    result = {"alone": summary(alone, alone_failures), "underAttack": summary(attacked, attacked_failures),
              "handshakesPerSecond": round((stats["handshakes"] - handshakes_before) / elapsed, 1), **stats}
    stop.set()
    for task in attackers:
        task.cancel()
    await asyncio.gather(*attackers, return_exceptions=True)
    print(json.dumps(result))


asyncio.run(main())
