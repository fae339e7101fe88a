"""Drives the real client's deployment calls against a running Thumbprint server, and checks what
the deployment's endpoint serves over real TLS (no SNI, as old clients connect).

Usage: deployment_client.py PUBLISH_SETTINGS CA_PEM HOST:PORT WORK_DIR SERVICE PACKAGE_URL
       PFX_OLD PFX_NEW PFX_PASSWORD CSCFG_OLD CSCFG_NEW CSCFG_THREE CSCFG_UNKNOWN
Prints one JSON document with what the client saw; exits non-zero on any unexpected failure.
"""
import base64
import json
import sys
import time

from thumbprint_client import connect, tls_get

(publish_settings, ca_pem, host, work, service, package_url, pfx_old, pfx_new, password,
 cscfg_old, cscfg_new, cscfg_three, cscfg_unknown) = sys.argv[1:14]
sms, subscription_id = connect(publish_settings, ca_pem, host, work, "deployment-client.pem")


def b64(path):
    return base64.b64encode(open(path, "rb").read()).decode()


def wait(result, allow_failure=False):
    try:
        sms.wait_for_operation_status(result.request_id, timeout=60, sleep_interval=0.1,
                                      progress_callback=None, success_callback=None, failure_callback=None)
    except Exception:
        if not allow_failure:
            raise
    operation = sms.get_operation_status(result.request_id)
    return operation.status, (operation.error.message if operation.status == "Failed" and operation.error is not None else None)


def served_thumbprint(port, path="/"):
    """The SHA-1 thumbprint of the certificate the endpoint presents, and the page it answers."""
    return tls_get(port, path)


def deployment_state():
    deployment = sms.get_deployment_by_name(service, "dep1")
    return deployment, [(i.instance_name, i.instance_status) for i in deployment.role_instance_list]


def wait_ready(count):
    deadline = time.time() + 30
    while time.time() < deadline:
        deployment, instances = deployment_state()
        if len(instances) == count and all(status == "ReadyRole" for _, status in instances):
            return deployment
        time.sleep(0.1)
    raise SystemExit(f"instances not ready: {instances}")


report = {}
wait(sms.create_hosted_service(service, "deployments", location="West US"))
report["uploadOld"] = wait(sms.add_service_certificate(service, b64(pfx_old), "pfx", password))
report["uploadNew"] = wait(sms.add_service_certificate(service, b64(pfx_new), "pfx", password))

report["create"] = wait(sms.create_deployment(service, "production", "dep1", package_url, "first label", b64(cscfg_old),
                                              start_deployment=True, extended_properties={"dep1": "one", "dep2": "two"}))
deployment = wait_ready(2)
report["slot"] = deployment.deployment_slot
report["label"] = deployment.label
report["status"] = deployment.status
report["configurationEcho"] = deployment.configuration == open(cscfg_old).read()
report["extended"] = deployment.extended_properties
report["roles"] = [r.role_name for r in deployment.role_list]
first = deployment.role_instance_list[0]
report["instances"] = [(i.role_name, i.instance_name, i.instance_size, i.power_state) for i in deployment.role_instance_list]
endpoint = first.instance_endpoints[0]
report["endpoint"] = {"name": endpoint.name, "vip": endpoint.vip, "publicPort": int(endpoint.public_port),
                      "localPort": int(endpoint.local_port), "protocol": endpoint.protocol}
report["localPorts"] = sorted(int(i.instance_endpoints[0].local_port) for i in deployment.role_instance_list)
public_port = int(endpoint.public_port)
report["servedBefore"], page = served_thumbprint(public_port)
report["pageNamesRole"] = "WebRole" in page
report["bySlot"] = sms.get_deployment_by_slot(service, "production").name
_, static_page = served_thumbprint(public_port, "/hello.txt")
report["staticFile"] = static_page.split("\r\n\r\n", 1)[-1]
_, missing_page = served_thumbprint(public_port, "/../../etc/passwd")
report["traversal"] = missing_page.split("\r\n", 1)[0]

# A create that fails validation leaves no deployment behind.
report["refusedCreate"] = wait(sms.create_deployment(service, "staging", "dep2", package_url, "refused", b64(cscfg_unknown),
                                                     start_deployment=True), allow_failure=True)
