"""Reboot and Reimage Role Instance through the real client, under load through the
deployment's load balancer.

Usage: role_instance_client.py PUBLISH_SETTINGS CA_PEM HOST:PORT WORK_DIR PACKAGE_URL PFX PFX_PASSWORD CSCFG DATA_DIR
Prints one JSON document.
"""
import base64
import glob
import json
import os
import sys
import threading
import time

from thumbprint_client import connect, tls_get

publish_settings, ca_pem, host, work, package_url, pfx, password, cscfg, data_dir = sys.argv[1:10]
sms, subscription_id = connect(publish_settings, ca_pem, host, work, "instances-client.pem")
service = "instances1"


def b64(path):
    return base64.b64encode(open(path, "rb").read()).decode()


def wait(result):
    sms.wait_for_operation_status(result.request_id, timeout=60, sleep_interval=0.05, progress_callback=None,
                                  success_callback=None, failure_callback=None)
    return sms.get_operation_status(result.request_id).status


def instances():
    deployment = sms.get_deployment_by_name(service, "dep1")
    return {i.instance_name: (i.instance_status, int(i.instance_endpoints[0].local_port)) for i in deployment.role_instance_list}


def store(instance):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(data_dir, "deployments", "*", "instances", instance,
                                                                      "stores", "LocalMachine", "My", "*")))


wait(sms.create_hosted_service(service, "instances", location="West US"))
wait(sms.add_service_certificate(service, b64(pfx), "pfx", password))
wait(sms.create_deployment(service, "production", "dep1", package_url, "instances", b64(cscfg), start_deployment=True))
deployment = sms.get_deployment_by_name(service, "dep1")
public_port = int(deployment.role_instance_list[0].instance_endpoints[0].public_port)
report = {"before": instances()}
my = os.path.dirname(glob.glob(os.path.join(data_dir, "deployments", "*", "instances", "WebRole_IN_0", "stores", "LocalMachine", "My", "*"))[0])
open(os.path.join(my, "left-by-hand.txt"), "w").write("not declared")
report["storeBefore"] = store("WebRole_IN_0")

outcomes, stop = [], threading.Event()


def load():
    while not stop.is_set():
        try:
            tls_get(public_port)
            outcomes.append(True)
        except Exception:
            outcomes.append(False)


worker = threading.Thread(target=load)
worker.start()
time.sleep(0.5)
report["reboot"] = wait(sms.reboot_role_instance(service, "dep1", "WebRole_IN_1"))
report["afterReboot"] = instances()
report["reimage"] = wait(sms.reimage_role_instance(service, "dep1", "WebRole_IN_0"))
time.sleep(0.5)
stop.set()
worker.join()
report["afterReimage"] = instances()
report["storeAfter"] = store("WebRole_IN_0")
report["servedDirect"] = sorted({tls_get(port)[0] for _, port in instances().values()})
report["connections"] = len(outcomes)
report["failures"] = outcomes.count(False)
# Delete Role Instances: IN_0 goes for good; scaling up again never reuses its name.
report["delete"] = wait(sms.delete_role_instances(service, "dep1", ["WebRole_IN_0"]))
report["afterDelete"] = sorted(instances())
report["countAfterDelete"] = 'count="1"' in sms.get_deployment_by_name(service, "dep1").configuration
report["scaleUp"] = wait(sms.change_deployment_configuration(service, "dep1", b64(cscfg)))
report["afterScaleUp"] = sorted(instances())
try:
    sms.delete_role_instances(service, "dep1", ["WebRole_IN_1", "WebRole_IN_2"])
    report["deleteAll"] = "accepted"
except Exception as error:
    report["deleteAll"] = [getattr(error, "status_code", None), str(error)]
report["afterDeleteAll"] = sorted(instances())
try:
    sms.reboot_role_instance(service, "dep1", "WebRole_IN_9")
    report["unknown"] = "accepted"
except Exception as error:
    report["unknown"] = [getattr(error, "status_code", None), str(error)]
print(json.dumps(report))
