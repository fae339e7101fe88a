#!/usr/bin/env bash
# Benchmark: certificate rotation on a deployment of 20 role instances under continuous load.
# While threads open fresh TLS connections to the deployment's endpoint (through its loopback
# load balancer) without pause, Change Deployment Configuration switches only the thumbprint.
# Prints: the time from the change being accepted (202) until every instance, asked directly,
# serves the new certificate (target <= 1 s); failed connections (target 0); and the server's
# resident memory with 20 instances running (target <= 200 MiB). Then an Auto upgrade to a new
# package across the 5 upgrade domains under the same load: total time, failed connections
# (target 0) and the longest time a domain's instances were out of the load balancer.
# Baseline: the targets. All traffic stays on 127.0.0.1.
# Usage: scripts/bench-rotation.sh [INSTANCES] [LOAD_THREADS]   (default 20 and 8)
set -euo pipefail
cd "$(dirname "$0")/.."
instances="${1:-20}"
threads="${2:-8}"

swift build -c release --product thumbprint-server 2>&1 | grep -E "error|Build" >&2
swift build -c release --product thumbprint 2>&1 | grep -E "error|Build" >&2
bin="$(swift build -c release --show-bin-path)"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv && .venv/bin/pip install -q -r requirements-test.txt
fi

work="$(mktemp -d)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin/thumbprint-server" server --data-dir "$work/data" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do grep -q "Subscription id:" "$work/server.log" && break; sleep 0.1; done

export THUMBPRINT_HOME="$work/home" PFX_PASSWORD="bench-$RANDOM"
old="$(cd "$work" && "$bin/thumbprint" cert new --dns-name www.contoso.net --pfx old.pfx --password-env PFX_PASSWORD | tail -1)"
new="$(cd "$work" && "$bin/thumbprint" cert new --dns-name www.contoso.net --pfx new.pfx --password-env PFX_PASSWORD | tail -1)"

.venv/bin/python - "$work" "$port" "$server_pid" "$instances" "$threads" "$old" "$new" <<'PY'
import base64, os, sys, threading, time, zipfile
sys.path.insert(0, "Tests/InteropTests/python")
from thumbprint_client import connect, tls_get

work, port, pid, instances, threads, old, new = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
data = os.path.join(work, "data")
definition = """<?xml version="1.0" encoding="utf-8"?>
<ServiceDefinition name="bench" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition">
  <WebRole name="WebRole"><Endpoints><InputEndpoint name="HttpsIn" protocol="https" port="443" certificate="SSL" /></Endpoints>
  <Certificates><Certificate name="SSL" storeLocation="LocalMachine" storeName="My" /></Certificates></WebRole>
</ServiceDefinition>"""
def configuration(thumbprint):
    return base64.b64encode(f"""<?xml version="1.0" encoding="utf-8"?>
<ServiceConfiguration serviceName="bench" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
  <Role name="WebRole"><Instances count="{instances}" />
  <Certificates><Certificate name="SSL" thumbprint="{thumbprint}" thumbprintAlgorithm="sha1" /></Certificates></Role>
</ServiceConfiguration>""".encode()).decode()
package = os.path.join(data, "packages", "bench.cspkg")
with zipfile.ZipFile(package, "w") as z:
    z.writestr("ServiceDefinition.csdef", definition)

sms, _ = connect(os.path.join(data, "admin.publishsettings"), os.path.join(data, "tls", "ca.pem"), f"127.0.0.1:{port}", work, "bench.pem")
def wait(result):
    sms.wait_for_operation_status(result.request_id, timeout=300, sleep_interval=0.02, progress_callback=None, success_callback=None, failure_callback=None)
def b64(path):
    return base64.b64encode(open(path, "rb").read()).decode()
def rss_mib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
def served(port_number, request=False):
    thumbprint, answer = tls_get(port_number, request=request)
    if request and not answer.startswith("HTTP/1.1 200"):
        raise RuntimeError("not 200")
    return thumbprint

