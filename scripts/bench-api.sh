#!/usr/bin/env bash
# Benchmark: the management API against nginx on loopback, side by side in one run.
#  - authenticated GET /<subscription>/certificates per second on keep-alive connections;
#  - new mutual-TLS handshakes per second (Connection: close on every request);
#  - authentication cost with 10 and with ~100,000 registered management certificates across
#    1,000 subscriptions (p99 latency ratio).
# Baseline: nginx with the same server certificate and `ssl_verify_client optional_no_ca`,
# serving a static copy of the same XML. Load comes from thumbprint-api-load (Swift,
# AsyncHTTPClient, a client certificate). All traffic stays on 127.0.0.1.
# The servers (Thumbprint, and nginx with one worker) run pinned to one core and the load
# generator to another (taskset), so that the ratios measure the servers, not their contention
# with the load for two cores.
# Usage: scripts/bench-api.sh [SECONDS_PER_RUN] [ROUNDS]   (default 5 seconds, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
export BENCH_PFX_PASSWORD="bench-$RANDOM$RANDOM"
rounds="${2:-3}"

if ! command -v nginx >/dev/null; then
    echo "Installing nginx-light with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi

# A release build; the server's start-up does not count here, so it links dynamically.
swift build -c release --product thumbprint-server 2>&1 | grep -E "error|Build" >&2
swift build -c release --product thumbprint-api-load 2>&1 | grep -E "error|Build" >&2
bin="$(swift build -c release --show-bin-path)"

# Pinning: the server on the first core, the load generator on the last.
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
    server_cpu=0 load_cpu=$(($(nproc) - 1))
    on_server=(taskset -c "$server_cpu")
    on_load=(taskset -c "$load_cpu")
    pinning="server on core $server_cpu, load on core $load_cpu"
else
    on_server=(env) on_load=(env)
    pinning="not pinned (fewer than 2 cores or no taskset)"
fi

work="$(mktemp -d)"
chmod 755 "$work"  # nginx workers run unprivileged and read the static copy from here
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
api_port="$(free_port)"
nginx_port="$(free_port)"

# One server certificate for both (the data folder keeps Thumbprint's own key sealed): made by
# openssl, given to Thumbprint as --tls-pfx and to nginx as PEM; clients trust it directly.
mkdir -p "$work/nginx"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/nginx/server.key" -out "$work/nginx/server.pem" -days 30 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
openssl pkcs12 -export -in "$work/nginx/server.pem" -inkey "$work/nginx/server.key" -passout env:BENCH_PFX_PASSWORD \
    -out "$work/server.pfx"

# Thumbprint, first run.
"${on_server[@]}" "$bin/thumbprint-server" server --data-dir "$work/data" --listen "127.0.0.1:$api_port" \
    --tls-pfx "$work/server.pfx" --password-env BENCH_PFX_PASSWORD >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do grep -q "Subscription id:" "$work/server.log" && break; sleep 0.1; done
subscription="$(sed -n 's/^Subscription id: //p' "$work/server.log")"
python3 - "$work" <<'PY'
import base64, re, sys
work = sys.argv[1]
text = open(f"{work}/data/admin.publishsettings").read()
open(f"{work}/admin.pfx", "wb").write(base64.b64decode(re.search(r'ManagementCertificate="([^"]+)"', text).group(1)))
PY
openssl pkcs12 -in "$work/admin.pfx" -passin pass: -nodes -out "$work/client.pem" 2>/dev/null
ca="$work/nginx/server.pem"
url_path="/$subscription/certificates"

# nginx: the same certificate, client certificates asked for but not verified, a static copy of the XML.
mkdir -p "$work/static/$subscription"
curl -s --fail --cacert "$ca" --cert "$work/client.pem" -H "x-ms-version: 2014-10-01" \
    "https://127.0.0.1:$api_port$url_path" -o "$work/static$url_path"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
    uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
    server {
        listen 127.0.0.1:$nginx_port ssl;
        ssl_certificate $work/nginx/server.pem;
        ssl_certificate_key $work/nginx/server.key;
        ssl_verify_client optional_no_ca;
        keepalive_requests 1000000;
        location / { root $work/static; default_type "application/xml; charset=utf-8"; }
    }
}
CONF
"${on_server[@]}" nginx -c "$work/nginx/nginx.conf" -g "daemon off;" &
pids+=($!)
sleep 0.5
status="$(curl -s -o /dev/null -w '%{http_code}' --cacert "$ca" --cert "$work/client.pem" "https://127.0.0.1:$nginx_port$url_path" || true)"
if [ "$status" != 200 ]; then echo "nginx answered $status; its log:" >&2; cat "$work/nginx/error.log" >&2; exit 1; fi

