"""Upgrade Deployment through the real client while fresh HTTPS connections keep arriving
through the deployment's public endpoint: Auto (domain by domain) to a new package, then
Simultaneous back. Counts every failed connection and what each answered.

Usage: upgrade_client.py PUBLISH_SETTINGS CA_PEM HOST:PORT WORK_DIR PFX PFX_PASSWORD THUMBPRINT DATA_DIR
Prints one JSON document.
"""
import base64
import json
import os
import sys
import threading
import time
import zipfile

from thumbprint_client import connect, tls_get

publish_settings, ca_pem, host, work, pfx, password, thumbprint, data_dir = sys.argv[1:9]
sms, subscription_id = connect(publish_settings, ca_pem, host, work, "upgrade-client.pem")
service = "upgrade1"
definition = """<?xml version="1.0" encoding="utf-8"?>
<ServiceDefinition name="upgrade1" upgradeDomainCount="2" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition">
  <WebRole name="WebRole" vmsize="Small">
    <Endpoints><InputEndpoint name="HttpsIn" protocol="https" port="443" certificate="SSL" /></Endpoints>
    <Certificates><Certificate name="SSL" storeLocation="LocalMachine" storeName="My" /></Certificates>
  </WebRole>
</ServiceDefinition>"""
configuration = f"""<?xml version="1.0" encoding="utf-8"?>
<ServiceConfiguration serviceName="upgrade1" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
  <Role name="WebRole"><Instances count="4" />
    <Certificates><Certificate name="SSL" thumbprint="{thumbprint}" thumbprintAlgorithm="sha1" /></Certificates></Role>
</ServiceConfiguration>"""
packages = {}
for version in ("v1", "v2"):
    path = os.path.join(data_dir, "packages", f"upgrade-{version}.cspkg")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("ServiceDefinition.csdef", definition)
        z.writestr("WebRole/version.txt", version)
    packages[version] = "file://" + path
b64 = lambda text: base64.b64encode(text.encode()).decode()


def wait(result):
    sms.wait_for_operation_status(result.request_id, timeout=120, sleep_interval=0.05, progress_callback=None,
                                  success_callback=None, failure_callback=None)
    return sms.get_operation_status(result.request_id).status


def wait_raising(result):
    """Waits; raises with the operation's error when it failed."""
    status = wait(result)
    if status != "Succeeded":
        error = sms.get_operation_status(result.request_id).error
        raise RuntimeError(f"{status}: {error.code if error else ''} {error.message if error else ''}")
    return status


def served_versions():
    deployment = sms.get_deployment_by_name(service, "dep1")
    return sorted(tls_get(int(i.instance_endpoints[0].local_port), "/version.txt")[1].split("\r\n\r\n", 1)[-1]
                  for i in deployment.role_instance_list)


wait(sms.create_hosted_service(service, "upgrade", location="West US"))
wait(sms.add_service_certificate(service, base64.b64encode(open(pfx, "rb").read()).decode(), "pfx", password))
wait(sms.create_deployment(service, "production", "dep1", packages["v1"], b64("v1"), b64(configuration), start_deployment=True))
deployment = sms.get_deployment_by_name(service, "dep1")
public_port = int(deployment.role_instance_list[0].instance_endpoints[0].public_port)
report = {"domainCount": int(deployment.upgrade_domain_count),
          "domains": [i.instance_upgrade_domain for i in deployment.role_instance_list],
          "idleStatus": deployment.upgrade_status is None, "before": served_versions()}

answers, lock, stop = [], threading.Lock(), threading.Event()
phase = ["before"]


def load():
    while not stop.is_set():
        try:
            _, answer = tls_get(public_port, "/version.txt")
            outcome = answer.split("\r\n\r\n", 1)[-1] if answer.startswith("HTTP/1.1 200") else "status " + answer[:20]
        except Exception as error:
            outcome = "failed " + repr(error)
        with lock:
            answers.append(outcome if outcome in ("v1", "v2") else phase[0] + ": " + outcome)


workers = [threading.Thread(target=load) for _ in range(4)]
for worker in workers:
    worker.start()
time.sleep(0.5)
phase[0] = "auto"
result = sms.upgrade_deployment(service, "dep1", "Auto", packages["v2"], b64(configuration), "v2", False)
seen_status = set()
while sms.get_operation_status(result.request_id).status == "InProgress":
    status = sms.get_deployment_by_name(service, "dep1").upgrade_status
    if status is not None:
        seen_status.add((status.upgrade_type, status.current_upgrade_domain_state, status.current_upgrade_domain))
    time.sleep(0.02)
report["auto"] = sms.get_operation_status(result.request_id).status
report["afterAuto"] = served_versions()
time.sleep(0.5)
phase[0] = "simultaneous"
report["simultaneous"] = wait(sms.upgrade_deployment(service, "dep1", "Simultaneous", packages["v1"], b64(configuration), "v1", False))
report["afterSimultaneous"] = served_versions()
time.sleep(0.5)
phase[0] = "after"
stop.set()
for worker in workers:
    worker.join()
after = sms.get_deployment_by_name(service, "dep1")
report.update({
    "connections": len(answers), "failures": [a for a in answers if a not in ("v1", "v2")][:10],
    "failureCount": sum(1 for a in answers if a not in ("v1", "v2")), "versionsSeen": sorted(set(answers) & {"v1", "v2"}),
    "upgradeStatusSeen": sorted(list(s) for s in seen_status), "idleAfter": after.upgrade_status is None,
    "label": after.label,
})


def upgrade_status():
    status = sms.get_deployment_by_name(service, "dep1").upgrade_status
    return None if status is None else [status.upgrade_type, status.current_upgrade_domain_state, status.current_upgrade_domain]


def refused(call):
    try:
        call()
        return "accepted"
    except Exception as error:
        return [getattr(error, "status_code", None), str(error)]


# Manual: nothing moves until a domain is walked; domains in order; a rollback returns them.
report["manual"] = wait(sms.upgrade_deployment(service, "dep1", "Manual", packages["v2"], b64(configuration), "v2", False))
report["manualWaiting"] = [upgrade_status(), served_versions()]
report["walk0"] = wait(sms.walk_upgrade_domain(service, "dep1", 0))
report["afterWalk0"] = [upgrade_status(), served_versions()]
report["walkAgain"] = refused(lambda: wait_raising(sms.walk_upgrade_domain(service, "dep1", 0)))
report["walkOutOfRange"] = refused(lambda: wait_raising(sms.walk_upgrade_domain(service, "dep1", 7)))
report["roleToUpgrade"] = refused(lambda: sms.upgrade_deployment(service, "dep1", "Auto", packages["v2"], b64(configuration), "v2", False,
                                                                 role_to_upgrade="WebRole"))
report["configDuring"] = refused(lambda: wait_raising(sms.change_deployment_configuration(service, "dep1", b64(configuration))))
report["rollback"] = wait(sms.rollback_update_or_upgrade(service, "dep1", "Auto", False))
report["afterRollback"] = [upgrade_status(), served_versions()]
report["rollbackNone"] = refused(lambda: wait_raising(sms.rollback_update_or_upgrade(service, "dep1", "Auto", False)))
wait(sms.upgrade_deployment(service, "dep1", "Manual", packages["v2"], b64(configuration), "v2", False))
report["walkBoth"] = [wait(sms.walk_upgrade_domain(service, "dep1", 0)), wait(sms.walk_upgrade_domain(service, "dep1", 1))]
report["afterManual"] = [upgrade_status(), served_versions(), sms.get_deployment_by_name(service, "dep1").label]
print(json.dumps(report))
