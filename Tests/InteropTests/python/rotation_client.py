"""Rotation under load: while threads open fresh TLS connections to a deployment's endpoint
without pause, the real client changes only the thumbprint in the configuration. Reports every
failed connection, when the new certificate reached all instances, what happened to a
connection opened before the change, and the instances' certificate stores.

Usage: rotation_client.py PUBLISH_SETTINGS CA_PEM HOST:PORT WORK_DIR SERVICE PACKAGE_URL
       PFX_OLD PFX_NEW PFX_PASSWORD CSCFG_OLD CSCFG_NEW DATA_DIR THREADS
Prints one JSON document.
"""
import base64
import glob
import hashlib
import json
import os
import socket
import ssl
import sys
import threading
import time

from thumbprint_client import connect, tls_get

(publish_settings, ca_pem, host, work, service, package_url, pfx_old, pfx_new, password,
 cscfg_old, cscfg_new, data_dir, threads) = sys.argv[1:14]
sms, subscription_id = connect(publish_settings, ca_pem, host, work, "rotation-client.pem")
CONTEXT = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
CONTEXT.check_hostname = False
CONTEXT.verify_mode = ssl.CERT_NONE


def b64(path):
    return base64.b64encode(open(path, "rb").read()).decode()


def wait(result):
    sms.wait_for_operation_status(result.request_id, timeout=120, sleep_interval=0.05,
                                  progress_callback=None, success_callback=None, failure_callback=None)


def fetch(port):
    """One fresh connection and request; returns the served thumbprint."""
    thumbprint, answer = tls_get(port)
    if not answer.startswith("HTTP/1.1 200"):
        raise RuntimeError(f"answer {answer[:40]!r}")
    return thumbprint


def stores():
    """Thumbprints in each instance's LocalMachine\\My, with their (sealed) key files' modes."""
    found = {}
    for folder in sorted(glob.glob(os.path.join(data_dir, "deployments", "*", "instances", "*"))):
        my = os.path.join(folder, "stores", "LocalMachine", "My")
        entries = {}
        for cer in glob.glob(os.path.join(my, "*.cer")):
            thumbprint = os.path.basename(cer)[:-4]
            key = os.path.join(my, thumbprint + ".key.sealed")
            entries[thumbprint] = oct(os.stat(key).st_mode & 0o777) if os.path.exists(key) else None
        found[os.path.basename(folder)] = entries
    return found


sms.wait_for_operation_status(sms.create_hosted_service(service, "rotation", location="West US").request_id, timeout=10,
                              sleep_interval=0.05, progress_callback=None, success_callback=None, failure_callback=None)
wait(sms.add_service_certificate(service, b64(pfx_old), "pfx", password))
wait(sms.add_service_certificate(service, b64(pfx_new), "pfx", password))
wait(sms.create_deployment(service, "production", "rot", package_url, "rotation", b64(cscfg_old), start_deployment=True))
deployment = sms.get_deployment_by_name(service, "rot")
assert all(i.instance_status == "ReadyRole" for i in deployment.role_instance_list), [i.instance_status for i in deployment.role_instance_list]
public_port = int(deployment.role_instance_list[0].instance_endpoints[0].public_port)
local_ports = [int(i.instance_endpoints[0].local_port) for i in deployment.role_instance_list]
report = {"instances": len(local_ports), "storesBefore": stores()}

# A connection opened before the change, kept open across it.
held_raw = socket.create_connection(("127.0.0.1", public_port), timeout=10)
held = CONTEXT.wrap_socket(held_raw)
held_thumbprint = hashlib.sha1(held.getpeercert(binary_form=True)).hexdigest().upper()

results = []  # (start time, thumbprint or None, error)
lock = threading.Lock()
stop = threading.Event()


def load():
    while not stop.is_set():
        started = time.monotonic()
        try:
            outcome = (started, fetch(public_port), None)
        except Exception as error:  # every failure is reported
            outcome = (started, None, repr(error))
        with lock:
            results.append(outcome)


workers = [threading.Thread(target=load) for _ in range(int(threads))]
for worker in workers:
    worker.start()
time.sleep(1.0)
change_started = time.monotonic()
wait(sms.change_deployment_configuration(service, "rot", b64(cscfg_new)))
succeeded = time.monotonic()
# Right after success, every instance, asked directly, serves the new certificate.
direct = [fetch(port) for port in local_ports]
time.sleep(1.5)
stop.set()
for worker in workers:
    worker.join()

held.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
held_answer = held.recv(65536)
held.close()

new_thumbprint = direct[0] if direct else None
last_old_start = max((t for t, thumbprint, _ in results if thumbprint is not None and thumbprint != new_thumbprint), default=None)
report.update({
    "connections": len(results),
    "failures": [error for _, _, error in results if error is not None][:10],
    "failureCount": sum(1 for _, _, error in results if error is not None),
    "changeSeconds": succeeded - change_started,
    "directAfterSuccess": sorted(set(direct)),
    "oldServedAfterSuccessSeconds": None if last_old_start is None else last_old_start - succeeded,
    "newSeen": sum(1 for _, thumbprint, _ in results if thumbprint == new_thumbprint),
    "heldThumbprint": held_thumbprint,
    "heldAnswer": held_answer.split(b"\r\n", 1)[0].decode(),
    "storesAfter": stores(),
})
# The old certificate is no longer referenced: deleting it is allowed and removes it from the stores.
old_thumbprint = held_thumbprint
wait(sms.delete_service_certificate(service, "sha1", old_thumbprint))
report["storesAfterDelete"] = stores()
print(json.dumps(report))