wait(sms.create_hosted_service("bench", "bench", location="West US"))
wait(sms.add_service_certificate("bench", b64(os.path.join(work, "old.pfx")), "pfx", os.environ["PFX_PASSWORD"]))
wait(sms.add_service_certificate("bench", b64(os.path.join(work, "new.pfx")), "pfx", os.environ["PFX_PASSWORD"]))
started = time.monotonic()
wait(sms.create_deployment("bench", "production", "bench", "file://" + package, "bench", configuration(old), start_deployment=True))
deploy_seconds = time.monotonic() - started
deployment = sms.get_deployment_by_name("bench", "bench")
public_port = int(deployment.role_instance_list[0].instance_endpoints[0].public_port)
local_ports = [int(i.instance_endpoints[0].local_port) for i in deployment.role_instance_list]
assert len(local_ports) == instances and all(i.instance_status == "ReadyRole" for i in deployment.role_instance_list)

outcomes = []; lock = threading.Lock(); stop = threading.Event()
def load():
    while not stop.is_set():
        try:
            served(public_port, request=True); ok = True
        except Exception:
            ok = False
        with lock:
            outcomes.append(ok)
workers = [threading.Thread(target=load) for _ in range(threads)]
for worker in workers: worker.start()
time.sleep(2)
rss_loaded = rss_mib()
accepted_at = time.monotonic()
result = sms.change_deployment_configuration("bench", "bench", configuration(new))
accepted = time.monotonic()
# Every instance is asked in parallel, again and again, until all present the new certificate.
from concurrent.futures import ThreadPoolExecutor
remaining = set(local_ports)
with ThreadPoolExecutor(max_workers=len(local_ports)) as pool:
    while remaining and time.monotonic() - accepted < 30:
        answers = dict(zip(remaining, pool.map(served, remaining)))
        remaining = {p for p, thumbprint in answers.items() if thumbprint != new}
switched = time.monotonic() - accepted
wait(result)
time.sleep(2)
stop.set()
for worker in workers: worker.join()
failures = outcomes.count(False)
print(f"deployment of {instances} instances created and ready in {deploy_seconds:.2f} s")
print(f"rotation under load ({threads} threads of fresh TLS connections, {len(outcomes)} connections)")
print(f"  change accepted -> every instance serves the new certificate: {switched * 1000:7.1f} ms   target <= 1000 ms   {'met' if switched <= 1 and not remaining else 'NOT met'}")
print(f"  failed connections: {failures}   target 0   {'met' if failures == 0 else 'NOT met'}")
print(f"  server resident memory with {instances} instances, under load: {rss_loaded:6.1f} MiB   target <= 200 MiB   {'met' if rss_loaded <= 200 else 'NOT met'}")

# An Auto upgrade to a new package across the upgrade domains, under the same load. A domain is
# out of the balancer while Get Deployment reports it During: polled every 10 ms.
with zipfile.ZipFile(os.path.join(data, "packages", "bench-v2.cspkg"), "w") as z:
    z.writestr("ServiceDefinition.csdef", definition)
    z.writestr("WebRole/version.txt", "v2")
outcomes.clear()
stop.clear()
workers = [threading.Thread(target=load) for _ in range(threads)]
for worker in workers: worker.start()
time.sleep(1)
domains = sms.get_deployment_by_name("bench", "bench").upgrade_domain_count
started = time.monotonic()
result = sms.upgrade_deployment("bench", "bench", "Auto", "file://" + os.path.join(data, "packages", "bench-v2.cspkg"), configuration(new),
                                base64.b64encode(b"v2").decode(), False)
out_of_service, current, since = {}, None, None
while sms.get_operation_status(result.request_id).status == "InProgress":
    status = sms.get_deployment_by_name("bench", "bench").upgrade_status
    domain = None if status is None else status.current_upgrade_domain
    if domain != current:
        if current is not None: out_of_service[current] = time.monotonic() - since
        current, since = domain, time.monotonic()
    time.sleep(0.01)
if current is not None: out_of_service[current] = time.monotonic() - since
upgrade_seconds = time.monotonic() - started
upgraded = sms.get_operation_status(result.request_id).status
time.sleep(1)
stop.set()
for worker in workers: worker.join()
failures = outcomes.count(False)
longest = max(out_of_service.values(), default=0)
print(f"Auto upgrade of {instances} instances across {domains} upgrade domains under load ({len(outcomes)} connections): {upgraded}")
print(f"  total time: {upgrade_seconds:6.2f} s")
print(f"  failed connections: {failures}   target 0   {'met' if failures == 0 else 'NOT met'}")
print(f"  longest time a domain's instances were out of the balancer: {longest * 1000:7.1f} ms ({len(out_of_service)} domains seen)")
PY
