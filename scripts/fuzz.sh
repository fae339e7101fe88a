#!/usr/bin/env bash
# Builds and runs the libFuzzer targets (Fuzz/Targets/NAME, one per parser of outside input).
#
#   scripts/fuzz.sh [SECONDS] [TARGET…]      fuzz each target SECONDS (default 60), all by default
#   scripts/fuzz.sh --regression [SECONDS]   every target over its committed corpus, then SECONDS each (the test command: 20)
#
# Each target reads its committed corpus Fuzz/Corpus/NAME (and, for the key formats, seeds with
# keys made at the start of the run, .build-fuzz/seeds.XXXXXX/NAME, removed at its end) and adds what it finds to
# .build-fuzz/corpus/NAME (not committed; `-merge=1` it into the committed one when it finds
# something worth keeping). One input may take at most 1 s and the process 2 GiB. A crash, hang
# or broken check stops the run with the input's path; the script then exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

regression=0
if [ "${1:-}" = "--regression" ]; then regression=1; shift; fi
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(PKCS12 DER PEM PrivateKey Thumbprint XML ServiceModel PublishSettings ServicePackage Router APIBodies)

dictionary() {
    case "$1" in
    XML | ServiceModel | PublishSettings | APIBodies) echo "-dict=Fuzz/Dictionaries/xml.dict" ;;
    Router) echo "-dict=Fuzz/Dictionaries/api.dict" ;;
    PKCS12 | DER | PEM | PrivateKey) echo "-dict=Fuzz/Dictionaries/asn1.dict" ;;
    esac
}
# swift-corelibs-foundation's XMLParser leaks a CFString (72 bytes) for each document libxml2
# reports an error on (FoundationXML's _structuredErrorFunc); that leak is not ours to fix here,
# so the XML-reading targets do not stop on leaks. RSS stays bounded by -rss_limit_mb.
leaks() {
    case "$1" in
    XML | ServiceModel | PublishSettings | ServicePackage | Router | APIBodies) echo "-detect_leaks=0" ;;
    *) echo "-detect_leaks=1" ;;
    esac
}
maximum_length() {
    case "$1" in
    Thumbprint) echo 256 ;;
    Router) echo 4096 ;;
    ServicePackage) echo 262144 ;;
    *) echo 65536 ;;
    esac
}

export THUMBPRINT_FUZZ=1 SWIFT_BACKTRACE=enable=no
for target in "${targets[@]}"; do
    echo "== building Fuzz$target"
    # swiftc keeps only the last -sanitize= it is given, and SwiftPM passes fuzzer and address
    # separately: without the combined flag after them, Swift code gets no coverage counters.
    swift build --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address --product "Fuzz$target" --scratch-path .build-fuzz 2>&1 | grep -E "error|Compiling Fuzz|Build complete" || true
    [ -x ".build-fuzz/debug/Fuzz$target" ] || { echo "Fuzz$target did not build" >&2; exit 1; }
done

# Seeds with private keys are made now, never committed (scripts/fuzz_seeds.py --keys).
# A folder of this run's own, so that two runs (two subsets of targets, one per core) can share .build-fuzz.
mkdir -p .build-fuzz
seeds=$(mktemp -d .build-fuzz/seeds.XXXXXX)
trap 'rm -rf "$seeds"' EXIT
python=.venv/bin/python
[ -x "$python" ] || python=python3
"$python" -W ignore scripts/fuzz_seeds.py --keys "$seeds" >/dev/null

failed=0
printf "%-16s %10s %8s %8s %8s  %s\n" TARGET EXEC/S COV FT CORPUS RESULT
for target in "${targets[@]}"; do
    binary=".build-fuzz/debug/Fuzz$target"
    scratch=".build-fuzz/corpus/$target"
    crashes=".build-fuzz/crashes/$target/"
    log=".build-fuzz/logs/$target.log"
    mkdir -p "$scratch" "$crashes" "$(dirname "$log")"
    common=(-timeout=1 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len="$(maximum_length "$target")" -artifact_prefix="$crashes" -print_final_stats=1 "$(leaks "$target")")
    dict=$(dictionary "$target")
    result=ok
    if [ $regression = 1 ]; then
        # Every committed input once: a regression fails here before any new input is tried.
        if ! ASAN_OPTIONS="detect_leaks=$(leaks "$target" | tr -dc 01)" "$binary" "${common[@]}" -runs=0 "Fuzz/Corpus/$target" >"$log.regression" 2>&1; then
            result="REGRESSION: $(grep -m1 -E "ERROR|Fatal error" "$log.regression" || tail -1 "$log.regression")"
        fi
    fi
    if [ "$result" = ok ] && [ "$seconds" -gt 0 ] && ! ASAN_OPTIONS="detect_leaks=$(leaks "$target" | tr -dc 01)" "$binary" "${common[@]}" ${dict:+"$dict"} -max_total_time="$seconds" "$scratch" "Fuzz/Corpus/$target" $([ -d "$seeds/$target" ] && echo "$seeds/$target") >"$log" 2>&1; then
        found=$(grep -m1 -E "Test unit written to" "$log" | sed 's/.*written to //' || true)
        reason=$(grep -m1 -E "ERROR: libFuzzer|ERROR: AddressSanitizer|ERROR: LeakSanitizer|Fatal error" "$log" | cut -c1-120 || true)
        result="FOUND: ${found:-see $log} (${reason:-see the log})"
    fi
    stats=$(grep -E "^#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)" "$log" 2>/dev/null | tail -1 || true)
    cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$stats")
    ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$stats")
    corpus=$(sed -nE 's/.*corp: ([0-9]+).*/\1/p' <<<"$stats")
    rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$log" 2>/dev/null | tail -1 || true)
    printf "%-16s %10s %8s %8s %8s  %s\n" "$target" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$result"
    [ "$result" = ok ] || failed=1
done
exit $failed
