#!/usr/bin/env bash
# bench/balancers.sh - balancing policies side by side in one run of the harness (bench/harness/); started
# by `bench/run.sh --balancers` (see bench/README.md, "Balancing policies").
#
# usage: balancers.sh HARNESS POLICIES ENDPOINTS TLS [HARNESS_ARGS...]
#
# One candidate per policy (each bench/candidate.sh with its own ports, PORTCULLIS_BENCH_POLICY
# and the same PORTCULLIS_BENCH_ENDPOINTS), plus pc-1ep (one endpoint, default policy) as the
# plain reference, beside nginx (direct is left out: it takes time and no ratio here uses it).
# The harness interleaves them within every repetition (always in this order: list the policies
# the other way round too, to see whether the position matters), so every ratio below compares
# runs minutes apart at most; the summary pairs each policy's run with the first policy's run of
# the same repetition.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=$1 POLICIES=$2 ENDPOINTS=$3 TLS=$4
shift 4
BASE_PORT=${PORTCULLIS_BENCH_PORT:-18090}
BASE_TLS_PORT=${PORTCULLIS_BENCH_TLS_PORT:-18190}
# Every candidate runs for the whole mode, so each needs its own operator and admin ports.
BASE_INTERNAL=${PORTCULLIS_BENCH_SNAPSHOT_PORT:-18500}
export RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
OUT=$RESULTS_DIR/balancers-$(date +%Y%m%d-%H%M%S).tsv

[[ $ENDPOINTS =~ ^[0-9]+$ ]] && ((ENDPOINTS >= 1 && ENDPOINTS <= 84)) ||
    { echo "balancers.sh: --endpoints must be 1..84, not '$ENDPOINTS'" >&2; exit 2; }
IFS=, read -r -a POLICY_LIST <<<"$POLICIES"
((${#POLICY_LIST[@]} >= 1)) || { echo "balancers.sh: --policies is empty" >&2; exit 2; }

# Table names: the harness's proxy column is 10 characters wide.
short_name() {
    local p=$1
    case $p in
        round-robin) p=rr ;;
        least-request) p=lr ;;
        maglev-client-address) p=mg-client ;;
        maglev-header:*) p=mgh-${p#*:} ;;
        maglev-cookie:*) p=mgc-${p#*:} ;;
        maglev-query:*) p=mgq-${p#*:} ;;
        cookie-affinity:*) p=aff-${p#*:} ;;
    esac
    p=${p,,}
    p=${p//[^a-z0-9-]/-}
    echo "pc-${p:0:7}"
}

CAND_ARGS=() NAMES=() LEGEND=()
add_candidate() { # name policy endpoints
    local i=${#NAMES[@]} cmd
    printf -v cmd 'PORTCULLIS_BENCH_POLICY=%q PORTCULLIS_BENCH_ENDPOINTS=%q PORTCULLIS_BENCH_SNAPSHOT_PORT=%q PORTCULLIS_BENCH_METRICS_PORT=%q PORTCULLIS_BENCH_ADMIN_PORT=%q %q' \
        "$2" "$3" $((BASE_INTERNAL + 10 * i)) $((BASE_INTERNAL + 10 * i + 1)) \
        $((BASE_INTERNAL + 10 * i + 2)) "$ROOT/bench/candidate.sh"
    CAND_ARGS+=(--candidate "$cmd" --candidate-port $((BASE_PORT + i)) --candidate-name "$1")
    ((TLS)) && CAND_ARGS+=(--candidate-tls-port $((BASE_TLS_PORT + i)))
    NAMES+=("$1")
    LEGEND+=("$1=${2:-default} x$3")
}
add_candidate pc-1ep "" 1
for p in "${POLICY_LIST[@]}"; do
    name=$(short_name "$p")
    for n in "${NAMES[@]}"; do [[ $n != "$name" ]] || name=pc-$((${#NAMES[@]})); done
    add_candidate "$name" "$p" "$ENDPOINTS"
done
REF=${NAMES[1]}

only=nginx
for n in "${NAMES[@]}"; do only+=,$n; done
echo "balancers: ${LEGEND[*]} (ratios against $REF); report: ${OUT%.tsv}.txt" >&2

status=0
bash "$HARNESS" --only "$only" "${CAND_ARGS[@]}" \
    --scenarios h1-small,h1-100k --modes pinned --reps 3 --duration 10 --prewarm 20 \
    --out "$OUT" "$@" || status=$?
[[ -s $OUT ]] || exit "$status"

# x_nginx, CPU per request and the paired ratios to the first policy (bench/balancers-summary.awk).
summary=$(awk -F'\t' -f "$ROOT/bench/balancers-summary.awk" -v ref="$REF" -v legend="${LEGEND[*]}" "$OUT")
echo "$summary"
echo "$summary" >>"${OUT%.tsv}.txt"
exit "$status"
