#!/usr/bin/env bash
# Benchmark: does a normal client stay served while the API is abused? A release server on
# loopback; the normal client makes one authenticated GET per fresh mutual-TLS connection, ten
# a second, first alone (the baseline) and then while attackers hold 10,000 idle TCP
# connections, keep 100 slowloris connections trickling headers, and open 200 TLS handshakes
# a second. Prints the normal client's p99 under attack, its ratio to the baseline, and the
# target (p99 < 1 s, no failures). All traffic stays on 127.0.0.1.
# Usage: scripts/bench-abuse.sh [SECONDS] [IDLE] [SLOWLORIS] [HANDSHAKES_PER_S]  (30 10000 100 200)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}" idle="${2:-10000}" slowloris="${3:-100}" rate="${4:-200}"

swift build -c release --product thumbprint-server 2>&1 | grep -E "error|Build" >&2
bin="$(swift build -c release --show-bin-path)"
python=.venv/bin/python
[ -x "$python" ] || { echo "no .venv: run scripts/test.sh once first" >&2; exit 2; }

work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# Room for every attacker's connection: the server raises its soft limit to this hard limit,
# and takes a quarter for the API listener (a server facing such floods is run the same way,
# e.g. LimitNOFILE= in its systemd unit).
ulimit -Hn 65536 2>/dev/null || true
ulimit -Sn "$(ulimit -Hn)"
"$bin/thumbprint-server" server --data-dir "$work/data" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do grep -q "Subscription id:" "$work/server.log" && break; sleep 0.1; done
subscription="$(sed -n 's/^Subscription id: //p' "$work/server.log")"
"$python" -c "from azure.servicemanagement.publishsettings import get_certificate_from_publish_settings as g; import sys; g(sys.argv[1], sys.argv[2])" \
    "$work/data/admin.publishsettings" "$work/client.pem" >/dev/null

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); open-file limit $(ulimit -Sn); ${seconds}s under attack"
normal() { "$python" scripts/abuse_load.py normal "$port" "$work/data/tls/ca.pem" "$work/client.pem" "$subscription" "$1"; }
alone="$(normal 10)"
# Each kind of attacker in a process of its own (one Python process cannot churn idle
# connections and make 200 handshakes a second at once), and the normal client in another.
attack() { "$python" scripts/abuse_load.py attack "$port" "$subscription" "$@" "$((seconds + 5))"; }
attack "$idle" 0 0 >"$work/idle.out" &
pids+=($!); attackers=($!)
attack 0 "$slowloris" 0 >"$work/slowloris.out" &
pids+=($!); attackers+=($!)
for _ in $(seq 1200); do grep -q attacking "$work/idle.out" && grep -q attacking "$work/slowloris.out" && break; sleep 0.1; done
attack 0 0 "$rate" >"$work/handshakes.out" &
pids+=($!); attackers+=($!)
attacked="$(normal "$seconds")"
for pid in "${attackers[@]}"; do wait "$pid" || true; done
attack="$(python3 -c '
import json, sys
merged = {}
for path in sys.argv[1:]:
    for key, value in json.loads(open(path).read().splitlines()[-1]).items():
        merged[key] = merged.get(key, 0) + value
print(json.dumps(merged))' "$work/idle.out" "$work/slowloris.out" "$work/handshakes.out")"
printf '%s\n%s\n%s\n' "$alone" "$attacked" "$attack" >&2
kill -0 "${pids[0]}" 2>/dev/null || { echo "the server died under the attack; its log:" >&2; tail -20 "$work/server.log" >&2; exit 1; }
result="{\"alone\": $alone, \"underAttack\": $attacked, \"attack\": $attack}"
python3 - "$result" "$idle" "$slowloris" "$rate" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
idle, slowloris, rate = sys.argv[2:5]
alone, attacked, a = r["alone"], r["underAttack"], r["attack"]
print(f"normal client, one authenticated GET per new mutual-TLS connection, 10/s")
print(f"  alone (baseline)          p50 {alone['p50ms']:7.1f} ms   p99 {alone['p99ms']:7.1f} ms   failures {alone['failures']}/{alone['requests']}")
print(f"  under attack              p50 {attacked['p50ms']:7.1f} ms   p99 {attacked['p99ms']:7.1f} ms   failures {attacked['failures']}/{attacked['requests']}")
print(f"  attack: {idle} idle TCP (opened {a['idleOpened']}, shed {a['idleShed']}), {slowloris} slowloris (opened {a['slowlorisOpened']}, shed {a['slowlorisShed']}),"
      f" {a['handshakesPerSecond']} handshakes/s of {rate} asked ({a['handshakeErrors']} failed)")
print(f"  p99 ratio (attack / alone) {attacked['p99ms'] / alone['p99ms']:6.2f}   target: p99 under attack < 1000 ms with no failures:"
      f" {'met' if attacked['p99ms'] < 1000 and attacked['failures'] == 0 else 'NOT MET'}")
PY
