"""List Subscription Operations through the real client: after a few operations (one refused)
and 105 more, pages through the list with its continuation token and applies the filters.

Usage: subscription_operations_client.py PUBLISH_SETTINGS CA_PEM HOST:PORT WORK_DIR
Prints one JSON document with what the client saw.
"""
import collections
import datetime
import hashlib
import json
import sys

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from thumbprint_client import connect, new_management_certificate

publish_settings, ca_pem, host, work = sys.argv[1:5]
sms, subscription_id = connect(publish_settings, ca_pem, host, work, "operations-client.pem")
client_thumbprint = hashlib.sha1(x509.load_pem_x509_certificate(open(f"{work}/operations-client.pem", "rb").read())
                                 .public_bytes(serialization.Encoding.DER)).hexdigest().upper()

public_key, thumbprint, data = new_management_certificate("operations-test")
now = datetime.datetime.now(datetime.timezone.utc)
start = (now - datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
created = sms.create_hosted_service("operations-web", "ops", location="West US")
sms.add_management_certificate(public_key, thumbprint, data)
try:
    sms.add_management_certificate(public_key, thumbprint, data)
except Exception:
    pass  # 409: the refusal is an operation too
sms.delete_management_certificate(thumbprint)
for _ in range(105):
    sms.add_management_certificate(public_key, thumbprint, data)
    sms.delete_management_certificate(thumbprint)
end = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

seen, pages, token = [], 0, None
while True:
    page = sms.list_subscription_operations(start, end, continuation_token=token)
    pages += 1
    seen += list(page.subscription_operations)
    token = page.continuation_token
    if not token or pages > 10:
        break

first = next(o for o in seen if o.operation_name == "CreateCloudService")
administrative = next(o for o in seen if o.operation_name == "CreateSubscription")
failed = sms.list_subscription_operations(start, end, operation_result_filter="Failed").subscription_operations
service = sms.list_subscription_operations(
    start, end, object_id_filter=f"/{subscription_id}/services/hostedservices/operations-web").subscription_operations
try:
    sms.list_subscription_operations("yesterday", end)
    bad_time = "accepted"
except Exception as error:
    bad_time = getattr(error, "status_code", str(error))

print(json.dumps({
    "count": len(seen), "pages": pages, "unique": len(set(o.operation_id for o in seen)) == len(seen),
    "names": collections.Counter(o.operation_name for o in seen),
    "first": {"id": first.operation_id, "objectId": first.operation_object_id, "name": first.operation_name,
              "api": first.operation_caller.used_service_management_api, "thumbprint": first.operation_caller.subscription_certificate_thumbprint,
              "user": first.operation_caller.user_email_address, "status": first.operation_status.status,
              "statusId": first.operation_status.status_id, "code": first.operation_status.http_status_code,
              "started": first.operation_started_time, "completed": first.operation_completed_time},
    "administrative": [administrative.operation_caller.used_service_management_api, administrative.operation_status.status],
    "createRequestId": created.request_id, "clientThumbprint": client_thumbprint,
    "failed": [(o.operation_name, o.operation_status.http_status_code) for o in failed],
    "serviceOperations": [o.operation_name for o in service], "badTime": bad_time,
}))
