#!/usr/bin/env bash
# bench/profile.sh - a CPU (or allocation) flame graph of the dataplane under one harness scenario.
#
#   bench/profile.sh [SCENARIO] [EVENT]      e.g. bench/profile.sh h1-small, bench/profile.sh h2-tls alloc
#
# Runs the harness with Portcullis alone (no nginx, no direct) for one scenario, 1 x 20 s after the
# usual prewarm, with async-profiler (tools.profiler:async-profiler 4.1 from Maven Central, its
# native library taken from the jar) loaded into the dataplane JVM from start to exit. The flame
# graph covers prewarm, warmup and the measured run: the steady state dominates. Output:
# bench/results/profile-SCENARIO-EVENT-<time>.html (open it in a browser). EVENT: cpu (default;
# falls back to itimer when perf events are not allowed), alloc, lock, wall.
# Needs the jars (bench/run.sh --build, or mvn package) and the harness's tools (setup.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCENARIO=${1:-h1-small}
EVENT=${2:-cpu}
case $EVENT in cpu|alloc|lock|wall|itimer) ;; *) echo "bench/profile.sh: EVENT '$EVENT' is not cpu, alloc, lock, wall or itimer" >&2; exit 2 ;; esac
VERSION=4.1
JAR=$HOME/.m2/repository/tools/profiler/async-profiler/$VERSION/async-profiler-$VERSION.jar
if [[ ! -f $JAR ]]; then
    mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$VERSION >&2
fi
LIB_DIR=$ROOT/bench/results/async-profiler-$VERSION
if [[ ! -f $LIB_DIR/linux-x64/libasyncProfiler.so ]]; then
    mkdir -p "$LIB_DIR"
    (cd "$LIB_DIR" && unzip -q -o "$JAR" 'linux-x64/*')
fi
mkdir -p "$ROOT/bench/results"
OUT=$ROOT/bench/results/profile-$SCENARIO-$EVENT-$(date +%Y%m%d-%H%M%S).html
AGENT="-agentpath:$LIB_DIR/linux-x64/libasyncProfiler.so=start,event=$EVENT,file=$OUT"
# shellcheck source=bench/jvm-options.sh
source "$ROOT/bench/jvm-options.sh"
export PORTCULLIS_BENCH_DATAPLANE_JAVA_OPTS="${PORTCULLIS_BENCH_DATAPLANE_JAVA_OPTS:-$PORTCULLIS_DATAPLANE_JVM_OPTIONS} $AGENT"
TLS=()
case $SCENARIO in tls-*|h2-tls) TLS=(--tls) ;; esac
"$ROOT/bench/run.sh" "${TLS[@]}" -- --only portcullis --scenarios "$SCENARIO" --reps 1 --duration 20 \
    --modes pinned
echo "flame graph: $OUT" >&2
