#!/usr/bin/env bash
# Runs every test suite: the code's format (swift format lint, configured in .swift-format),
# unit tests and interop tests against openssl, keytool and Python.
# Installs what the tests need first (idempotent): openssl, a Java runtime, Chromium (for the
# portal's browser tests), NSS's certutil (for `admin trust-ca`) and PostgreSQL from apt,
# and a Python venv (.venv) with the packages pinned in requirements-test.txt (and the client's).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v openssl >/dev/null || need_apt+=(openssl)
command -v keytool >/dev/null || need_apt+=(default-jre-headless)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v certutil >/dev/null || need_apt+=(libnss3-tools)
# PostgreSQL 15 for the storage tests' second backend and the servers on a shared database; the
# tests start a throwaway cluster of their own (initdb as the postgres user, a free loopback port).
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "Installing ${need_apt[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

# The venv is made again whenever the pins change (requirements-test.txt includes the client's).
pins="$(cat requirements-test.txt requirements-client.txt)"
if [ ! -x .venv/bin/python ] || [ "$pins" != "$(cat .venv/pins 2>/dev/null)" ]; then
    echo "Creating the Python venv in .venv"
    rm -rf .venv
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt
    printf '%s' "$pins" >.venv/pins
fi

# The format first: it takes seconds, and a failure names the file and line to fix
# (`swift format -i -r Sources Tests Benchmarks Package.swift` fixes most).
swift format lint --strict --recursive --parallel Sources Tests Benchmarks Fuzz Package.swift
long="$(find Sources Tests Benchmarks Fuzz -name '*.swift' -exec awk 'END { if (NR > 400) print FILENAME ": " NR " lines" }' {} \;)"
if [ -n "$long" ]; then
    echo "Swift files over 400 lines; split them, one concept per file:" >&2
    echo "$long" >&2
    exit 1
fi
# The project's own code builds without a warning (Package.swift reads this).
export THUMBPRINT_WARNINGS_AS_ERRORS=1
swift build --build-tests
# Suites that check a server stays responsive under floods, expensive requests and a locked
# database, and the 200 concurrent adds against an in-process server, run alone afterwards:
# beside the rest of the suite on two cores they would measure the other tests (tests that wait
# for child processes hold the threads the in-process server's handlers need).
alone="ExpensiveRequestTests|ConnectionFloodTests|LockedDatabaseTests|ManagementCertificateTests/subscriptionLimitUnderConcurrency"
# The agents test (three servers' worth of processes and a load, with 1 s and 10 s promises)
# runs last, by itself: beside the suites above it would measure them, and they it.
agents="AgentProcessTests"
swift test --skip-build --skip "$alone|$agents"
swift test --skip-build --filter "$alone"
swift test --skip-build --filter "$agents"
# Every fuzz target over its committed corpus, then 20 s of fuzzing each (docs/fuzzing.md);
# built with libFuzzer and ASan in .build-fuzz. THUMBPRINT_FUZZ_SECONDS=0 keeps the regression run only.
unset THUMBPRINT_WARNINGS_AS_ERRORS
scripts/fuzz.sh --regression "${THUMBPRINT_FUZZ_SECONDS:-20}"
