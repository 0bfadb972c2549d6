#!/usr/bin/env bash
# bench/profile.sh - a CPU (or allocation) flame graph of the dataplane under one harness scenario.
#
#   bench/profile.sh [SCENARIO] [EVENT]      e.g. bench/profile.sh h1-small, bench/profile.sh h2-tls alloc
#
# Runs the harness with Portcullis alone (no nginx, no direct) for one scenario, 1 x 20 s after the
# usual prewarm, and profiles the dataplane JVM with async-profiler (tools.profiler:async-profiler
# 4.1 from Maven Central, its native library taken from the jar) during the measured run only: the
# agent is loaded into the running JVM (`jcmd JVMTI.agent_load`, what async-profiler's own
# launcher does) once the harness says the prewarm is over, and stopped 20 s later. Profiling
# from the JVM's start instead put the JIT compiler's warm-up (a third of the h2-tls samples)
# into the graph. Output: bench/results/profile-SCENARIO-EVENT-<time>.html (open it in a
# browser) and the same samples as collapsed stacks in profile-SCENARIO-EVENT-<time>.collapsed. EVENT: cpu (default; falls back to itimer when perf events are not allowed), alloc,
# lock, wall. Environment: PREWARM=SECONDS (the harness's --prewarm; 40 leaves no JIT compiling in
# the measured run), INTERVAL=NANOSECONDS (async-profiler's sampling interval; its default, 10 ms of
# CPU, gives ~2,000 samples in 20 s: 1000000 gives ten times as many),
# PORTCULLIS_BENCH_ACCESS_LOG=json (profile with the access log on).
# Needs the jars (bench/run.sh --build, or mvn package), jcmd, and the harness's tools (setup.sh).
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
LIB=$LIB_DIR/linux-x64/libasyncProfiler.so
DURATION=20
TLS=()
case $SCENARIO in tls-*|h2-tls) TLS=(--tls) ;; esac
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
# Debug information at every instruction, not only at safepoints, in the code the JIT compiles:
# without it a sample in compiled code is charged to the nearest safepoint's frame. The agent asks
# for it when it is loaded, but by then (after the prewarm) the hot code is compiled, and profiles
# taken that way put 1-2% each on frames that cost next to nothing (ConcurrentHashMap.get in
# ProxyMetrics, Thread.getState in Netty's Recycler, DefaultAttributeMap.hasAttr): with the flag
# they measured 0.1% or less (bench/README.md, "Request path, session 11").
. "$ROOT/bench/jvm-options.sh"
export PORTCULLIS_BENCH_DATAPLANE_JAVA_OPTS="${PORTCULLIS_BENCH_DATAPLANE_JAVA_OPTS:-$PORTCULLIS_DATAPLANE_JVM_OPTIONS} -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints"
"$ROOT/bench/run.sh" "${TLS[@]}" -- --only portcullis --scenarios "$SCENARIO" --reps 1 --duration "$DURATION" \
    --modes pinned ${PREWARM:+--prewarm "$PREWARM"} 2>&1 | tee "$LOG" &
HARNESS=$!
# The harness logs "N runs, about M min" when the prewarm is over and the measured runs begin.
until grep -q 'runs, about' "$LOG"; do
    kill -0 "$HARNESS" 2>/dev/null || { wait "$HARNESS"; echo "bench/profile.sh: the harness ended before its runs" >&2; exit 1; }
    sleep 0.2
done
PID=$(pgrep -n -f "$ROOT/dataplane/target/portcullis-dataplane.jar") \
    || { echo "bench/profile.sh: no dataplane of $ROOT is running" >&2; exit 1; }
# The option in quotes: jcmd would otherwise read "x=y" as one of its own named arguments.
jcmd "$PID" JVMTI.agent_load "$LIB" "\"start,event=$EVENT${INTERVAL:+,interval=$INTERVAL}\"" >/dev/null
sleep "$DURATION"
# The same samples twice: a flame graph to look at, and collapsed stacks (one "frame;frame;... count"
# line per stack) to add up with a script or to diff against another run's.
jcmd "$PID" JVMTI.agent_load "$LIB" "\"dump,file=${OUT%.html}.collapsed\"" >/dev/null
jcmd "$PID" JVMTI.agent_load "$LIB" "\"stop,file=$OUT\"" >/dev/null
wait "$HARNESS"
[[ -s $OUT ]] || { echo "bench/profile.sh: async-profiler wrote no $OUT (see the dataplane's output in the harness's work dir)" >&2; exit 1; }
echo "flame graph: $OUT (collapsed stacks: ${OUT%.html}.collapsed)" >&2
