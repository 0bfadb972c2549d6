#!/usr/bin/env bash
# bench/run.sh - measure the Portcullis dataplane beside `direct` and nginx, in one run of the
# harness in bench/harness/. See bench/README.md for how to read the ratios.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The harness lives in bench/harness/ (a copy of the one the team shares, so a clone alone can
# run it); PORTCULLIS_BENCH_HARNESS points at another run.sh.
HARNESS=${PORTCULLIS_BENCH_HARNESS:-$ROOT/bench/harness/run.sh}
CANDIDATE_PORT=${PORTCULLIS_BENCH_PORT:-18090}
CANDIDATE_TLS_PORT=${PORTCULLIS_BENCH_TLS_PORT:-18190}

usage() {
    cat <<'USAGE'
usage: bench/run.sh [--full] [--tls] [--build] [--balancers [--policies LIST] [--endpoints N]]
                    [-- HARNESS_ARGS...]

  (default)  quick look, about 6 minutes: --reps 1 --duration 5 --modes pinned
             --scenarios h1-small,h1-100k,h1-close,tls-h1,tls-close,h2-tls --prewarm 20
  --full     the harness's full matrix (2 reps x 10 s, pinned and unpinned, prewarm 20 s),
             about 20 minutes
  --tls      give Portcullis a TLS port too (--candidate-tls-port): candidate.sh hands it the
             harness's certificate as the default certificate, and the dataplane offers h2
             and http/1.1 there via ALPN (tls-h1, tls-close, h2-tls). Without it the TLS
             scenarios run for direct and nginx only.
             TLS only, quickly: bench/run.sh --tls -- --scenarios tls-h1,tls-close,h2-tls
  --build    run `mvn -B -q package -DskipTests` first (otherwise the jars must exist)
  --balancers
             compare balancing policies in one run of the harness: one Portcullis candidate
             per policy (pc-rr, pc-lr, ...), each with the same N endpoints, plus pc-1ep (one
             endpoint, the default policy) beside nginx; h1-small and h1-100k, pinned,
             3 x 10 s, prewarm 20 s (about 8 minutes on a quiet machine). Afterwards prints, per
             scenario, every candidate's x_nginx and proxy CPU us/request and the paired
             (same repetition) throughput and CPU ratios of each policy to the first one.
             Results go to bench/results/ (RESULTS_DIR overrides).
  --policies LIST
             with --balancers: portcullis.io/load-balancer values, comma separated
             (default round-robin,least-request; the first is the reference of the ratios)
  --endpoints N
             with --balancers: endpoints per candidate (default 4, at most 84). They are
             spellings of 127.0.0.1 (see bench/candidate.sh): distinct to the balancer, one
             origin to the kernel.
  -- ARGS    passed on to the harness last, e.g. -- --quiet-wait 30 --retry-noisy 2

The harness's tools (nginx, wrk, h2load, ...): sudo bench/harness/setup.sh, once.

Environment: PORTCULLIS_BENCH_HARNESS (another harness's run.sh; default bench/harness/run.sh),
PORTCULLIS_BENCH_PORT (the dataplane's port, default 18090), PORTCULLIS_BENCH_TLS_PORT
(its TLS port with --tls, default 18190), and the candidate's
PORTCULLIS_BENCH_* variables (see bench/candidate.sh).
USAGE
}

FULL=0 BUILD=0 TLS=0 BALANCERS=0 POLICIES=round-robin,least-request ENDPOINTS=4 EXTRA=()
while (($#)); do
    case $1 in
        --full)    FULL=1; shift ;;
        --build)   BUILD=1; shift ;;
        --tls)     TLS=1; shift ;;
        --balancers) BALANCERS=1; shift ;;
        --policies|--endpoints)
            (($# >= 2)) || { echo "bench/run.sh: $1 needs a value" >&2; exit 2; }
            if [[ $1 == --policies ]]; then POLICIES=$2; else ENDPOINTS=$2; fi
            shift 2 ;;
        --)        shift; EXTRA=("$@"); break ;;
        -h|--help) usage; exit 0 ;;
        *)         echo "bench/run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

[[ -x $HARNESS || -f $HARNESS ]] || {
    echo "bench/run.sh: harness not found at $HARNESS (unset PORTCULLIS_BENCH_HARNESS to use bench/harness/)" >&2; exit 1; }
if ((BUILD)); then
    (cd "$ROOT" && mvn -B -q package -DskipTests)
fi
for jar in operator/target/portcullis-operator.jar dataplane/target/portcullis-dataplane.jar; do
    [[ -f $ROOT/$jar ]] || { echo "bench/run.sh: $jar is missing: run with --build" >&2; exit 1; }
done

if ((BALANCERS)); then
    ((FULL == 0)) || { echo "bench/run.sh: --balancers and --full do not go together" >&2; exit 2; }
    exec bash "$ROOT/bench/balancers.sh" "$HARNESS" "$POLICIES" "$ENDPOINTS" "$TLS" "${EXTRA[@]}"
fi

# A JVM needs longer than the harness's default 5 s prewarm to reach its steady state.
if ((FULL)); then
    MODE_ARGS=(--prewarm 20)
else
    # shellcheck disable=SC2054  # the commas belong to the --scenarios value
    MODE_ARGS=(--reps 1 --duration 5 --modes pinned --scenarios h1-small,h1-100k,h1-close,tls-h1,tls-close,h2-tls --prewarm 20)
fi

# Without --candidate-tls-port the harness skips the TLS scenarios for Portcullis.
TLS_ARGS=()
((TLS)) && TLS_ARGS=(--candidate-tls-port "$CANDIDATE_TLS_PORT")
# The harness runs the candidate with `bash -c`: quote the path for it.
printf -v CANDIDATE '%q' "$ROOT/bench/candidate.sh"
exec bash "$HARNESS" --only direct,nginx,portcullis \
    --candidate "$CANDIDATE" --candidate-port "$CANDIDATE_PORT" \
    --candidate-name portcullis "${TLS_ARGS[@]}" \
    "${MODE_ARGS[@]}" "${EXTRA[@]}"
