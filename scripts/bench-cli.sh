#!/usr/bin/env bash
# Benchmark: `thumbprint cert new` against the openssl command chain that does the same work,
# and PFX reading against `openssl pkcs12 -info -noout`, side by side in one run.
# Prints the median wall time of each and their ratio (baseline: openssl on this machine).
# Usage: scripts/bench-cli.sh [RUNS]   (default 21 runs of each, interleaved)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-21}"

# A CLI command is mostly start-up, and a fully static executable starts in a quarter of the
# time of a dynamically linked one (no Swift runtime or Foundation libraries to load and
# relocate): this is how Thumbprint is built for use (docs/benchmarks.md).
build=(swift build -c release --product thumbprint --scratch-path .build-static -Xswiftc -static-executable)
"${build[@]}" 2>&1 | grep -E "error|Build" >&2
binary="$("${build[@]}" --show-bin-path)/thumbprint"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

BENCH_PASSWORD="bench-$RANDOM" THUMBPRINT_HOME="$work/home" OPENSSL_CONF=/dev/null \
python3 - "$binary" "$work" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
binary, work, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.chdir(work)

def run(*commands):
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start

ours_new = [binary, "cert", "new", "--dns-name", "contoso.net", "--pfx", "t.pfx", "--cer", "t.cer", "--password-env", "BENCH_PASSWORD"]
openssl_new = [
    ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem",
     "-subj", "/CN=contoso.net", "-addext", "subjectAltName=DNS:contoso.net", "-days", "365"],
    ["openssl", "pkcs12", "-export", "-in", "c.pem", "-inkey", "k.pem", "-out", "o.pfx", "-passout", "env:BENCH_PASSWORD"],
    ["openssl", "x509", "-in", "c.pem", "-outform", "DER", "-out", "o.cer"],
]
# Both readers read the same file, made by openssl in its default (AES-256, PBKDF2) layout.
run(*openssl_new)
ours_read = [binary, "cert", "show", "o.pfx", "--password-env", "BENCH_PASSWORD"]
openssl_read = ["openssl", "pkcs12", "-in", "o.pfx", "-info", "-noout", "-passin", "env:BENCH_PASSWORD"]

samples = {"ours_new": [], "openssl_new": [], "ours_read": [], "openssl_read": []}
run(ours_new), run(ours_read), run(openssl_read)  # warm the page cache
for _ in range(runs):  # interleaved, so that drift in machine load hits both sides alike
    samples["ours_new"].append(run(ours_new))
    samples["openssl_new"].append(run(*openssl_new))
    samples["ours_read"].append(run(ours_read))
    samples["openssl_read"].append(run(openssl_read))

median = {name: statistics.median(values) * 1000 for name, values in samples.items()}
print(f"runs: {runs} of each, interleaved; machine: {os.cpu_count()} cores; {subprocess.run(['openssl', 'version'], capture_output=True, text=True).stdout.strip()}")
print(f"make a certificate, .pfx and .cer")
print(f"  thumbprint cert new                            median {median['ours_new']:8.1f} ms")
print(f"  openssl req -x509 + pkcs12 -export + x509      median {median['openssl_new']:8.1f} ms")
print(f"  ratio (thumbprint / openssl)                   {median['ours_new'] / median['openssl_new']:8.2f}   target <= 0.80")
print(f"read a .pfx")
print(f"  thumbprint cert show x.pfx                     median {median['ours_read']:8.1f} ms")
print(f"  openssl pkcs12 -info -noout                    median {median['openssl_read']:8.1f} ms")
print(f"  ratio (thumbprint / openssl)                   {median['ours_read'] / median['openssl_read']:8.2f}   target <= 1.00")
PY
