"""The portal in a real browser: Debian's Chromium driven by Playwright, against a running
Thumbprint server on loopback. Walks the seed's story (invitation, password, sign-in, uploads,
renewing a running deployment's certificate) and the refusals (wrong password, lockout, CSRF,
roles, another subscription, sign-out, markup in names). The real Python client creates the
deployment through the API. Every step is recorded; nothing here decides pass or fail.

Usage: portal_browser.py CONFIG_JSON   (written by PortalBrowserTests; see there)
Prints one JSON document.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import sys
import time

import datetime

import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from playwright.sync_api import sync_playwright

from thumbprint_client import connect, tls_get

config = json.load(open(sys.argv[1]))
base = config["baseURL"]
work = config["work"]
report = {"dialogs": []}
PASSWORD = "correct horse battery staple"


def b64(path):
    return base64.b64encode(open(path, "rb").read()).decode()


def new_page(browser):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    # An alert() from injected markup would open a dialog: record it (and dismiss it).
    page.on("dialog", lambda dialog: (report["dialogs"].append(dialog.message), dialog.dismiss()))
    return context, page


def choose_password(page, link):
    page.goto(link)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    return page.url


def sign_in(page, email, password=PASSWORD):
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    alert = page.locator("[role=alert]")
    return alert.inner_text() if alert.count() else None


def totp(key, at):
    """The 6-digit TOTP code (RFC 6238: SHA-1, 30 s) of a base32 key at a time."""
    secret = base64.b32decode(key + "=" * (-len(key) % 8))
    mac = hmac.new(secret, int(at // 30).to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 15
    return "%06d" % ((int.from_bytes(mac[offset:offset + 4], "big") & 0x7FFFFFFF) % 1000000)


def markup_certificate(path, name):
    """A self-signed certificate whose subject common name is `name` (markup), as a .cer file."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=20))
            .sign(key, hashes.SHA256()))
    open(path, "wb").write(cert.public_bytes(serialization.Encoding.DER))


def csrf_of(page):
    return page.locator("input[name=csrf]").first.get_attribute("value")


def shot(page, name):
    if config.get("screenshots"):
        page.screenshot(path=os.path.join(config["screenshots"], name + ".png"), full_page=True)


