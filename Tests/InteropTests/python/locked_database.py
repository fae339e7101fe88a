"""While another process holds the database's write lock for 3 s, measures what the server
still does: role-instance HTTPS requests (fresh TLS each), authenticated GETs answered from its
cache (the real client listing management certificates), and writes (the real client creating
cloud services), which must wait for the lock and then succeed.

Usage: locked_database.py PUBLISH_SETTINGS CA_PEM HOST:PORT WORK_DIR DATABASE INSTANCE_PORT
Prints one JSON document.
"""
import json
import sqlite3
import sys
import threading
import time

from thumbprint_client import connect, tls_get

publish_settings, ca_pem, host, work, database, instance_port = sys.argv[1:7]
instance_port = int(instance_port)
HOLD = 3.0

sms, _ = connect(publish_settings, ca_pem, host, work, "locked-client.pem")
# Warm the server's caches (authentication and the certificate list) and our connection.
for _ in range(3):
    sms.list_management_certificates()
tls_get(instance_port)

locked = threading.Event()
released = threading.Event()


def hold_lock():
    db = sqlite3.connect(database, isolation_level=None, timeout=30)
    db.execute("BEGIN EXCLUSIVE")
    db.execute("INSERT OR REPLACE INTO settings (name, value) VALUES ('locked-by-test', '1')")
    locked.set()
    time.sleep(HOLD)
    db.execute("COMMIT")
    db.close()
    released.set()


writes = []


def write(index):
    started = time.monotonic()
    try:
        sms.create_hosted_service(f"locked{index}{int(time.time())}", "bG9ja2Vk", location="West US")
        writes.append({"ok": True, "seconds": time.monotonic() - started})
    except Exception as error:  # the client raises on any non-2xx answer
        writes.append({"ok": False, "seconds": time.monotonic() - started, "error": str(error)})


def timed(call):
    started = time.monotonic()
    call()
    return (time.monotonic() - started) * 1000


holder = threading.Thread(target=hold_lock)
holder.start()
locked.wait()
writers = [threading.Thread(target=write, args=(index,)) for index in range(3)]
for writer in writers:
    writer.start()
time.sleep(0.2)  # the writes are now waiting for the lock inside the server

instance_ms, cached_ms, failures = [], [], []
while not released.is_set():
    try:
        instance_ms.append(timed(lambda: tls_get(instance_port)))
    except Exception as error:
        failures.append(f"instance: {error}")
    try:
        cached_ms.append(timed(sms.list_management_certificates))
    except Exception as error:
        failures.append(f"cached GET: {error}")
    time.sleep(0.02)

holder.join()
for writer in writers:
    writer.join(timeout=60)
print(json.dumps({
    "instanceRequests": len(instance_ms), "instanceMaxMs": max(instance_ms, default=0),
    "cachedRequests": len(cached_ms), "cachedMaxMs": max(cached_ms, default=0),
    "failures": failures, "writes": writes,
}))
