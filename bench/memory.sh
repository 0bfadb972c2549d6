#!/usr/bin/env bash
# bench/memory.sh - resident memory (RSS, not heap) of the dataplane JVM idle with the quick-start
# config and under the h1-small load, for several JVM flag sets, one after the other; and of the
# operator JVM idle. See bench/README.md, "Memory".
#
# For each dataplane flag set: start the dataplane on the quick-start manifests (plus one
# Ingress, host bench.localhost, to a local nginx answering 18 bytes, the harness's origin),
# wait until it routes a request to the origin (start_ms: from the launch), let it sit for --idle
# seconds and read VmRSS; then wrk -t2 -c64 (h1-small) for --duration seconds, sampling VmRSS
# every second (peak and end); --idle seconds later VmRSS again (after), then stop it. RSS does
# not need a quiet machine; the req/s and start_ms printed alongside do (req/s only shows that
# the load ran).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORIGIN_PORT=${PORTCULLIS_MEM_ORIGIN_PORT:-28380}
HTTP_PORT=${PORTCULLIS_MEM_HTTP_PORT:-28390}
ADMIN_PORT=${PORTCULLIS_MEM_ADMIN_PORT:-28392}
SNAPSHOT_PORT=${PORTCULLIS_MEM_SNAPSHOT_PORT:-28393}
METRICS_PORT=${PORTCULLIS_MEM_METRICS_PORT:-28394}
IDLE=20 DURATION=20 OPERATOR_OPTS="" DP_SETS=() OP_SETS=() PIN="" NMT=0

usage() {
    cat <<'USAGE'
usage: bench/memory.sh [--set 'NAME=JVM FLAGS']... [--operator-set 'NAME=JVM FLAGS']...
                       [--idle S] [--duration S] [--operator-opts 'FLAGS'] [--pin CPUS] [--nmt]

  --set 'NAME=FLAGS'           a dataplane flag set (repeatable); default: "shipped" (the
                               flags of bench/jvm-options.sh), then the sets in
                               bench/memory-sets.txt (one NAME=FLAGS a line)
  --operator-set 'NAME=FLAGS'  an operator flag set, measured idle with the quick-start config
                               (repeatable); default: "shipped", then the lines of
                               bench/memory-sets.txt that start with operator:
  --operator-opts 'FLAGS'      the operator's flags while dataplanes are measured (default: the
                               operator's JAVA_OPTS of bench/jvm-options.sh)
  --idle S                     seconds between the first routed request and the idle reading,
                               and between the end of the load and the "after" reading
                               (default 20)
  --duration S                 seconds of h1-small load (default 20)
  --pin CPUS                   run the dataplane under taskset -c CPUS (e.g. 0: one core, as
                               in the benchmark; its event loops, arenas and GC threads follow)
  --nmt                        add -XX:NativeMemoryTracking=summary and keep jcmd's
                               VM.native_memory summary at idle and after the load, and the
                               thread names at idle, beside the table (where the resident memory
                               goes; NMT itself costs a few MiB)
Results: a table on stdout and bench/results/memory-<time>.tsv.
USAGE
}

while (($#)); do
    case $1 in
        --set)           DP_SETS+=("$2"); shift 2 ;;
        --operator-set)  OP_SETS+=("$2"); shift 2 ;;
        --operator-opts) OPERATOR_OPTS=$2; shift 2 ;;
        --idle|--duration)
            [[ ${2:-} =~ ^[0-9]+$ ]] && ((10#$2 > 0)) || { echo "bench/memory.sh: $1 needs a whole number above 0" >&2; exit 2; }
            if [[ $1 == --idle ]]; then IDLE=$2; else DURATION=$2; fi
            shift 2 ;;
        --pin)           PIN=$2; shift 2 ;;
        --nmt)           NMT=1; shift ;;
        -h|--help)       usage; exit 0 ;;
        *)               echo "bench/memory.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done
for t in nginx wrk curl openssl java $( ((NMT)) && echo jcmd); do
    command -v "$t" >/dev/null || { echo "bench/memory.sh: $t not found" >&2; exit 1; }
done
for jar in operator/target/portcullis-operator.jar dataplane/target/portcullis-dataplane.jar; do
    [[ -f $ROOT/$jar ]] || { echo "bench/memory.sh: $jar is missing (mvn -B -q package -DskipTests)" >&2; exit 1; }
