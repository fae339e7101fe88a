"""Role instances on agents, through the real client: sets a deployment up, reads its instances,
changes its certificate, and keeps fresh TLS connections going to a list of ports meanwhile.

Usage: agents_client.py setup  PUBLISH_SETTINGS CA_PEM HOST:PORT WORK SERVICE PACKAGE_URL PFX_OLD PFX_NEW PASSWORD CSCFG
       agents_client.py status PUBLISH_SETTINGS CA_PEM HOST:PORT WORK SERVICE
       agents_client.py rotate PUBLISH_SETTINGS CA_PEM HOST:PORT WORK SERVICE CSCFG_NEW PORTS NEW_THUMBPRINT
       agents_client.py watch  PUBLISH_SETTINGS CA_PEM HOST:PORT WORK SERVICE SECONDS
       agents_client.py load   PORTS_FILE STOP_FILE THREADS
Each prints one JSON document on its last line.
"""
import base64
import json
import os
import sys
import threading
import time

from thumbprint_client import connect, tls_get


def b64(path):
    return base64.b64encode(open(path, "rb").read()).decode()


def client(args):
    sms, _ = connect(args[0], args[1], args[2], args[3], "agents-client.pem")
    return sms


def wait(sms, result, timeout=120):
    sms.wait_for_operation_status(result.request_id, timeout=timeout, sleep_interval=0.05,
                                  progress_callback=None, success_callback=None, failure_callback=None)


def instances(sms, service):
    deployment = sms.get_deployment_by_name(service, "agents")
    return [{"name": i.instance_name, "status": i.instance_status, "power": i.power_state,
             "localPort": int(i.instance_endpoints[0].local_port) if i.instance_endpoints else None,
             "publicPort": int(i.instance_endpoints[0].public_port) if i.instance_endpoints else None}
            for i in deployment.role_instance_list]


def setup(args):
    sms = client(args)
    service, package_url, pfx_old, pfx_new, password, cscfg = args[4:10]
    wait(sms, sms.create_hosted_service(service, "agents", location="West US"), timeout=10)
    wait(sms, sms.add_service_certificate(service, b64(pfx_old), "pfx", password))
    wait(sms, sms.add_service_certificate(service, b64(pfx_new), "pfx", password))
    started = time.time()
    wait(sms, sms.create_deployment(service, "production", "agents", package_url, "agents", b64(cscfg), start_deployment=True))
    print(json.dumps({"createSeconds": time.time() - started, "instances": instances(sms, service)}))


def status(args):
    sms = client(args)
    print(json.dumps({"instances": instances(sms, args[4])}))


def rotate(args):
    """Changes the configuration; then asks every instance port (comma-separated PORTS) directly
    until each serves NEW_THUMBPRINT: how long after the change succeeded the last one did."""
    sms = client(args)
    service, cscfg, ports, new = args[4], args[5], [int(p) for p in args[6].split(",")], args[7]
    started = time.time()
    wait(sms, sms.change_deployment_configuration(service, "agents", b64(cscfg)))
    succeeded = time.time()
    waiting = set(ports)
    while waiting and time.time() < succeeded + 30:
        for port in sorted(waiting):
            try:
                if tls_get(port, request=False)[0] == new:
                    waiting.discard(port)
            except OSError:
                pass
    print(json.dumps({"changeSeconds": succeeded - started, "succeeded": succeeded,
                      "allNewAfterSeconds": time.time() - succeeded if not waiting else None, "notNew": sorted(waiting)}))


def watch(args):
    """Reads Get Deployment every 0.2 s for SECONDS: when instances were first reported
    UnresponsiveRole (and how many distinct instances were), and when all were ReadyRole again after that."""
    sms = client(args)
    service, seconds = args[4], float(args[5])
    first_unresponsive, seen, ready_again = None, set(), None
    end = time.time() + seconds
    while time.time() < end and ready_again is None:
        now = time.time()
        listed = instances(sms, service)
        statuses = [i["status"] for i in listed]
        unresponsive = statuses.count("UnresponsiveRole")
        seen.update(i["name"] for i in listed if i["status"] == "UnresponsiveRole")
        if unresponsive and first_unresponsive is None:
            first_unresponsive = now
        if first_unresponsive is not None and all(s == "ReadyRole" for s in statuses):
            ready_again = now
        time.sleep(0.2)
    print(json.dumps({"unresponsiveAt": first_unresponsive, "mostUnresponsive": len(seen), "readyAgainAt": ready_again}))


def load(args):
    """Fresh TLS connections, one request each, round-robin over the ports in PORTS_FILE (read
    again as it changes), until STOP_FILE exists; every failure and every thumbprint seen, timed."""
    ports_file, stop_file, threads = args[0], args[1], int(args[2])
    results = []
    lock = threading.Lock()

    def ports():
        try:
            return json.load(open(ports_file))
        except (OSError, ValueError):
            return []

    def worker(offset):
        n = offset
        while not os.path.exists(stop_file):
            current = ports()
            if not current:
                time.sleep(0.05)
                continue
            port = current[n % len(current)]
            n += 1
            start = time.time()
            try:
                thumbprint, answer = tls_get(port)
                ok = answer.startswith("HTTP/1.1 200")
                with lock:
                    results.append((start, port, thumbprint if ok else None, None if ok else answer[:60]))
            except Exception as error:  # noqa: BLE001 - every failure is reported
                with lock:
                    results.append((start, port, None, repr(error)))

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    failures = [{"at": r[0], "port": r[1], "error": r[3]} for r in results if r[2] is None]
    seen = {}
    for start, _, thumbprint, _ in results:
        if thumbprint:
            entry = seen.setdefault(thumbprint, [start, start])
            entry[0] = min(entry[0], start)
            entry[1] = max(entry[1], start)
    print(json.dumps({"connections": len(results), "failureCount": len(failures), "failures": failures[:20], "seen": seen}))


if __name__ == "__main__":
    {"setup": setup, "status": status, "rotate": rotate, "watch": watch, "load": load}[sys.argv[1]](sys.argv[2:])
