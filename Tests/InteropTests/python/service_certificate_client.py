"""Drives the real client's service-certificate calls against a running Thumbprint server.

Usage: service_certificate_client.py PUBLISH_SETTINGS CA_PEM HOST:PORT WORK_DIR SERVICE PFX PFX_PASSWORD CER WINDOWS_PFX
Prints one JSON document with what the client saw; exits non-zero on any unexpected failure.
"""
import base64
import json
import sys

from thumbprint_client import connect

publish_settings, ca_pem, host, work, service, pfx, password, cer, windows_pfx = sys.argv[1:10]
sms, subscription_id = connect(publish_settings, ca_pem, host, work, "service-cert-client.pem")

def b64(path):
    return base64.b64encode(open(path, "rb").read()).decode()

def upload(data, fmt, secret):
    result = sms.add_service_certificate(service, data, fmt, secret)
    try:
        sms.wait_for_operation_status(result.request_id, timeout=20, sleep_interval=0.1, progress_callback=None, success_callback=None, failure_callback=None)
    except Exception:
        pass  # a Failed operation; its status and message are read below
    operation = sms.get_operation_status(result.request_id)
    return operation.status, (operation.error.message if operation.error is not None and operation.status == "Failed" else None)

sms.wait_for_operation_status(sms.create_hosted_service(service, "certs", location="West US").request_id, timeout=10, sleep_interval=0.1, progress_callback=None, success_callback=None, failure_callback=None)
outcomes = {
    "pfx": upload(b64(pfx), "pfx", password),
    "cer": upload(b64(cer), "cer", ""),
    "windows": upload(b64(windows_pfx), "pfx", "Python"),
    "wrongPassword": upload(b64(pfx), "pfx", "not the password"),
}
listed = [{"url": c.certificate_url, "thumbprint": c.thumbprint, "algorithm": c.thumbprint_algorithm, "data": c.data}
          for c in sms.list_service_certificates(service)]
first = listed[0]["thumbprint"]
got = sms.get_service_certificate(service, "sha1", first)
deleted = sms.wait_for_operation_status(sms.delete_service_certificate(service, "sha1", first).request_id, timeout=10, sleep_interval=0.1, progress_callback=None, success_callback=None, failure_callback=None).status
try:
    sms.get_service_certificate(service, "sha1", first)
    after_delete = "still there"
except Exception as error:
    after_delete = getattr(error, "status_code", str(error))

print(json.dumps({
    "outcomes": outcomes, "listed": listed,
    "got": {"data": got.data, "url": got.certificate_url, "thumbprint": got.thumbprint, "algorithm": got.thumbprint_algorithm},
    "deleted": deleted, "afterDelete": after_delete,
}))