sms, subscription = connect(config["publishSettings"], config["caPEM"], config["host"], work, "portal-client.pem")
service = config["service"]
sub_path = f"{base}/subscriptions/{subscription}"
service_path = f"{sub_path}/services/{service}"

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=config["chromium"], args=["--no-sandbox"])

    # The administrator: invitation, password, a wrong password, sign-in.
    admin_context, page = new_page(browser)
    report["afterInvitation"] = choose_password(page, config["adminInvitation"])
    report["invitationAgain"] = page.goto(config["adminInvitation"]).status
    report["wrongPassword"] = sign_in(page, "admin@localhost", "not the password at all")
    report["signInAlert"] = sign_in(page, "admin@localhost")
    report["home"] = page.locator("main").inner_text()
    headers = page.goto(base + "/profile").headers
    report["headers"] = {name: headers.get(name) for name in
                         ("content-security-policy", "x-frame-options", "referrer-policy", "cache-control")}
    shot(page, "subscriptions")

    # Cloud services: a bad name is refused and what was typed stays; one created and deleted
    # (after a confirmation), one to deploy to.
    page.goto(sub_path)
    page.get_by_label("Name", exact=True).fill("-bad-name")
    page.get_by_label("Label").fill("Kept label")
    page.get_by_role("button", name="Create cloud service").click()
    report["badServiceName"] = [page.locator("[role=alert]").inner_text(), page.get_by_label("Name", exact=True).input_value(),
                                page.get_by_label("Label").input_value()]
    for name in ("portal-temp", service):
        page.goto(sub_path)
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_role("button", name="Create cloud service").click()
    page.goto(f"{sub_path}/services/portal-temp")
    page.get_by_role("button", name="Delete cloud service").click()
    report["deleteServiceQuestion"] = page.locator("main").inner_text()
    page.get_by_role("button", name="Delete").click()
    report["servicesAfterDelete"] = [s.service_name for s in sms.list_hosted_services()]

    # Users and roles: an unknown user is refused with the email kept; the administrator gives a
    # user a role, changes it, and takes it away.
    page.goto(sub_path)
    page.get_by_label("Email").fill("nobody@contoso.com")
    page.get_by_role("button", name="Add user").click()
    report["unknownUser"] = [page.locator("[role=alert]").inner_text(), page.get_by_label("Email").input_value()]
    page.get_by_label("Email").fill("other@contoso.com")
    page.get_by_label("Role").last.select_option("reader")
    page.get_by_role("button", name="Add user").click()
    def member_row():
        return page.get_by_role("table", name="Users and their roles").locator("tr", has_text="other@contoso.com")
    member_row().get_by_label("Role").select_option("deployer")
    member_row().get_by_role("button", name="Change role").click()
    report["otherRole"] = member_row().locator("td").nth(1).inner_text()
    member_row().get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Remove").click()
    report["otherRemoved"] = member_row().count()

    # Webhooks: a refused URL is kept with the reason; an empty secret is made and shown once;
    # removal asks first.
    page.goto(sub_path)
    page.get_by_label("Webhook URL").fill("ftp://127.0.0.1/hook")
    page.get_by_role("button", name="Add webhook").click()
    report["badWebhook"] = [page.locator("[role=alert]").inner_text(), page.get_by_label("Webhook URL").input_value()]
    page.get_by_label("Webhook URL").fill("http://127.0.0.1:9/portal-hook")
    page.get_by_role("button", name="Add webhook").click()
    report["webhookAdded"] = page.locator("[role=status]").inner_text()
    page.goto(sub_path)
    report["webhookListed"] = page.get_by_role("table", name="Webhooks").inner_text()
    report["webhookSecretAgain"] = report["webhookAdded"].split("shown this once: ")[-1] in page.locator("main").inner_text()
    page.get_by_role("table", name="Webhooks").get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Remove").click()
    report["webhooksAfterRemove"] = page.get_by_role("table", name="Webhooks").locator("tbody tr").count()

    # A management certificate (.cer) on the subscription page.
    page.goto(sub_path)
    page.get_by_label("Certificate file").set_input_files(config["managementCer"])
    page.get_by_role("button", name="Upload").click()
    report["subscriptionPage"] = page.locator("main").inner_text()
    shot(page, "subscription")

    # Service certificates: a wrong password keeps the page and says why; then both .pfx files.
    page.goto(service_path)
    page.get_by_label("Certificate file").set_input_files(config["oldPFX"])
    page.get_by_label("Certificate password").fill("not the pfx password")
    page.get_by_role("button", name="Upload").click()
    report["wrongPFXPassword"] = page.locator("[role=alert]").inner_text()
    page.get_by_label("Certificate file").set_input_files(config["oldConfiguration"])
    page.get_by_role("button", name="Upload").click()
    report["notACertificate"] = page.locator("[role=alert]").inner_text()
    too_large = admin_context.request.post(f"{service_path}/certificates", multipart={
        "csrf": csrf_of(page),
        "certificate": {"name": "big.pfx", "mimeType": "application/x-pkcs12", "buffer": b"0" * (5 << 20)}})
    report["tooLarge"] = [too_large.status, re.sub(r"\s+", " ", too_large.text())]
    page.get_by_label("Certificate file").set_input_files(config["managementCer"])
    page.get_by_role("button", name="Upload").click()
    for pfx in (config["oldPFX"], config["newPFX"]):
        page.get_by_label("Certificate file").set_input_files(pfx)
        page.get_by_label("Certificate password").fill(config["pfxPassword"])
        page.get_by_role("button", name="Upload").click()
    markup_cer = os.path.join(work, "markup.cer")
    markup_certificate(markup_cer, config["markupName"])
    page.get_by_label("Certificate file").set_input_files(markup_cer)
    page.get_by_role("button", name="Upload").click()
    report["servicePage"] = page.locator("main").inner_text()
    report["serviceImages"] = page.locator("main img").count()
    shot(page, "service")

    # The deployment, through the API, serving the old certificate.
    result = sms.create_deployment(service, "production", "portal1", config["packageURL"], "portal", b64(config["oldConfiguration"]),
                                   start_deployment=True)
    sms.wait_for_operation_status(result.request_id, timeout=120, sleep_interval=0.05, progress_callback=None,
                                  success_callback=None, failure_callback=None)
    deployment = sms.get_deployment_by_name(service, "portal1")
    public_port = int(deployment.role_instance_list[0].instance_endpoints[0].public_port)
    report["servedBefore"] = tls_get(public_port)[0]

    # Deleting a certificate in use is refused, naming the deployment.
    page.goto(service_path)
    page.locator("tr", has_text=config["oldThumbprint"]).get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Delete").click()
    report["deleteInUse"] = page.locator("[role=alert]").inner_text()

    # Renew: pick the certificate in use and its replacement, see the change, confirm, watch it finish.
    page.goto(f"{service_path}/deployments/production")
    report["deploymentPageBefore"] = page.locator("main").inner_text()
    shot(page, "deployment")
    page.get_by_label("Certificate in use").select_option(config["oldThumbprint"])
    page.get_by_label("Thumbprint").select_option(config["newThumbprint"])
    page.get_by_role("button", name="Review the change").click()
    report["renewPreview"] = page.locator("main").inner_text()
    shot(page, "renew")
    page.get_by_role("button", name="Renew").click()
    deadline = time.time() + 60
    while time.time() < deadline and "Renewal: Succeeded" not in page.locator("main").inner_text():
        time.sleep(0.5)
        page.reload()
    report["deploymentPageAfter"] = page.locator("main").inner_text()
    report["servedAfter"] = tls_get(public_port)[0]

    # Markup in a name is text everywhere; a reflected filter value too.
    page.goto(base + "/")
    report["markupSubscriptionShown"] = page.get_by_text(config["markupName"]).count()
    page.goto(f"{sub_path}?user=" + requests.utils.quote(config["markupName"]))
    report["markupFilterValue"] = page.get_by_label("User").input_value()
    report["images"] = page.locator("main img").count()
    page.goto(f"{base}/subscriptions/{config['markupSubscription']}")
    report["images"] += page.locator("main img").count()
    report["markupTitle"] = page.locator("h1").inner_text()
    report["expiring"] = page.goto(base + "/expiring") and page.locator("main").inner_text()
    report["images"] += page.locator("main img").count()
    shot(page, "expiring")

    # CSRF: the admin's own cookie without a token, and with another session's token: 403, nothing changed.
    cer_thumbprint = config["managementThumbprint"]
    delete_url = f"{sub_path}/management-certificates/delete"
    report["csrfMissing"] = admin_context.request.post(delete_url, form={"thumbprint": cer_thumbprint}).status
    other_context, other = new_page(browser)
    sign_in(other, "admin@localhost")
    other.goto(base + "/profile")
    other_token = csrf_of(other)
    report["csrfOtherSession"] = admin_context.request.post(delete_url, form={"thumbprint": cer_thumbprint, "csrf": other_token}).status
    # Another site's form, even with the right token, and a sign-in posted from another site.
    page.goto(sub_path)
    report["foreignOrigin"] = [
        admin_context.request.post(delete_url, form={"thumbprint": cer_thumbprint, "csrf": csrf_of(page)},
                                   headers={"Origin": "https://attacker.example"}).status,
        other_context.request.post(base + "/sign-in", form={"email": "admin@localhost", "password": PASSWORD},
                                   headers={"Origin": "https://attacker.example"}, max_redirects=0).status,
        other_context.request.post(base + "/sign-in", form={"email": "admin@localhost", "password": PASSWORD},
                                   headers={"Origin": "null", "Sec-Fetch-Site": "cross-site"}, max_redirects=0).status]
    page.goto(sub_path)
    report["managementStillListed"] = cer_thumbprint in page.locator("main").inner_text()

    # "Sign out everywhere" ends the other browser's session too.
    page.goto(base + "/profile")
    report["profile"] = page.locator("main").inner_text()
    page.get_by_role("button", name="Sign out everywhere").click()
    other.goto(sub_path)
    report["otherAfterEverywhere"] = other.url
    other_context.close()

    # Sign-out ends the session on the server: the old cookie no longer opens a page.
    sign_in(page, "admin@localhost")
    cookies = admin_context.cookies()
    report["sessionCookie"] = [c for c in cookies if c["name"] == "thumbprint_session"]
    page.get_by_role("button", name="Sign out").click()
    replay_context, replay = new_page(browser)
    replay_context.add_cookies(cookies)
    replay.goto(sub_path)
    report["afterSignOutURL"] = replay.url
    replay_context.close()
    admin_context.close()

    # Roles: a reader sees no upload or delete button, and the POST is refused anyway.
    reader_context, reader = new_page(browser)
    choose_password(reader, config["readerInvitation"])
    sign_in(reader, "reader@contoso.com")
    reader.goto(sub_path)
    report["readerButtons"] = [reader.get_by_role("button", name="Upload").count(), reader.get_by_role("button", name="Delete").count()]
    token = csrf_of(reader)
    refused = reader_context.request.post(delete_url, form={"thumbprint": cer_thumbprint, "csrf": token})
    report["readerDelete"] = [refused.status, re.sub(r"\s+", " ", refused.text())]
    report["readerOtherSubscription"] = reader.goto(f"{base}/subscriptions/{config['otherSubscription']}").status
    reader_context.close()

    # A deployer cannot touch certificates: no upload form, the POST refused.
    deployer_context, deployer = new_page(browser)
    choose_password(deployer, config["deployerInvitation"])
    sign_in(deployer, "deployer@contoso.com")
    deployer.goto(service_path)
    report["deployerUpload"] = deployer.get_by_label("Certificate file").count()
    response = deployer_context.request.post(f"{service_path}/certificates", multipart={
        "csrf": csrf_of(deployer),
        "certificate": {"name": "new.pfx", "mimeType": "application/x-pkcs12", "buffer": open(config["newPFX"], "rb").read()},
        "password": config["pfxPassword"]})
    report["deployerUploadPost"] = response.status
    deployer_context.close()

    # A certificate manager uploads a .cer in the portal; the management certificate acts as
    # certificate manager on the API and cannot create a deployment.
    manager_context, manager = new_page(browser)
    choose_password(manager, config["managerInvitation"])
    sign_in(manager, "manager@contoso.com")
    manager.goto(sub_path)
    manager.get_by_label("Certificate file").set_input_files(config["managerCer"])
    manager.get_by_role("button", name="Upload").click()

    # Two-step sign-in: turned on with a QR code and a first code; recovery codes shown once.
    manager.goto(base + "/profile")
    manager.get_by_role("button", name="Turn on two-step sign-in").click()
    report["qrImages"] = manager.get_by_role("img", name="QR code of the key for your authenticator app").count()
    shot(manager, "second-factor")
    key = manager.locator("#key").inner_text()
    first = totp(key, time.time())
    manager.get_by_label("Code").fill(first)
    manager.get_by_role("button", name="Turn on").click()
    recovery = [item.inner_text() for item in manager.locator("#recovery-codes li").all()]
    report["recoveryCodes"] = len(recovery)
    manager.get_by_role("button", name="Sign out").click()
    sign_in(manager, "manager@contoso.com")
    report["afterPassword"] = manager.url
    manager.goto(sub_path)
    report["pendingOpensPage"] = manager.url
    manager.get_by_label("Code").fill(first)
    manager.get_by_role("button", name="Verify").click()
    report["reusedCode"] = manager.locator("[role=alert]").inner_text()
    manager.get_by_label("Code").fill(recovery[0])
    manager.get_by_role("button", name="Verify").click()
    report["afterRecoveryCode"] = manager.url
    manager.get_by_role("button", name="Sign out").click()
    sign_in(manager, "manager@contoso.com")
    manager.get_by_label("Code").fill(recovery[0])
    manager.get_by_role("button", name="Verify").click()
    report["reusedRecoveryCode"] = manager.locator("[role=alert]").inner_text()
    manager.get_by_label("Code").fill(totp(key, time.time() + 30))
    manager.get_by_role("button", name="Verify").click()
    report["afterNextCode"] = manager.url
    manager_context.close()
    api = requests.post(
        f"https://{config['host']}/{subscription}/services/hostedservices/{service}/deploymentslots/staging",
        headers={"x-ms-version": "2014-10-01", "Content-Type": "application/xml"}, data="<CreateDeployment/>",
        cert=(config["managerCertPEM"], config["managerKeyPEM"]), verify=config["caPEM"])
    report["managerCreateDeployment"] = [api.status_code, api.text]

    # Lockout: after 5 failures, even the right password waits; an unknown address reads alike.
    lock_context, lock = new_page(browser)
    for _ in range(5):
        sign_in(lock, "deployer@contoso.com", "wrong password, again")
    report["lockedRight"] = sign_in(lock, "deployer@contoso.com")
    for _ in range(5):
        sign_in(lock, "nobody@contoso.com", "wrong password, again")
    report["lockedUnknown"] = sign_in(lock, "nobody@contoso.com", "wrong password, again")
    lock_context.close()
    browser.close()

print(json.dumps(report))
