"""Drives the real azure-servicemanagement-legacy client against a running Thumbprint server.

Usage: management_client.py PUBLISH_SETTINGS CA_PEM HOST:PORT WORK_DIR
Prints one JSON document with what the client saw; exits non-zero on any failure.
"""
import json
import sys

from thumbprint_client import connect, new_management_certificate

publish_settings, ca_pem, host, work = sys.argv[1:5]

sms, subscription_id = connect(publish_settings, ca_pem, host, work, "client.pem")

subscription = sms.get_subscription()

# A new management certificate to add, list, get and delete.
public_key, thumbprint, data = new_management_certificate("python-client-test")

sms.add_management_certificate(public_key, thumbprint, data)
listed = [c.subscription_certificate_thumbprint for c in sms.list_management_certificates()]
got = sms.get_management_certificate(thumbprint)
sms.delete_management_certificate(thumbprint)
try:
    sms.get_management_certificate(thumbprint)
    after_delete = "still there"
except Exception as error:  # AzureHttpError / AzureMissingResourceHttpError
    after_delete = getattr(error, "status_code", str(error))

print(json.dumps({
    "subscriptionId": subscription_id,
    "subscription": {
        "id": subscription.subscription_id,
        "name": subscription.subscription_name,
        "status": subscription.subscription_status,
        "serviceAdmin": subscription.service_admin_live_email_id,
        "maxCoreCount": subscription.max_core_count,
        "aadTenantId": subscription.aad_tenant_id,
    },
    "added": thumbprint,
    "listed": listed,
    "got": {
        "publicKey": got.subscription_certificate_public_key,
        "thumbprint": got.subscription_certificate_thumbprint,
        "data": got.subscription_certificate_data,
        "created": got.created,
    },
    "sent": {"publicKey": public_key, "data": data},
    "afterDelete": after_delete,
}))
