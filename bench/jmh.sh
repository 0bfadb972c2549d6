#!/usr/bin/env bash
# Builds the JMH benchmarks (profile jmh, from the reactor: nothing is installed into ~/.m2) and
# runs them. Arguments go to JMH; without any, a short run: 1 fork, 3 warm-up and 3 measurement
# iterations of 1 s. Example: bench/jmh.sh PickBenchmark -p endpoints=1000
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -o -q -Pjmh -pl bench/jmh -am package -DskipTests
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  args=(PickBenchmark -f 1 -wi 3 -i 3 -w 1s -r 1s)
fi
exec java -jar bench/jmh/target/benchmarks.jar "${args[@]}"