done
# shellcheck source=bench/jvm-options.sh
source "$ROOT/bench/jvm-options.sh"
[[ -n $OPERATOR_OPTS ]] || OPERATOR_OPTS=$PORTCULLIS_OPERATOR_JVM_OPTIONS
if ((${#DP_SETS[@]} == 0 && ${#OP_SETS[@]} == 0)); then
    DP_SETS=("shipped=$PORTCULLIS_DATAPLANE_JVM_OPTIONS") OP_SETS=("shipped=$PORTCULLIS_OPERATOR_JVM_OPTIONS")
    while IFS= read -r line; do
        [[ -z $line || $line == \#* ]] && continue
        if [[ $line == operator:* ]]; then OP_SETS+=("${line#operator:}"); else DP_SETS+=("$line"); fi
    done <"$ROOT/bench/memory-sets.txt"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-memory.XXXXXX")
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    [[ -f $W/origin/nginx.pid ]] && kill -TERM "$(cat "$W/origin/nginx.pid")" 2>/dev/null || true
    if [[ -n ${PORTCULLIS_MEM_KEEP:-} ]]; then echo "kept: $W (logs, wrk output)" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- origin and manifests
mkdir -p "$W/origin/tmp" "$W/manifests"
cat >"$W/origin/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $W/origin/nginx.pid;
error_log $W/origin/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
    client_body_temp_path $W/origin/tmp; proxy_temp_path $W/origin/tmp; fastcgi_temp_path $W/origin/tmp;
    uwsgi_temp_path $W/origin/tmp; scgi_temp_path $W/origin/tmp;
    server {
        listen 127.0.0.1:$ORIGIN_PORT backlog=4096;
        location = / { default_type text/plain; return 200 "hello from origin\n"; }
    }
}
EOF
nginx -p "$W/origin" -c "$W/origin/nginx.conf" -e "$W/origin/error.log" </dev/null >/dev/null 2>&1 &
PIDS+=("$!")

cp "$ROOT"/examples/quickstart/*.yaml "$W/manifests/"
# The quick start's 40-secure.yaml names this Secret; run-local.sh generates it the same way.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=secure.localhost \
    -addext "subjectAltName=DNS:secure.localhost" -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
{
    printf '%s\n' 'apiVersion: v1' 'kind: Secret' "metadata: {name: secure-localhost-tls, namespace: default}" \
        'type: kubernetes.io/tls' 'stringData:' '  tls.crt: |'
    sed 's/^/    /' "$W/cert.pem"
    echo '  tls.key: |'
    sed 's/^/    /' "$W/key.pem"
} >"$W/manifests/45-secret.yaml"
cat >"$W/manifests/90-bench.yaml" <<EOF
apiVersion: v1
kind: Service
metadata: {name: bench-origin, namespace: default}
spec:
  ports: [{name: http, port: 80}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: bench-origin-1
  namespace: default
  labels: {kubernetes.io/service-name: bench-origin}
addressType: IPv4
ports: [{name: http, port: $ORIGIN_PORT, protocol: TCP}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bench, namespace: default}
spec:
  rules:
  - host: bench.localhost
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: bench-origin, port: {number: 80}}}}
EOF

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
wait_port() {   # wait_port PORT PID
    local i
    for ((i = 0; i < 300; i++)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}

start_operator() {   # start_operator FLAGS -> OP_PID
    local opts
    read -r -a opts <<<"$1"
    java "${opts[@]}" -jar "$ROOT/operator/target/portcullis-operator.jar" --manifests "$W/manifests" \
        --snapshot-port "$SNAPSHOT_PORT" --metrics-port "$METRICS_PORT" </dev/null >"$W/operator.log" 2>&1 &
    OP_PID=$!
    PIDS+=("$OP_PID")
    wait_port "$SNAPSHOT_PORT" "$OP_PID" || { tail -n 20 "$W/operator.log" >&2; echo "bench/memory.sh: the operator did not start" >&2; exit 1; }
}
stop_pid() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

TS=$(date +%Y%m%d-%H%M%S)
RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
mkdir -p "$RESULTS_DIR"
OUT=$RESULTS_DIR/memory-$TS.tsv
printf 'process\tset\tflags\tidle_rss_mib\tload_peak_rss_mib\tload_end_rss_mib\tafter_rss_mib\tthreads_idle\tthreads_load\treq_s\tstart_ms\n' >"$OUT"
printf '%-9s %-22s %9s %10s %9s %9s %8s %8s %8s\n' process set idle_MiB load_peak load_end after threads req/s start_ms

measure_dataplane() {   # measure_dataplane NAME FLAGS
    local name=$1 opts pin=() dp idle peak=0 endr after t_idle t_load r reqs
    read -r -a opts <<<"$2"
    ((NMT)) && opts+=(-XX:NativeMemoryTracking=summary)
    [[ -z $PIN ]] || pin=(taskset -c "$PIN")
    local t0 i start_ms=""
    t0=$(date +%s%N)
    "${pin[@]}" java "${opts[@]}" -jar "$ROOT/dataplane/target/portcullis-dataplane.jar" \
        --control-plane "http://127.0.0.1:$SNAPSHOT_PORT" --node-id "mem-$name" \
        --http-port "$HTTP_PORT" --https-port 0 --admin-port "$ADMIN_PORT" --bind-address 127.0.0.1 \
        --log-level warn </dev/null >"$W/dataplane-$name.log" 2>&1 &
    dp=$!
    PIDS+=("$dp")
    # Start-up: from the launch to the first request the dataplane routes to the origin (it has
    # connected, received the snapshot and applied it), polled every 50 ms.
    for ((i = 0; i < 1200; i++)); do
        if [[ $(curl -s --max-time 1 -H 'Host: bench.localhost' "http://127.0.0.1:$HTTP_PORT/" 2>/dev/null) == "hello from origin" ]]; then
            start_ms=$((($(date +%s%N) - t0) / 1000000))
            break
        fi
        kill -0 "$dp" 2>/dev/null || { tail -n 20 "$W/dataplane-$name.log" >&2; echo "bench/memory.sh: dataplane '$name' exited" >&2; return 1; }
        sleep 0.05
    done
    [[ -n $start_ms ]] ||
        { echo "bench/memory.sh: dataplane '$name' does not route bench.localhost to the origin after 60 s" >&2; stop_pid "$dp"; return 1; }
    sleep "$IDLE"
    idle=$(rss_kib "$dp") t_idle=$(threads "$dp")
    if ((NMT)); then
        jcmd "$dp" VM.native_memory summary >"$RESULTS_DIR/memory-$TS-$name-idle.nmt" 2>&1
        jcmd "$dp" Thread.print 2>&1 | sed -n 's/^"\([^"]*\)".*/\1/p' >"$RESULTS_DIR/memory-$TS-$name-idle.threads"
    fi
    wrk -t2 -c64 -d"${DURATION}s" -H 'Host: bench.localhost' "http://127.0.0.1:$HTTP_PORT/" >"$W/wrk-$name.txt" 2>&1 &
    local wrk_pid=$!
    while kill -0 "$wrk_pid" 2>/dev/null; do
        r=$(rss_kib "$dp"); ((r > peak)) && peak=$r
        sleep 1
    done
    wait "$wrk_pid" || true
    t_load=$(threads "$dp")
    endr=$(rss_kib "$dp"); ((endr > peak)) && peak=$endr
    ((NMT)) && jcmd "$dp" VM.native_memory summary >"$RESULTS_DIR/memory-$TS-$name-load.nmt" 2>&1
    # and once the load is over: what stays resident (JIT code, pools, a grown heap) and what
    # the process gives back
    sleep "$IDLE"
    after=$(rss_kib "$dp")
    reqs=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$W/wrk-$name.txt")
    if grep -q 'Non-2xx\|Socket errors' "$W/wrk-$name.txt"; then reqs="$reqs(errors!)"; fi
    stop_pid "$dp"
    printf '%-9s %-22s %9s %10s %9s %9s %8s %8s %8s\n' dataplane "$name" "$(mib "$idle")" "$(mib "$peak")" "$(mib "$endr")" "$(mib "$after")" "$t_idle/$t_load" "${reqs:-?}" "$start_ms"
    printf 'dataplane\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$2" "$(mib "$idle")" "$(mib "$peak")" "$(mib "$endr")" "$(mib "$after")" "$t_idle" "$t_load" "${reqs:-}" "$start_ms" >>"$OUT"
}

if ((${#DP_SETS[@]})); then
    start_operator "$OPERATOR_OPTS"
    for set in "${DP_SETS[@]}"; do
        measure_dataplane "${set%%=*}" "${set#*=}" || true
    done
    stop_pid "$OP_PID"
fi

# The operator idle: quick-start config, one dataplane connected (the stream is open), after --idle.
for set in "${OP_SETS[@]}"; do
    name=${set%%=*}
    start_operator "${set#*=}"
    read -r -a dpo <<<"$PORTCULLIS_DATAPLANE_JVM_OPTIONS"
    java "${dpo[@]}" -jar "$ROOT/dataplane/target/portcullis-dataplane.jar" \
        --control-plane "http://127.0.0.1:$SNAPSHOT_PORT" --node-id mem-op --http-port "$HTTP_PORT" --https-port 0 \
        --admin-port "$ADMIN_PORT" --bind-address 127.0.0.1 --log-level warn </dev/null >"$W/dataplane-op.log" 2>&1 &
    dp=$!
    PIDS+=("$dp")
    sleep "$IDLE"
    idle=$(rss_kib "$OP_PID")
    printf '%-9s %-22s %9s %10s %9s %9s %8s %8s %8s\n' operator "$name" "$(mib "$idle")" - - - "$(threads "$OP_PID")" - -
    printf 'operator\t%s\t%s\t%s\t\t\t\t%s\t\t\t\n' "$name" "${set#*=}" "$(mib "$idle")" "$(threads "$OP_PID")" >>"$OUT"
    stop_pid "$dp"
    stop_pid "$OP_PID"
done
echo "raw: $OUT"
