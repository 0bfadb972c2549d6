#!/usr/bin/env bash
# bench/alloc.sh - heap bytes the dataplane allocates per request, for one build or two side by side.
#
#   bench/alloc.sh [--base DIR] [--scenarios LIST] [--duration S]
#
# Runs the harness (bench/harness/) with Portcullis from this checkout (pc-new) and, with --base, from
# another checkout whose jars are built (pc-base; e.g. a `git worktree` at the commit before a
# change), in the same run. Every second it reads each dataplane's /metrics: the eden space's
# jvm_memory_pool_allocated_bytes_total (counted at each young collection) and
# portcullis_requests_total. It prints allocated bytes / requests over the intervals in which
# requests were served, per candidate.
#
# Unlike requests per second or CPU per request, this number hardly moves with other load on the
# machine: it says how much garbage a request makes, and so how often the young generation is
# collected (each collection pauses every connection of the process). Run one scenario at a time
# to attribute the number to it (the candidates live through all scenarios of a run).
# Needs the jars (bench/run.sh --build, or mvn package) and the harness's tools (setup.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE=""
SCENARIOS=h1-small
DURATION=10
while [[ $# -gt 0 ]]; do
    case $1 in
        --base) BASE=$(cd "$2" && pwd); shift 2 ;;
        --scenarios) SCENARIOS=$2; shift 2 ;;
        --duration) DURATION=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "bench/alloc.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
if [[ -n $BASE && ! -f $BASE/dataplane/target/portcullis-dataplane.jar ]]; then
    echo "bench/alloc.sh: --base $BASE has no built dataplane jar (mvn -DskipTests package there)" >&2
    exit 2
fi

ARGS=()
ONLY=()
candidate() { # name root http-port tls-port first-internal-port
    local cmd
    printf -v cmd 'PORTCULLIS_BENCH_SNAPSHOT_PORT=%q PORTCULLIS_BENCH_METRICS_PORT=%q PORTCULLIS_BENCH_ADMIN_PORT=%q %q' \
        "$5" $(( $5 + 1 )) $(( $5 + 2 )) "$2/bench/candidate.sh"
    ARGS+=(--candidate "env $cmd" --candidate-port "$3" --candidate-tls-port "$4" --candidate-name "$1")
    ONLY+=("$1")
}
[[ -n $BASE ]] && candidate pc-base "$BASE" 18090 18190 18500
candidate pc-new "$ROOT" 18091 18191 18510

RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
mkdir -p "$RESULTS_DIR"
OUT=$RESULTS_DIR/alloc-$(date +%Y%m%d-%H%M%S)
poll() { # name admin-port
    while :; do
        local m
        m=$(curl -s --max-time 1 "http://127.0.0.1:$2/metrics" || true)
        if [[ -n $m ]]; then
            local allocated served
            allocated=$(awk '/^jvm_memory_pool_allocated_bytes_total\{pool="(Eden Space|eden space|G1 Eden Space)"/ {print $NF}' <<<"$m" | head -1)
            served=$(awk '/^portcullis_requests_total/ {s += $NF} END {print s + 0}' <<<"$m")
            echo "$1 ${allocated:-0} ${served:-0}" >> "$OUT.poll"
        fi
        sleep 1
    done
}
POLLERS=()
[[ -n $BASE ]] && { poll pc-base 18502 & POLLERS+=($!); }
poll pc-new 18512 & POLLERS+=($!)
trap 'kill "${POLLERS[@]}" 2>/dev/null || true' EXIT

# The harness itself, not bench/run.sh: that adds a candidate of its own on the ports used here.
bash "${PORTCULLIS_BENCH_HARNESS:-$ROOT/bench/harness/run.sh}" --only "$(IFS=,; echo "${ONLY[*]}")" "${ARGS[@]}" \
    --scenarios "$SCENARIOS" --reps 1 --duration "$DURATION" --modes pinned --out "$OUT.tsv" > "$OUT.txt" 2>&1
kill "${POLLERS[@]}" 2>/dev/null || true

echo "heap bytes allocated per request ($SCENARIOS; $OUT.poll):"
awk '{ n = $1; a = $2 + 0; r = $3 + 0
       if ((n in lastA) && r > lastR[n] && a >= lastA[n]) { da[n] += a - lastA[n]; dr[n] += r - lastR[n] }
       lastA[n] = a; lastR[n] = r }
     END { for (n in da) printf "  %-8s %6.0f bytes per request over %d requests\n", n, da[n] / dr[n], dr[n] }' "$OUT.poll" | sort
