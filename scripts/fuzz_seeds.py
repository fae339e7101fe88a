"""Seed corpora for the fuzz targets.

    scripts/fuzz_seeds.py             the committed seeds, Fuzz/Corpus/<target>/: no private key in them
    scripts/fuzz_seeds.py --keys DIR  seeds with keys made now, DIR/<target>/ (scripts/fuzz.sh, not committed)

The committed seeds come from public files: the test fixtures' certificates (never their keys),
the 20 real-world .csdef/.cscfg pairs, the real publish-settings files (their ManagementCertificate
replaced by a certificate-only PKCS#12) and the recorded API bodies in ../shared/testdata, with
small variants (truncated, flipped, hand-written edge cases). Keys are made at run time only.

Run with the test venv (it needs `cryptography`): .venv/bin/python scripts/fuzz_seeds.py
"""
import base64, hashlib, io, json, os, re, sys, zipfile
from pathlib import Path
import datetime
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

root = Path(__file__).resolve().parent.parent
testdata = root.parent / "shared" / "testdata"
corpus = root / "Fuzz" / "Corpus"


def put(target, name, data):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (folder / name).write_bytes(data)


def variants(target, name, data):
    """The input, its first half, and one with a byte flipped in the middle."""
    put(target, name, data)
    if len(data) > 8:
        put(target, name + ".half", data[: len(data) // 2])
        flipped = bytearray(data)
        flipped[len(data) // 2] ^= 0x40
        put(target, name + ".flip", bytes(flipped))


fixture = json.loads((root / "Tests/Fixtures/service_certificate.json").read_text())
windows_certificate = pkcs12.load_key_and_certificates(base64.b64decode(fixture["pfx"]), b"Python")[1]
management_cer = base64.b64decode(json.loads((root / "Tests/Fixtures/management_certificate.json").read_text())["data"])
management_certificate = x509.load_der_x509_certificate(management_cer)
settings_files = sorted((testdata / "realworld/publishsettings").glob("*.publishsettings"))


def certificate_only_pfx(certificate, encryption):
    return pkcs12.serialize_key_and_certificates(b"seed", None, None, [certificate], encryption)


def without_keys(data):
    """A publish-settings file with each ManagementCertificate (a PFX with a key) replaced by a certificate-only one."""
    replacement = base64.b64encode(certificate_only_pfx(management_certificate, serialization.NoEncryption()))
    return re.sub(rb'ManagementCertificate="[^"]*"', b'ManagementCertificate="' + replacement + b'"', data)


def key_seeds(folder):
    """PFX, PEM and key files with keys made now: RSA 2048 and ECDSA P-256, each self-signed."""
    global corpus
    corpus = Path(folder)
    now = datetime.datetime.now(datetime.timezone.utc)
    for kind, key in [("rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048)), ("ec", ec.generate_private_key(ec.SECP256R1()))]:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{kind}.fuzz.example")])
        certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
        legacy = (serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(2048)
            .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1()).build(b"Python"))
        for label, encryption in [("none", serialization.NoEncryption()), ("aes", serialization.BestAvailableEncryption(b"Python")), ("3des", legacy)]:
            variants("PKCS12", f"{kind}-{label}.pfx", pkcs12.serialize_key_and_certificates(b"seed", key, certificate, None, encryption))
        pem_certificate = certificate.public_bytes(serialization.Encoding.PEM)
        pkcs8 = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        traditional = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
        openssh = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
        variants("PEM", f"{kind}-cert-key.pem", pem_certificate + pkcs8)
        put("PEM", f"{kind}-cert-traditional.pem", pem_certificate + traditional)
        for label, data in [("pkcs8", pkcs8), ("traditional", traditional), ("openssh", openssh)]:
            variants("PrivateKey", f"{kind}-{label}", data)
    print("seeds with keys made now written to", corpus)


if len(sys.argv) == 3 and sys.argv[1] == "--keys":
    key_seeds(sys.argv[2])
    sys.exit(0)

# PKCS#12, certificates only: none, AES and 3DES protection.
legacy = (serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(2048)
    .key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1()).build(b"Python"))
