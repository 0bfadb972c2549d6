#!/usr/bin/env bash
# bench/candidate.sh - Portcullis as a candidate of the benchmark harness (bench/harness/).
#
# The harness (bench/harness/run.sh) sets BENCH_PORT and BENCH_ORIGIN_PORT, runs this in its own
# session and stops it with SIGTERM. We write a manifests directory that routes every path of
# every host to the origin, start the operator on it, run one dataplane on BENCH_PORT in the
# foreground, and on SIGTERM stop both and remove the directory.
#
# TLS (when the harness got --candidate-tls-port, so BENCH_TLS_PORT is set): the harness's own
# certificate (BENCH_CERT/BENCH_KEY) becomes a kubernetes.io/tls Secret in that directory, the
# operator makes it the default certificate (wrk connects to 127.0.0.1 and sends no SNI, so no
# host would match), and the dataplane terminates TLS on BENCH_TLS_PORT.
#
# Balancing (bench/run.sh --balancers): PORTCULLIS_BENCH_POLICY sets the Ingress annotation
# portcullis.io/load-balancer (unset: the cluster default), PORTCULLIS_BENCH_ENDPOINTS the number of
# endpoints (default 1). The harness's origin listens on 127.0.0.1 and one port only, and nothing
# else may be contacted, so endpoint k is the same socket address spelled differently: 127.0.0.1,
# 127.0.0.01, 127.0.00.1, ... (zeros before an octet of 0 or 1 mean the same in decimal and octal;
# the JDK parses every spelling to 127.0.0.1). The operator and the dataplane key endpoints by
# their text, so each is a separate endpoint to the balancer (own active-request count, own
# keep-alive pool) while the origin sees the same connections as with one.
#
# Features (bench/features.sh): PORTCULLIS_BENCH_ROUTE names a YAML file (a ProxyRoute, an Ingress
# with annotations, Secrets it needs, ...) that replaces the catch-all Ingress. It must send its
# requests to the Service bench/origin, port 80, which this script writes as always.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${BENCH_PORT:?set by the benchmark harness}"
: "${BENCH_ORIGIN_PORT:?set by the benchmark harness}"
# Away from the harness's 18079-18200 and from the quick start's ports.
SNAPSHOT_PORT=${PORTCULLIS_BENCH_SNAPSHOT_PORT:-18500}
METRICS_PORT=${PORTCULLIS_BENCH_METRICS_PORT:-18501}
ADMIN_PORT=${PORTCULLIS_BENCH_ADMIN_PORT:-18502}
# The JVM flags the images ship (bench/jvm-options.sh), so the benchmark measures what runs in a
# cluster; the variables replace them (e.g. to compare collectors: bench/README.md, "Memory").
# shellcheck source=bench/jvm-options.sh
source "$ROOT/bench/jvm-options.sh"
DATAPLANE_JAVA_OPTS=${PORTCULLIS_BENCH_DATAPLANE_JAVA_OPTS:-$PORTCULLIS_DATAPLANE_JVM_OPTIONS}
OPERATOR_JAVA_OPTS=${PORTCULLIS_BENCH_OPERATOR_JAVA_OPTS:-$PORTCULLIS_OPERATOR_JVM_OPTIONS}
POLICY=${PORTCULLIS_BENCH_POLICY:-}
ENDPOINTS=${PORTCULLIS_BENCH_ENDPOINTS:-1}
ROUTE=${PORTCULLIS_BENCH_ROUTE:-}
ACCESS_LOG=${PORTCULLIS_BENCH_ACCESS_LOG:-off}
[[ $ACCESS_LOG == off || $ACCESS_LOG == json ]] || { echo "candidate.sh: PORTCULLIS_BENCH_ACCESS_LOG='$ACCESS_LOG' is not off or json" >&2; exit 2; }
[[ -z $ROUTE || -f $ROUTE ]] || { echo "candidate.sh: PORTCULLIS_BENCH_ROUTE='$ROUTE' is not a file" >&2; exit 2; }
[[ -z $ROUTE || -z $POLICY ]] || { echo "candidate.sh: PORTCULLIS_BENCH_POLICY applies to the built-in Ingress only, not with PORTCULLIS_BENCH_ROUTE" >&2; exit 2; }

