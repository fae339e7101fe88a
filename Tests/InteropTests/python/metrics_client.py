"""Scrapes a Thumbprint server's /metrics with Prometheus' own parser before and after a few
actions through the real client (a cloud service, a service certificate, a request with an
unregistered certificate), and prints every sample that changed, with both values.

Usage: metrics_client.py PUBLISH_SETTINGS CA_PEM HOST:PORT WORK METRICS_URL PFX PFX_PASSWORD
                         PACKAGE_URL CSCFG CSCFG_ROTATED PFX_ROTATED
(the deployment and its rotation: a configuration change to the second certificate).
Prints one JSON document: {"before": {...}, "after": {...}} keyed 'name{label="value",...}'.
"""
import base64
import datetime
import json
import os
import sys
import urllib.request

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from prometheus_client.parser import text_string_to_metric_families

from thumbprint_client import connect

publish_settings, ca_pem, host, work, metrics_url, pfx, password, package_url, cscfg, cscfg_rotated, pfx_rotated = sys.argv[1:12]


def scrape():
    text = urllib.request.urlopen(metrics_url, timeout=10).read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}"] = sample.value
    return samples


def wait(sms, result):
    sms.wait_for_operation_status(result.request_id, timeout=60, sleep_interval=0.05,
                                  progress_callback=None, success_callback=None, failure_callback=None)


before = scrape()
sms, subscription = connect(publish_settings, ca_pem, host, work, "metrics-client.pem")
wait(sms, sms.create_hosted_service("metrics1", "metrics", location="West US"))
wait(sms, sms.add_service_certificate("metrics1", base64.b64encode(open(pfx, "rb").read()).decode(), "pfx", password))
sms.list_hosted_services()
wait(sms, sms.add_service_certificate("metrics1", base64.b64encode(open(pfx_rotated, "rb").read()).decode(), "pfx", password))
wait(sms, sms.create_deployment("metrics1", "production", "m1", package_url, "m1", base64.b64encode(open(cscfg, "rb").read()).decode(),
                                start_deployment=True))
deployed = scrape()
wait(sms, sms.change_deployment_configuration("metrics1", "m1", base64.b64encode(open(cscfg_rotated, "rb").read()).decode()))

# A certificate the subscription does not know: 403, counted as not_registered.
key = ec.generate_private_key(ec.SECP256R1())
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stranger")])
now = datetime.datetime.now(datetime.timezone.utc)
stranger = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
pem = os.path.join(work, "stranger.pem")
with open(pem, "wb") as f:
    f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    f.write(stranger.public_bytes(serialization.Encoding.PEM))
refused = requests.get(f"https://{host}/{subscription}/services/hostedservices", cert=pem, verify=ca_pem,
                       headers={"x-ms-version": "2014-06-01"})

print(json.dumps({"refusedStatus": refused.status_code, "before": before, "deployed": deployed, "after": scrape()}))