try:
    sms.get_deployment_by_slot(service, "staging")
    report["stagingAfterRefusal"] = "present"
except Exception as error:
    report["stagingAfterRefusal"] = getattr(error, "status_code", str(error))

report["delete_in_use"] = None
try:
    sms.delete_service_certificate(service, "sha1", report["servedBefore"])
except Exception as error:
    report["delete_in_use"] = str(error)

report["changeNew"] = wait(sms.change_deployment_configuration(service, "dep1", b64(cscfg_new)))
report["servedAfter"], _ = served_thumbprint(public_port)
report["changeThree"] = wait(sms.change_deployment_configuration(service, "dep1", b64(cscfg_three)))
deployment = wait_ready(3)
report["instancesAfterScale"] = len(deployment.role_instance_list)
report["changeUnknown"] = wait(sms.change_deployment_configuration(service, "dep1", b64(cscfg_unknown)), allow_failure=True)
deployment, _ = deployment_state()
report["configurationKept"] = deployment.configuration == open(cscfg_three).read()
report["servedAfterRefusal"], _ = served_thumbprint(public_port)

detail = sms.get_hosted_service_properties(service, embed_detail=True)
report["embedded"] = [d.name for d in detail.deployments]
# The whole deployment, as Get Deployment gives it: instances with their endpoints.
embedded = detail.deployments[0]
direct, _ = deployment_state()
report["embeddedInstances"] = [(i.instance_name, i.instance_status, [(e.name, e.public_port, e.local_port) for e in i.instance_endpoints])
                               for i in embedded.role_instance_list]
report["directInstances"] = [(i.instance_name, i.instance_status, [(e.name, e.public_port, e.local_port) for e in i.instance_endpoints])
                             for i in direct.role_instance_list]
report["embeddedConfiguration"] = embedded.configuration == direct.configuration

report["suspend"] = wait(sms.update_deployment_status(service, "dep1", "Suspended"))
deployment, instances = deployment_state()
report["suspendedStatus"] = deployment.status
report["suspendedInstances"] = sorted(set(status for _, status in instances))
report["resume"] = wait(sms.update_deployment_status(service, "dep1", "Running"))
resumed = wait_ready(3)
report["addressStable"] = int(resumed.role_instance_list[0].instance_endpoints[0].public_port) == public_port

# A PackageUrl on another host is refused at once.
try:
    sms.create_deployment(service, "staging", "dep3", "http://storagename.blob.core.windows.net/c/app.cspkg", "x", b64(cscfg_new))
    report["foreignPackage"] = "accepted"
except Exception as error:
    report["foreignPackage"] = f"{getattr(error, 'status_code', '')} {error}"

# Swap: a staging deployment, its package served over http on loopback, takes over the production address.
import functools
import http.server
import os
import threading
package_folder, package_name = os.path.split(package_url[len("file://"):])
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=package_folder)
handler.log_message = lambda *args: None
web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
threading.Thread(target=web.serve_forever, daemon=True).start()
loopback_url = f"http://127.0.0.1:{web.server_address[1]}/{package_name}"
report["createStaging"] = wait(sms.create_deployment(service, "staging", "dep3", loopback_url, "staging", b64(cscfg_new),
                                                     start_deployment=False))
web.shutdown()
staging = sms.get_deployment_by_slot(service, "staging")
report["stagingCreatedSuspended"] = (staging.status, [i.instance_status for i in staging.role_instance_list])
report["startStaging"] = wait(sms.update_deployment_status(service, "dep3", "Running"))
report["swap"] = wait(sms.swap_deployment(service, "dep1", "dep3"))
swapped = sms.get_deployment_by_slot(service, "production")
report["productionAfterSwap"] = (swapped.name, swapped.deployment_slot)
report["stagingAfterSwap"] = sms.get_deployment_by_slot(service, "staging").name
_, page = served_thumbprint(public_port)
report["productionAddressServesSwapped"] = f"Deployment: {staging.private_id}" in page
report["deleteStaging"] = wait(sms.delete_deployment(service, "dep3"))

report["delete"] = wait(sms.delete_deployment(service, "dep1"))
try:
    sms.get_deployment_by_name(service, "dep1")
    report["afterDelete"] = "still there"
except Exception as error:
    report["afterDelete"] = getattr(error, "status_code", str(error))
print(json.dumps(report))