# A misspelt policy would only be an event on the Ingress and the default would be measured under
# the wrong name: refuse it here.
if [[ -n $POLICY ]] && ! [[ $POLICY =~ ^(round-robin|least-request|random|maglev-client-address|(maglev-header|maglev-cookie|maglev-query|cookie-affinity):[!#$%&\'*+.^_\`|~0-9A-Za-z-]+)$ ]]; then
    echo "candidate.sh: PORTCULLIS_BENCH_POLICY='$POLICY' is not a portcullis.io/load-balancer value" \
        "(round-robin, least-request, random, maglev-client-address, maglev-header:NAME, ...)" >&2
    exit 2
fi

# Spellings of 127.0.0.1 with 0..6 extra zeros spread over the last three octets (at most 15
# characters, the longest IPv4 literal the JDK accepts): 84 in all, shortest first.
loopback_spellings() {
    local want=$1 t a b c n=0 zeros=000000
    for ((t = 0; t <= 6; t++)); do
        for ((a = 0; a <= t; a++)); do
            for ((b = 0; b <= t - a; b++)); do
                c=$((t - a - b))
                echo "127.0${zeros:0:a}.0${zeros:0:b}.${zeros:0:c}1"
                ((++n < want)) || return 0
            done
        done
    done
}
MAX_ENDPOINTS=84
if ! [[ $ENDPOINTS =~ ^[0-9]+$ ]] || ((ENDPOINTS < 1 || ENDPOINTS > MAX_ENDPOINTS)); then
    echo "candidate.sh: PORTCULLIS_BENCH_ENDPOINTS='$ENDPOINTS' must be 1..$MAX_ENDPOINTS" >&2
    exit 2
fi

OPERATOR_JAR=$ROOT/operator/target/portcullis-operator.jar
DATAPLANE_JAR=$ROOT/dataplane/target/portcullis-dataplane.jar
for jar in "$OPERATOR_JAR" "$DATAPLANE_JAR"; do
    [[ -f $jar ]] || { echo "candidate.sh: $jar is missing (mvn -B package -DskipTests)" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-bench.XXXXXX")
cat >"$WORK/bench.yaml" <<YAML
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: portcullis
  annotations:
    ingressclass.kubernetes.io/is-default-class: "true"
spec:
  controller: portcullis.io/ingress-controller
---
apiVersion: v1
kind: Service
metadata: {name: origin, namespace: bench}
spec:
  ports: [{name: http, port: 80, targetPort: $BENCH_ORIGIN_PORT}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: origin-1
  namespace: bench
  labels: {kubernetes.io/service-name: origin}
addressType: IPv4
ports: [{name: http, port: $BENCH_ORIGIN_PORT, protocol: TCP}]
endpoints:
$(loopback_spellings "$ENDPOINTS" | sed 's/.*/- addresses: ["&"]\n  conditions: {ready: true}/')
YAML
if [[ -n $ROUTE ]]; then
    cp "$ROUTE" "$WORK/route.yaml"
else
    cat >>"$WORK/bench.yaml" <<YAML
---
# No host: every host. Prefix /: every path.
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: bench
  namespace: bench
$([[ -z $POLICY ]] || printf '  annotations: {portcullis.io/load-balancer: "%s"}' "$POLICY")
spec:
  ingressClassName: portcullis
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: origin, port: {number: 80}}
YAML
fi

# The harness exports BENCH_TLS_PORT=0 to a candidate without a TLS port. The dataplane then
# still needs a free HTTPS port (its default, 8443, would collide when two candidates run side by
# side): 0 takes an ephemeral one, which serves nothing without a certificate.
OPERATOR_TLS=() DATAPLANE_TLS=(--https-port 0)
if [[ -n ${BENCH_TLS_PORT:-} && $BENCH_TLS_PORT != 0 ]]; then
    : "${BENCH_CERT:?set by the benchmark harness with BENCH_TLS_PORT}"
    : "${BENCH_KEY:?set by the benchmark harness with BENCH_TLS_PORT}"
    {
        printf '%s\n' 'apiVersion: v1' 'kind: Secret' 'metadata: {name: bench-tls, namespace: bench}' \
            'type: kubernetes.io/tls' 'stringData:' '  tls.crt: |'
        sed 's/^/    /' "$BENCH_CERT"
        echo '  tls.key: |'
        sed 's/^/    /' "$BENCH_KEY"
    } >"$WORK/tls-secret.yaml"
    OPERATOR_TLS=(--default-certificate bench/bench-tls)
    DATAPLANE_TLS=(--https-port "$BENCH_TLS_PORT")
fi

PIDS=()
cleanup() {
    trap - EXIT TERM INT
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

read -r -a OP_OPTS <<<"$OPERATOR_JAVA_OPTS"
read -r -a DP_OPTS <<<"$DATAPLANE_JAVA_OPTS"
java "${OP_OPTS[@]}" -jar "$OPERATOR_JAR" --manifests "$WORK" \
    --snapshot-port "$SNAPSHOT_PORT" --metrics-port "$METRICS_PORT" "${OPERATOR_TLS[@]}" </dev/null &
PIDS+=("$!")
# Start the dataplane once the operator listens, so its first connect needs no back-off.
for _ in $(seq 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$SNAPSHOT_PORT") 2>/dev/null && break
    kill -0 "${PIDS[0]}" 2>/dev/null || { echo "candidate.sh: the operator exited" >&2; exit 1; }
    sleep 0.2
done
# Logging would cost CPU the other proxies do not pay (they run with access_log off): warn level,
# no access log, unless PORTCULLIS_BENCH_ACCESS_LOG=json measures what the default costs (the lines
# go to a file, as a container runtime would take them from stdout).
java "${DP_OPTS[@]}" -jar "$DATAPLANE_JAR" \
    --control-plane "http://127.0.0.1:$SNAPSHOT_PORT" --node-id bench \
    --http-port "$BENCH_PORT" "${DATAPLANE_TLS[@]}" --admin-port "$ADMIN_PORT" --bind-address 127.0.0.1 \
    --log-level warn --access-log "$ACCESS_LOG" </dev/null >"$WORK/access.log" &
PIDS+=("$!")
# Whichever exits first ends the candidate (the trap stops the other).
wait -n