load() { "${on_load[@]}" "$bin/thumbprint-api-load" run --ca "$ca" --cert "$work/client.pem" --seconds "$seconds" "$@"; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(nginx -v 2>&1), one worker; ${seconds}s per run; $pinning"
# Each measure runs in ROUNDS rounds, thumbprint and nginx interleaved, so that changes in the
# machine's load hit both alike; the medians are compared (each run warms up for a second first).
api_keepalive="[" nginx_keepalive="[" api_handshake="[" nginx_handshake="["
for round in $(seq "$rounds"); do
    sep=$([ "$round" -gt 1 ] && echo , || true)
    api_keepalive+="$sep$(load --url "https://127.0.0.1:$api_port$url_path" --mode keepalive --concurrency 16 --label thumbprint)"
    nginx_keepalive+="$sep$(load --url "https://127.0.0.1:$nginx_port$url_path" --mode keepalive --concurrency 16 --label nginx)"
    api_handshake+="$sep$(load --url "https://127.0.0.1:$api_port$url_path" --mode handshake --concurrency 8 --label thumbprint)"
    nginx_handshake+="$sep$(load --url "https://127.0.0.1:$nginx_port$url_path" --mode handshake --concurrency 8 --label nginx)"
done
api_keepalive+="]" nginx_keepalive+="]" api_handshake+="]" nginx_handshake+="]"
printf '%s\n' "$api_keepalive" "$nginx_keepalive" "$api_handshake" "$nginx_handshake" >&2

# Authentication cost against the number of registered certificates.
"$bin/thumbprint-api-load" seed --database "$work/data/thumbprint.sqlite" --subscriptions 1 --per-subscription 9 >&2
small="$(load --url "https://127.0.0.1:$api_port/$subscription" --mode keepalive --concurrency 16 --label "10 certificates")"
"$bin/thumbprint-api-load" seed --database "$work/data/thumbprint.sqlite" --subscriptions 999 --per-subscription 100 >&2
total="$(sqlite3 "$work/data/thumbprint.sqlite" 'SELECT COUNT(*) FROM management_certificates' 2>/dev/null || echo '~100,000')"
large="$(load --url "https://127.0.0.1:$api_port/$subscription" --mode keepalive --concurrency 16 --label "$total certificates")"
printf '%s\n' "$small" "$large" >&2

python3 - "$api_keepalive" "$nginx_keepalive" "$api_handshake" "$nginx_handshake" "$small" "$large" "$total" <<'PY'
import json, statistics, sys
api_k, ngx_k, api_h, ngx_h, small, large = (json.loads(a) for a in sys.argv[1:7])
total = sys.argv[7]
def row(name, a, b, target):
    ours = statistics.median(r["perSecond"] for r in a)
    theirs = statistics.median(r["perSecond"] for r in b)
    rounds = " ".join(f"{x['perSecond'] / y['perSecond']:.2f}" for x, y in zip(a, b) if y["perSecond"])
    if not theirs:
        print(f"  {name:<44} thumbprint {ours:9.1f}   nginx failed")
        return
    print(f"  {name:<44} thumbprint {ours:9.1f}   nginx {theirs:9.1f}   ratio {ours / theirs:5.2f}   target {target}   (rounds: {rounds})")
print(f"requests per second, medians of {len(api_k)} interleaved rounds (GET /<subscription>/certificates, client certificate)")
row("keep-alive connections, 16 concurrent", api_k, ngx_k, ">= 0.70")
row("new TLS handshake per request, 8 concurrent", api_h, ngx_h, ">= 0.95")
print(f"  errors: thumbprint {sum(r['errors'] for r in api_k + api_h)}, nginx {sum(r['errors'] for r in ngx_k + ngx_h)}")
print("authentication cost (GET /<subscription>, keep-alive, 16 concurrent)")
print(f"  10 certificates        p50 {small['p50ms']:6.2f} ms   p99 {small['p99ms']:6.2f} ms   {small['perSecond']:8.1f}/s")
print(f"  {total:>6} certificates    p50 {large['p50ms']:6.2f} ms   p99 {large['p99ms']:6.2f} ms   {large['perSecond']:8.1f}/s")
print(f"  p99 ratio (large / small)  {large['p99ms'] / small['p99ms']:5.2f}   target <= 1.20")
PY
