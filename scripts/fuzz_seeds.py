"""Writes the seed corpora of the fuzz targets into Fuzz/Corpus/<target>/ from public files only:
the test fixtures (the Python client suite's Windows PFX and management certificate, the 20
real-world .csdef/.cscfg pairs), the real publish-settings files and the recorded API bodies in
../shared/testdata, and small variants made from them (truncated, flipped, hand-written edge
cases). No key is generated here: the keys in the corpus are those public test keys.

Run with the test venv (it needs `cryptography`): .venv/bin/python scripts/fuzz_seeds.py
"""
import base64, hashlib, io, json, os, re, sys, zipfile
from pathlib import Path
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

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
windows_pfx = base64.b64decode(fixture["pfx"])
management_cer = base64.b64decode(json.loads((root / "Tests/Fixtures/management_certificate.json").read_text())["data"])
settings_files = sorted((testdata / "realworld/publishsettings").glob("*.publishsettings"))
settings_pfx = []
for path in settings_files:
    for match in re.finditer(rb'ManagementCertificate="([^"]+)"', path.read_bytes()):
        settings_pfx.append((path.stem, base64.b64decode(match.group(1))))

# PKCS#12: the Windows PFX (password "Python") and the publish settings' (empty password).
variants("PKCS12", "windows-3des-rc2.pfx", windows_pfx)
for stem, pfx in settings_pfx:
    variants("PKCS12", f"{stem}.pfx", pfx)

# DER certificates, and PEM bundles of certificate and key, from the same files.
bundles = [("windows", pkcs12.load_key_and_certificates(windows_pfx, b"Python"))]
def opened(pfx):
    for password in (None, b""):
        try:
            return pkcs12.load_key_and_certificates(pfx, password)
        except ValueError:
            pass
    return None
bundles += [(stem, bundle) for stem, bundle in ((stem, opened(pfx)) for stem, pfx in settings_pfx) if bundle and bundle[0] and bundle[1]]
variants("DER", "management.cer", management_cer)
for stem, (key, certificate, extra) in bundles:
    der = certificate.public_bytes(serialization.Encoding.DER)
    variants("DER", f"{stem}.cer", der)
    pem_certificate = certificate.public_bytes(serialization.Encoding.PEM)
    pkcs8 = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    traditional = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    openssh = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH, serialization.NoEncryption())
    variants("PEM", f"{stem}-cert-key.pem", pem_certificate + pkcs8)
    put("PEM", f"{stem}-cert.pem", pem_certificate)
    put("PEM", f"{stem}-rsa-key.pem", pem_certificate + traditional)
    variants("PrivateKey", f"{stem}-pkcs8.pem", pkcs8)
    variants("PrivateKey", f"{stem}-pkcs1.pem", traditional)
    variants("PrivateKey", f"{stem}-openssh", openssh)
put("PEM", "two-certificates.pem", b"".join(c.public_bytes(serialization.Encoding.PEM) for _, (_, c, _) in bundles[:2]))
put("PEM", "not-pem.pem", b"-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n")

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
    variants("PublishSettings", path.name, path.read_bytes())

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
print("seed corpora written to", corpus)
