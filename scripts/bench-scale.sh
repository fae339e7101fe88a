#!/usr/bin/env bash
# Benchmark: servers on PostgreSQL against one server on SQLite, on loopback.
#  1. keep-alive GET /<subscription>/certificates per second and p99, 16 concurrent, for one
#     server on SQLite (the baseline), one server on PostgreSQL, and two servers on one PostgreSQL
#     database (the load split over both). On two cores the point is overhead, not speed-up:
#     target PostgreSQL one server >= 0.70x SQLite.
#  2. revocation across servers: a management certificate deleted through server A, asked for
#     again on a connection to server B kept alive across the deletion; p99 over 50 deletions from
#     the deletion's answer to B's first refusal (target <= 1 s, aim <= 100 ms).
#  3. rotation across two role-instance agents (`thumbprint agent`) running 20 instances of one
#     deployment: per rotation, the time from sending Change Deployment Configuration to every
#     instance serving the new certificate, with fresh TLS connections through both agents'
#     balancers all along; target <= 1 s and 0 failed connections.
# Load comes from thumbprint-api-load (AsyncHTTPClient, a client certificate) and the real Python
# client. PostgreSQL is a throwaway cluster (Debian's, initdb as the postgres user, fsync off).
# Usage: scripts/bench-scale.sh [SECONDS_PER_RUN] [ROUNDS]   (default 5 seconds, 3 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-5}"
rounds="${2:-3}"
python=.venv/bin/python
[ -x "$python" ] || { echo "no .venv: run scripts/test.sh once first" >&2; exit 1; }
pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -r | head -n 1)"

swift build -c release --product thumbprint-server 2>&1 | grep -E "error|Build" >&2
swift build -c release --product thumbprint-api-load 2>&1 | grep -E "error|Build" >&2
swift build -c release --product thumbprint 2>&1 | grep -E "error|Build" >&2
bin="$(swift build -c release --show-bin-path)"

work="$(mktemp -d)"
chmod 755 "$work"
chown postgres "$work" 2>/dev/null || true
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D $work/pg -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pg_port="$(free_port)"
su postgres -s /bin/sh -c "$pg_bin/initdb -D $work/pg -A trust -U thumbprint --no-sync >/dev/null &&
  $pg_bin/pg_ctl -D $work/pg -l $work/pg.log -o '-k $work -p $pg_port -c listen_addresses=127.0.0.1 -c fsync=off' -w start >/dev/null"
for db in one two three; do "$pg_bin/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U thumbprint -d postgres -c "CREATE DATABASE $db"; done

