"""Connects the real azure-servicemanagement-legacy client to a Thumbprint server, as a user would."""
import os

import requests
from azure.servicemanagement import ServiceManagementService
from azure.servicemanagement.publishsettings import get_certificate_from_publish_settings


def connect(publish_settings, ca_pem, host, work, pem_name):
    """Reads the publish settings into a PEM, trusts the server's CA, and returns (client, subscription id)."""
    pem_path = os.path.join(work, pem_name)
    subscription_id = get_certificate_from_publish_settings(publish_settings, pem_path)
    session = requests.Session()
    session.verify = ca_pem
    session.trust_env = False  # a REQUESTS_CA_BUNDLE in the environment would override verify
    client = ServiceManagementService(subscription_id, pem_path, host=host, request_session=session)
    session.cert = pem_path
    return client, subscription_id
