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


def tls_get(port, path="/", request=True):
    """One fresh TLS connection to 127.0.0.1:port without SNI (as old clients connect), one
    request (unless request=False: the handshake only); returns the SHA-1 thumbprint of the
    certificate presented, upper case, and the whole answer as text."""
    import hashlib
    import socket
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with context.wrap_socket(raw) as tls:  # no server_hostname: no SNI
            thumbprint = hashlib.sha1(tls.getpeercert(binary_form=True)).hexdigest().upper()
            if not request:
                return thumbprint, ""
            tls.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            answer = b""
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                answer += chunk
    return thumbprint, answer.decode(errors="replace")


def new_management_certificate(common_name, key_pem_path=None):
    """A new RSA-2048 self-signed certificate, valid 30 days, in the form Add Management
    Certificate takes: (public key base64 PKCS#1, thumbprint, data base64 DER). With
    key_pem_path, the certificate and its key are also written there (0600) for a client to present."""
    import base64
    import datetime
    import hashlib

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    der = certificate.public_bytes(serialization.Encoding.DER)
    if key_pem_path:
        with open(os.open(key_pem_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as pem:
            pem.write(certificate.public_bytes(serialization.Encoding.PEM))
            pem.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    public_key = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return base64.b64encode(public_key).decode(), hashlib.sha1(der).hexdigest().upper(), base64.b64encode(der).decode()
