"""Drives the real client's cloud-service calls against a running Thumbprint server.

Usage: cloud_service_client.py PUBLISH_SETTINGS CA_PEM HOST:PORT WORK_DIR SERVICE_NAME
Prints one JSON document with what the client saw; exits non-zero on any failure.
"""
import json
import sys

from thumbprint_client import connect

publish_settings, ca_pem, host, work, name = sys.argv[1:6]
sms, subscription_id = connect(publish_settings, ca_pem, host, work, "cloud-client.pem")

def wait(result):
    return sms.wait_for_operation_status(result.request_id, timeout=10, sleep_interval=0.1, progress_callback=None, success_callback=None, failure_callback=None).status

locations = [(l.name, l.display_name, list(l.available_services), list(l.compute_capabilities.web_worker_role_sizes)[:2])
             for l in sms.list_locations()]
try:
    sms.create_hosted_service(name + "-nowhere", "Nowhere", location="Atlantis")
    unknown_location = "accepted"
except Exception as error:
    unknown_location = [getattr(error, "status_code", None), str(error)]
before = sms.check_hosted_service_name_availability(name).result
created = wait(sms.create_hosted_service(name, "My label", "A description", "West US", extended_properties={"ext1": "val1", "ext2": 42}))
after = sms.check_hosted_service_name_availability(name).result
listed = [s.service_name for s in sms.list_hosted_services()]
props = sms.get_hosted_service_properties(name)
detailed = sms.get_hosted_service_properties(name, embed_detail=True)
sms.update_hosted_service(name, "New label", "New description", extended_properties={"ext1": "changed", "ext3": "new"})
updated = sms.get_hosted_service_properties(name)
deleted = wait(sms.delete_hosted_service(name))
try:
    sms.get_hosted_service_properties(name)
    after_delete = "still there"
except Exception as error:
    after_delete = getattr(error, "status_code", str(error))

print(json.dumps({
    "availableBefore": before, "created": created, "availableAfter": after, "listed": listed,
    "label": props.hosted_service_properties.label, "description": props.hosted_service_properties.description,
    "location": props.hosted_service_properties.location, "status": props.hosted_service_properties.status,
    "extended": props.hosted_service_properties.extended_properties, "deployments": props.deployments is None,
    "embeddedDeployments": None if detailed.deployments is None else len(detailed.deployments),
    "updatedLabel": updated.hosted_service_properties.label, "updatedExtended": updated.hosted_service_properties.extended_properties,
    "deleted": deleted, "afterDelete": after_delete, "locations": locations, "unknownLocation": unknown_location,
}))
