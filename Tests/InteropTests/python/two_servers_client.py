"""The real azure-servicemanagement-legacy client against two Thumbprint servers on one database.

Usage: two_servers_client.py PUBLISH_SETTINGS CA_PEM HOST_A HOST_B WORK revocation COUNT
       two_servers_client.py PUBLISH_SETTINGS CA_PEM HOST_A HOST_B WORK limit COUNT

revocation: COUNT times, a new management certificate is added through A and used on a kept-alive
connection to B; it is deleted through A, and the same connection to B is asked again until it is
refused. Prints the milliseconds from the deletion's answer to B's first refusal.
limit: COUNT new certificates are added at once, half through A and half through B, 16 at a time.
Prints the status of every answer and how many certificates the subscription holds after.
"""
import concurrent.futures
import http.client
import json
import os
import ssl
import sys
import threading
import time

from thumbprint_client import connect, new_management_certificate

publish_settings, ca_pem, host_a, host_b, work, mode, count = sys.argv[1:8]
count = int(count)
client_a, subscription_id = connect(publish_settings, ca_pem, host_a, work, "admin.pem")


def kept_alive(host, pem):
    """A connection to host presenting the certificate in pem, trusting the server's CA."""
    context = ssl.create_default_context(cafile=ca_pem)
    context.load_cert_chain(pem)
    name, port = host.rsplit(":", 1)
    return http.client.HTTPSConnection(name, int(port), context=context, timeout=10)


def status(connection):
    connection.request("GET", f"/{subscription_id}", headers={"x-ms-version": "2014-10-01"})
    response = connection.getresponse()
    response.read()
    return response.status


if mode == "revocation":
    delays = []
    reused = True
    for index in range(count):
        pem = os.path.join(work, f"revoked{index}.pem")
        public_key, thumbprint, data = new_management_certificate(f"revoked{index}", key_pem_path=pem)
        client_a.add_management_certificate(public_key, thumbprint, data)
        connection = kept_alive(host_b, pem)
        assert status(connection) == 200, "the new certificate works on B"
        socket_before = connection.sock
        client_a.delete_management_certificate(thumbprint)
        deleted = time.monotonic()
        while status(connection) == 200:
            if time.monotonic() - deleted > 5:
                break
        delays.append(round((time.monotonic() - deleted) * 1000, 2))
        reused = reused and connection.sock is socket_before
        connection.close()
    delays.sort()
    print(json.dumps({"delaysMs": delays, "p99Ms": delays[min(len(delays) - 1, int(len(delays) * 0.99))], "sameConnection": reused}))
elif mode == "limit":
    local = threading.local()
    certificates = [new_management_certificate(f"bulk{index}") for index in range(count)]

    def add(index):
        host = host_a if index % 2 == 0 else host_b
        if not hasattr(local, "clients"):
            local.clients = {}
        if host not in local.clients:
            local.clients[host], _ = connect(publish_settings, ca_pem, host, work, f"admin-{threading.get_ident()}.pem")
        try:
            local.clients[host].add_management_certificate(*certificates[index])
            return 201
        except Exception as error:
            return getattr(error, "status_code", 0)

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        statuses = list(pool.map(add, range(count)))
    held = len(list(client_a.list_management_certificates()))
    print(json.dumps({"statuses": statuses, "held": held}))
