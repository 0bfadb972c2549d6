#!/usr/bin/env bash
# Configuration at scale, no cluster needed: the operator on the fabric8 mock API server (CRUD
# mode) and D dataplane stream clients in one JVM (operator/src/test/.../scale/ScaleBench.java).
# Prints one table per run; see bench/README.md ("Configuration at scale").
#
#   bench/scale.sh                       # N=1000 Ingresses, M=5 endpoints, K=100 ProxyRoutes, D=1
#   bench/scale.sh -n 10000 -d 10        # the issue's largest case
#   bench/scale.sh -n 100,1000 -d 1,10   # a matrix: every N with every D
#   bench/scale.sh --jmh                 # also RouteBenchmark: per-request routing at 10 vs 10,000 hosts
#
# Options: -n N[,N..]  -m M (endpoints per Ingress)  -k K (ProxyRoutes)  -d D[,D..]
#          -c C (changes timed, default 100)  --heap SIZE (test JVM -Xmx, default 3g)
#          --profile (JFR recording per run into bench/results/)
#          --compile-only (the compiler's rows only: no API server, no dataplanes)
#          --deadline MIN (how long the start-up waits for Programmed and applied, default 10; the
#            propagation phase starts after it: make it long enough for every Ingress address to be
#            written if the changes should not share the API server with the status writer)
#          --no-warm-up (measure the first compile in a cold JVM, without the operator's start-up
#            warm-up, CompilerWarmUp)
#          --operator-jvm (the operator alone in a JVM of its own: its live heap after a full GC by
#            class histogram, its RSS, the largest classes and a breakdown by part; no stage rows)
#          --operator-jvm-options "FLAGS" (that JVM's flags; default the image's with -XX:MaxRAM=2g)
set -euo pipefail
cd "$(dirname "$0")/.."

ns=1000 m=5 k=100 ds=1 changes=100 heap=3g jmh=false profile=false compile_only=false deadline=10 warm_up=true
operator_jvm=false operator_jvm_options=
while (($#)); do
  case "$1" in
    -n) ns=$2; shift 2 ;;
    -m) m=$2; shift 2 ;;
    -k) k=$2; shift 2 ;;
    -d) ds=$2; shift 2 ;;
    -c) changes=$2; shift 2 ;;
    --heap) heap=$2; shift 2 ;;
    --jmh) jmh=true; shift ;;
    --profile) profile=true; shift ;;
    --compile-only) compile_only=true; shift ;;
    --deadline) deadline=$2; shift 2 ;;
    --no-warm-up) warm_up=false; shift ;;
    --operator-jvm) operator_jvm=true; shift ;;
    --operator-jvm-options) operator_jvm=true; operator_jvm_options=$2; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "bench/scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in "$m" "$k" "$changes" "$deadline"; do
  [[ $v =~ ^[0-9]+$ ]] || { echo "bench/scale.sh: not a number: $v" >&2; exit 2; }
done

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
summary=bench/results/scale-$stamp.md
IFS=, read -ra nlist <<<"$ns"
IFS=, read -ra dlist <<<"$ds"
for n in "${nlist[@]}"; do
  for d in "${dlist[@]}"; do
    [[ $n =~ ^[0-9]+$ && $d =~ ^[1-9][0-9]*$ ]] || { echo "bench/scale.sh: bad -n/-d value: $n/$d" >&2; exit 2; }
    out=$PWD/bench/results/scale-$stamp-n$n-d$d.md
    argline="-Xmx$heap -XX:+UseG1GC -Djdk.httpclient.allowRestrictedHeaders=host"
    if $profile; then
      argline+=" -XX:FlightRecorderOptions:stackdepth=256 -XX:StartFlightRecording=filename=$PWD/bench/results/scale-$stamp-n$n-d$d.jfr,settings=profile"
    fi
    echo "== N=$n M=$m K=$k D=$d" >&2
    # -am resolves the other modules from the reactor (nothing is installed); only ScaleBench runs.
    mvn -B -o -q -pl operator -am test -Dtest=ScaleBench -Dsurefire.failIfNoSpecifiedTests=false \
      -DtrimStackTrace=false -Dsurefire.argLine="$argline" \
      -Dscale.ingresses="$n" -Dscale.endpoints="$m" -Dscale.proxyRoutes="$k" -Dscale.dataplanes="$d" \
      -Dscale.changes="$changes" -Dscale.out="$out" -Dscale.compileOnly="$compile_only" \
      -Dscale.deadlineMinutes="$deadline" -Dscale.warmUp="$warm_up" -Dscale.operatorJvm="$operator_jvm" \
      ${operator_jvm_options:+"-Dscale.operatorJvmOptions=$operator_jvm_options"} >&2 || {
        # The table is written before the mock server shuts down; that shutdown can time out on
        # a loaded machine, which fails the run but not the measurement.
        [[ -f $out ]] || { echo "bench/scale.sh: run N=$n D=$d failed; see operator/target/surefire-reports/*ScaleBench*" >&2; exit 1; }
        echo "bench/scale.sh: run N=$n D=$d ended with an error after its table (see operator/target/surefire-reports/*ScaleBench*)" >&2; }
    cat "$out" | tee -a "$summary"
    echo | tee -a "$summary"
  done
done
if $jmh; then
  bench/jmh.sh RouteBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s | tee -a "$summary"
fi
echo "tables: $summary" >&2