for stem, certificate in [("management", management_certificate), ("windows", windows_certificate)]:
    for label, encryption in [("none", serialization.NoEncryption()), ("aes", serialization.BestAvailableEncryption(b"Python")), ("3des", legacy)]:
        variants("PKCS12", f"{stem}-{label}-certificate-only", certificate_only_pfx(certificate, encryption))

# DER and PEM certificates.
for stem, certificate in [("management", management_certificate), ("windows", windows_certificate)]:
    variants("DER", f"{stem}.cer", certificate.public_bytes(serialization.Encoding.DER))
    variants("PEM", f"{stem}-cert.pem", certificate.public_bytes(serialization.Encoding.PEM))
put("PEM", "two-certificates.pem", b"".join(c.public_bytes(serialization.Encoding.PEM) for c in [management_certificate, windows_certificate]))
put("PEM", "not-pem.pem", b"-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n")

# Key-file seeds without a key (keys are made at run time): a certificate, a public key, a
# cut-off armour; the dictionary holds the armours a key file uses.
public_key = management_certificate.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
for name, data in {
    "certificate-only": management_certificate.public_bytes(serialization.Encoding.PEM),
    "public-key-only": public_key,
    "cut-off-armour": b"-----BEGIN ",
}.items():
    put("PrivateKey", name, data)

# Thumbprints as people paste them.
thumb = hashlib.sha1(management_cer).hexdigest().upper()
for index, text in enumerate([
    thumb, thumb.lower(), " ".join(thumb[i:i + 2] for i in range(0, 40, 2)), ":".join(thumb[i:i + 2] for i in range(0, 40, 2)),
    "\u200e" + thumb, thumb[:39], thumb + "0", "sha1-" + thumb, "G" * 40, "",
]):
    put("Thumbprint", f"thumbprint-{index}", text)

# XML: the real files, the recorded API bodies, and hostile documents.
pairs = sorted(p for p in (root / "Tests/Fixtures/realworld").iterdir() if p.is_dir())
for pair in pairs:
    definition = (pair / "ServiceDefinition.csdef").read_bytes()
    configuration = (pair / "ServiceConfiguration.cscfg").read_bytes()
    put("XML", f"{pair.name}.csdef", definition)
    put("XML", f"{pair.name}.cscfg", configuration)
    variants("ServiceModel", pair.name, definition + b"\0" + configuration)
for recording in sorted((testdata / "recordings").glob("*.yaml")):
    for index, body in enumerate(re.findall(r"(<\?xml.*?)(?:'\n|\"\n|\n\s+\w+:)", recording.read_text(), re.S)):
        put("XML", f"{recording.stem[-40:]}-{index}.xml", body.replace("''", "'"))
for name, text in {
    "billion-laughs.xml": '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bb"><!ENTITY c "&b;&b;">]><a>&c;</a>',
    "external-entity.xml": '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    "deep.xml": "<a>" * 100 + "</a>" * 100,
    "cdata-comment.xml": "<a><!-- c --><![CDATA[<b>]]>&amp;&#x41;</a>",
    "namespaces.xml": '<x:a xmlns:x="urn:x" x:b="1"><x:c/></x:a>',
}.items():
    put("XML", name, text)
put("XML", "utf16.xml", '<?xml version="1.0" encoding="UTF-16"?><a>é</a>'.encode("utf-16"))

# Publish settings: the real files and the schema 2.0 Thumbprint writes.
for path in settings_files:
    variants("PublishSettings", path.name, without_keys(path.read_bytes()))