export THUMBPRINT_MASTER_KEY="$(head -c 32 /dev/urandom | base64)"
# start NAME PORT [DATABASE [OPTIONS...]]: a server on its own data folder; waits until it listens.
start() {
    local name=$1 port=$2 database=${3:-}
    if [ -n "$database" ]; then
        THUMBPRINT_DATABASE="postgres://thumbprint@127.0.0.1:$pg_port/$database" \
            "$bin/thumbprint-server" server --data-dir "$work/$name" --listen "127.0.0.1:$port" "${@:4}" >"$work/$name.log" 2>&1 &
    else
        "$bin/thumbprint-server" server --data-dir "$work/$name" --listen "127.0.0.1:$port" >"$work/$name.log" 2>&1 &
    fi
    pids+=($!)
    for _ in $(seq 300); do grep -q "listening on https://" "$work/$name.log" && return; sleep 0.1; done
    echo "server $name did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}
# client NAME: the first-run server NAME's management certificate as PEM, and its subscription id.
client() {
    "$python" - "$work/$1" <<'PY'
import base64, re, subprocess, sys
folder = sys.argv[1]
text = open(f"{folder}/admin.publishsettings").read()
open(f"{folder}/admin.pfx", "wb").write(base64.b64decode(re.search(r'ManagementCertificate="([^"]+)"', text).group(1)))
subprocess.run(["openssl", "pkcs12", "-in", f"{folder}/admin.pfx", "-passin", "pass:", "-nodes", "-out", f"{folder}/client.pem"], check=True,
               stderr=subprocess.DEVNULL)
print(re.search(r'<Subscription [^>]*\bId="([^"]+)"', text).group(1))
PY
}

sqlite_port="$(free_port)" one_port="$(free_port)" a_port="$(free_port)" b_port="$(free_port)"
start sqlite "$sqlite_port"
start one "$one_port" one
start a "$a_port" two
start b "$b_port" two
sqlite_sub="$(client sqlite)" one_sub="$(client one)" two_sub="$(client a)"

load() { "$bin/thumbprint-api-load" run --seconds "$seconds" --mode keepalive "$@"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}'); ${seconds}s per run, $rounds rounds"
sqlite_runs="[" one_runs="[" two_runs="["
for round in $(seq "$rounds"); do
    sep=$([ "$round" -gt 1 ] && echo , || true)
    sqlite_runs+="$sep$(load --ca "$work/sqlite/tls/ca.pem" --cert "$work/sqlite/client.pem" --url "https://127.0.0.1:$sqlite_port/$sqlite_sub/certificates" --concurrency 16 --label sqlite)"
    one_runs+="$sep$(load --ca "$work/one/tls/ca.pem" --cert "$work/one/client.pem" --url "https://127.0.0.1:$one_port/$one_sub/certificates" --concurrency 16 --label postgres-one)"
    # Two servers: 8 connections to each at once; the CA file of either server serves both.
    load --ca "$work/a/tls/ca.pem" --cert "$work/a/client.pem" --url "https://127.0.0.1:$a_port/$two_sub/certificates" --concurrency 8 --label a >"$work/a.json" &
    first=$!
    load --ca "$work/a/tls/ca.pem" --cert "$work/a/client.pem" --url "https://127.0.0.1:$b_port/$two_sub/certificates" --concurrency 8 --label b >"$work/b.json"
    wait "$first"
    two_runs+="$sep[$(cat "$work/a.json"),$(cat "$work/b.json")]"
done
sqlite_runs+="]" one_runs+="]" two_runs+="]"
printf '%s\n' "$sqlite_runs" "$one_runs" "$two_runs" >&2

revocation="$("$python" Tests/InteropTests/python/two_servers_client.py "$work/a/admin.publishsettings" "$work/a/tls/ca.pem" \
    "127.0.0.1:$a_port" "127.0.0.1:$b_port" "$work/a" revocation 50 | tail -n 1)"

# 3. Twenty instances on two agents; rotations under fresh connections through the agents' balancers.
agents_port="$(free_port)"
start agents "$agents_port" three --instances agents --max-cores 40
client agents >/dev/null
export AGENT_PASSWORD="bench-agent-secret" PFX_PASSWORD="bench-pfx-secret"
for agent in agent-1 agent-2; do
    THUMBPRINT_DATABASE="postgres://thumbprint@127.0.0.1:$pg_port/three" "$bin/thumbprint-server" admin --data-dir "$work/agents" \
        agent issue "$agent" --out "$work/$agent.pfx" --password-env AGENT_PASSWORD >/dev/null
    "$bin/thumbprint-server" agent --server "https://127.0.0.1:$agents_port" --data-dir "$work/$agent" --pfx "$work/$agent.pfx" \
        --password-env AGENT_PASSWORD >"$work/$agent.log" 2>&1 &
    pids+=($!)
done
thumbprints=()
for name in old new; do
    thumbprints+=("$(THUMBPRINT_HOME="$work/home" "$bin/thumbprint" cert new --dns-name www.contoso.net --pfx "$work/$name.pfx" --password-env PFX_PASSWORD | tail -n 1)")
done
"$python" - "$work" "${thumbprints[@]}" <<'PY'
import sys, zipfile
work, old, new = sys.argv[1:4]
definition = '''<?xml version="1.0" encoding="utf-8"?>
<ServiceDefinition name="bench" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceDefinition">
  <WebRole name="WebRole" vmsize="Small">
    <Endpoints><InputEndpoint name="HttpsIn" protocol="https" port="443" certificate="SSL" /></Endpoints>
    <Certificates><Certificate name="SSL" storeLocation="LocalMachine" storeName="My" /></Certificates>
  </WebRole>
</ServiceDefinition>'''
with zipfile.ZipFile(f"{work}/agents/packages/bench.cspkg", "w") as z:
    z.writestr("ServiceDefinition.csdef", definition)
for name, thumbprint in (("old", old), ("new", new)):
    open(f"{work}/{name}.cscfg", "w").write(f'''<ServiceConfiguration serviceName="bench" xmlns="http://schemas.microsoft.com/ServiceHosting/2008/10/ServiceConfiguration">
  <Role name="WebRole"><Instances count="20" />
    <Certificates><Certificate name="SSL" thumbprint="{thumbprint}" thumbprintAlgorithm="sha1" /></Certificates></Role>
</ServiceConfiguration>''')
PY
for _ in $(seq 100); do [ "$(grep -l '"connected" : true' "$work"/agent-*/status.json 2>/dev/null | wc -l)" = 2 ] && break; sleep 0.2; done
api=("$work/agents/admin.publishsettings" "$work/agents/tls/ca.pem" "127.0.0.1:$agents_port" "$work/agents" bench1)
"$python" Tests/InteropTests/python/agents_client.py setup "${api[@]}" "file://$work/agents/packages/bench.cspkg" "$work/old.pfx" "$work/new.pfx" \
    "$PFX_PASSWORD" "$work/old.cscfg" >/dev/null
ports_of() { "$python" -c 'import json, sys
for f in sys.argv[2:]:
    s = json.load(open(f))
    for p in (s["balancers"] if sys.argv[1] == "balancers" else [i["endpoints"][0]["localPort"] for i in s["instances"]]):
        print(p["port"] if isinstance(p, dict) else p)' "$1" "$work"/agent-*/status.json | paste -sd, -; }
echo "[$(ports_of balancers)]" >"$work/ports.json"
"$python" Tests/InteropTests/python/agents_client.py load "$work/ports.json" "$work/stop" 4 >"$work/load.json" &
load_pid=$!
rotations="["
for round in $(seq "$rounds"); do
    for name in new old; do
        thumbprint=$([ "$name" = new ] && echo "${thumbprints[1]}" || echo "${thumbprints[0]}")
        rotations+="$("$python" Tests/InteropTests/python/agents_client.py rotate "${api[@]}" "$work/$name.cscfg" "$(ports_of instances)" "$thumbprint" | tail -n 1),"
        sleep 0.5
    done
done
rotations="${rotations%,}]"
touch "$work/stop"
wait "$load_pid"
agent_load="$(tail -n 1 "$work/load.json")"

"$python" - "$sqlite_runs" "$one_runs" "$two_runs" "$revocation" "$rotations" "$agent_load" <<'PY'
import json, statistics, sys
sqlite, one, two, revocation, rotations, agent_load = (json.loads(a) for a in sys.argv[1:7])
base = statistics.median(r["perSecond"] for r in sqlite)
def row(name, rate, p99, errors):
    print(f"  {name:<34} {rate:9.1f}/s   p99 {p99:6.2f} ms   ratio to SQLite {rate / base:5.2f}   errors {errors}")
print("1. keep-alive GET /<subscription>/certificates, 16 concurrent (medians of the rounds)")
row("one server, SQLite (baseline)", base, statistics.median(r["p99ms"] for r in sqlite), sum(r["errors"] for r in sqlite))
row("one server, PostgreSQL", statistics.median(r["perSecond"] for r in one), statistics.median(r["p99ms"] for r in one), sum(r["errors"] for r in one))
row("two servers, one PostgreSQL", statistics.median(a["perSecond"] + b["perSecond"] for a, b in two),
    statistics.median(max(a["p99ms"], b["p99ms"]) for a, b in two), sum(a["errors"] + b["errors"] for a, b in two))
print("  target: PostgreSQL one server >= 0.70 x SQLite")
delays = revocation["delaysMs"]
print(f"2. revocation from server A to a kept-alive connection on server B, {len(delays)} deletions")
print(f"  p50 {statistics.median(delays):6.1f} ms   p99 {revocation['p99Ms']:6.1f} ms   max {max(delays):6.1f} ms   same connection: {revocation['sameConnection']}")
print("  target p99 <= 1000 ms, aim <= 100 ms")
totals = [r["changeSeconds"] + (r["allNewAfterSeconds"] if r["allNewAfterSeconds"] is not None else 99) for r in rotations]
after = [r["allNewAfterSeconds"] if r["allNewAfterSeconds"] is not None else 99 for r in rotations]
print(f"3. rotation across two agents, 20 instances, {len(rotations)} rotations under fresh TLS connections through the agents' balancers")
print(f"  request to every instance serving the new certificate: median {statistics.median(totals) * 1000:6.0f} ms   max {max(totals) * 1000:6.0f} ms")
print(f"  after the change succeeded: max {max(after) * 1000:6.0f} ms   connections {agent_load['connections']}   failed {agent_load['failureCount']}")
print("  target <= 1000 ms and 0 failed connections")
PY