# Service packages: ZIP files with a definition, role files, and a path that climbs out.
definition = (pairs[0] / "ServiceDefinition.csdef").read_bytes()
def package(name, entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, data in entries:
            archive.writestr(entry, data)
    variants("ServicePackage", name, buffer.getvalue())
package("minimal.cspkg", [("ServiceDefinition.csdef", definition)])
package("with-role-files.cspkg", [("ServiceDefinition.csdef", definition), ("WebRole/index.html", b"<p>hi</p>"), ("WebRole/bin/app.dll", b"MZ")])
package("climbs-out.cspkg", [("ServiceDefinition.csdef", definition), ("../evil.txt", b"x")])
package("no-definition.cspkg", [("readme.txt", b"no definition here")])

# API bodies: one byte naming the operation (OperationBody's order), then its XML body.
azure = 'xmlns="http://schemas.microsoft.com/windowsazure"'
label = base64.b64encode(b"fuzz").decode()
# The subjectPublicKey bits, as the Python client sends them: PKCS#1 for RSA, the point for ECDSA.
subject_public_key = (
    management_certificate.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    if isinstance(management_certificate.public_key(), rsa.RSAPublicKey)
    else management_certificate.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
configuration_b64 = base64.b64encode((pairs[0] / "ServiceConfiguration.cscfg").read_bytes()).decode()
operations = [
    ("CreateHostedService", f"<ServiceName>fuzz-two</ServiceName><Label>{label}</Label><Description>d</Description><Location>West US</Location>"
     "<ExtendedProperties><ExtendedProperty><Name>owner</Name><Value>ops</Value></ExtendedProperty></ExtendedProperties>"),
    ("UpdateHostedService", f"<Label>{label}</Label><Description>renewed</Description>"),
    ("Swap", "<Production>blue</Production><SourceDeployment>green</SourceDeployment>"),
    ("CertificateFile", f"<Data>{base64.b64encode(certificate_only_pfx(management_certificate, serialization.NoEncryption())).decode()}</Data>"
     "<CertificateFormat>pfx</CertificateFormat><Password></Password>"),
    ("SubscriptionCertificate", f"<SubscriptionCertificatePublicKey>{base64.b64encode(subject_public_key).decode()}</SubscriptionCertificatePublicKey>"
     f"<SubscriptionCertificateThumbprint>{thumb}</SubscriptionCertificateThumbprint>"
     f"<SubscriptionCertificateData>{base64.b64encode(management_cer).decode()}</SubscriptionCertificateData>"),
    ("CreateDeployment", f"<Name>blue</Name><PackageUrl>https://localhost/app.cspkg</PackageUrl><Label>{label}</Label>"
     f"<Configuration>{configuration_b64}</Configuration><StartDeployment>true</StartDeployment>"),
    ("ChangeConfiguration", f"<Configuration>{configuration_b64}</Configuration><Mode>Auto</Mode>"),
    ("UpgradeDeployment", f"<Mode>Manual</Mode><PackageUrl>http://127.0.0.1:8080/app.cspkg</PackageUrl><Configuration>{configuration_b64}</Configuration>"
     f"<Label>{label}</Label><Force>false</Force>"),
    ("WalkUpgradeDomain", "<UpgradeDomain>1</UpgradeDomain>"),
    ("RollbackUpdateOrUpgrade", "<Mode>Auto</Mode><Force>true</Force>"),
    ("UpdateDeploymentStatus", "<Status>Suspended</Status>"),
    ("RoleInstances", "<Name>WebRole_IN_0</Name><Name>WebRole_IN_1</Name>"),
    ("RenewalPolicy", "<DaysBefore>30</DaysBefore><ValidDays>365</ValidDays>"),
]
for index, (root_name, inner) in enumerate(operations):
    body = f'<?xml version="1.0" encoding="utf-8"?><{root_name} {azure}>{inner}</{root_name}>'
    variants("APIBodies", f"{index:02}-{root_name}.xml", bytes([index]) + body.encode())

# Requests: a byte for the method (GET HEAD POST PUT DELETE PATCH OPTIONS; +0x80: no
# certificate presented), the path, a newline, x-ms-version (empty: none), a newline, the body.
subscription = "0f22f022-0000-4000-8000-00000000f022"
base = f"/{subscription}/services/hostedservices"
methods = {"GET": 0, "HEAD": 1, "POST": 2, "PUT": 3, "DELETE": 4, "PATCH": 5, "OPTIONS": 6}
requests = [
    ("GET", f"/{subscription}", "2014-10-01", ""),
    ("GET", f"/{subscription}/certificates", "2014-10-01", ""),
    ("GET", f"/{subscription}/certificates/{thumb}", "2014-10-01", ""),
    ("POST", f"/{subscription}/certificates", "2014-10-01", "SubscriptionCertificate"),
    ("DELETE", f"/{subscription}/certificates/{thumb}", "2014-10-01", ""),
    ("GET", f"/{subscription}/operations?StartTime=2026-01-01T00:00:00Z&EndTime=2026-12-31T00:00:00Z", "2014-10-01", ""),
    ("GET", f"/{subscription}/operations/0a1b2c3d", "2014-10-01", ""),
    ("GET", f"/{subscription}/locations", "2014-10-01", ""),
    ("GET", base, "2014-10-01", ""),
    ("POST", base, "2014-10-01", "CreateHostedService"),
    ("GET", f"{base}/fuzz-service?embed-detail=true", "2014-10-01", ""),
    ("HEAD", f"{base}/fuzz-service", "2014-10-01", ""),
    ("PUT", f"{base}/fuzz-service", "2014-10-01", "UpdateHostedService"),
    ("POST", f"{base}/fuzz-service", "2014-10-01", "Swap"),
    ("DELETE", f"{base}/fuzz-service", "2014-10-01", ""),
    ("GET", f"{base}/operations/isavailable/fuzz-service", "2014-10-01", ""),
    ("GET", f"{base}/fuzz-service/certificates", "2014-10-01", ""),
    ("POST", f"{base}/fuzz-service/certificates", "2014-10-01", "CertificateFile"),
    ("GET", f"{base}/fuzz-service/certificates/sha1-{thumb}", "2014-10-01", ""),
    ("GET", f"{base}/fuzz-service/deploymentslots/production", "2014-10-01", ""),
    ("POST", f"{base}/fuzz-service/deploymentslots/staging", "2014-10-01", "CreateDeployment"),
    ("POST", f"{base}/fuzz-service/deployments/blue?comp=config", "2014-10-01", "ChangeConfiguration"),
    ("POST", f"{base}/fuzz-service/deployments/blue?comp=upgrade", "2014-10-01", "UpgradeDeployment"),
    ("POST", f"{base}/fuzz-service/deployments/blue?comp=walkupgradedomain", "2014-10-01", "WalkUpgradeDomain"),
    ("POST", f"{base}/fuzz-service/deployments/blue?comp=status", "2014-10-01", "UpdateDeploymentStatus"),
    ("POST", f"{base}/fuzz-service/deployments/blue/roleinstances?comp=delete", "2014-10-01", "RoleInstances"),
    ("POST", f"{base}/fuzz-service/deploymentslots/production/roleinstances/WebRole_IN_0?comp=reboot", "2014-10-01", ""),
    ("DELETE", f"{base}/fuzz-service/deploymentslots/production?comp=media", "2014-10-01", ""),
    ("GET", f"{base}/fuzz-service/renewalpolicy", "2014-10-01", ""),
    ("PUT", f"{base}/fuzz-service/renewalpolicy", "2014-10-01", "RenewalPolicy"),
    ("GET", f"/{subscription}", "", ""),
    ("GET", f"/{subscription}", "1999-01-01", ""),
    ("GET", "/", "2014-10-01", ""),
    ("OPTIONS", f"/{subscription}/../etc/passwd", "2014-10-01", ""),
    ("PATCH", f"{base}/%2e%2e/fuzz-service", "2014-10-01", ""),
]
bodies = {root_name: f'<?xml version="1.0" encoding="utf-8"?><{root_name} {azure}>{inner}</{root_name}>' for root_name, inner in operations}
for index, (method, path, version, body_name) in enumerate(requests):
    data = bytes([methods[method]]) + f"{path}\n{version}\n{bodies.get(body_name, '')}".encode()
    put("Router", f"{index:02}-{method.lower()}", data)
    if index < 4:
        put("Router", f"{index:02}-{method.lower()}-no-certificate", bytes([methods[method] | 0x80]) + data[1:])
print("seed corpora written to", corpus)
