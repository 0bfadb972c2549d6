#!/usr/bin/env bash
# bench/candidate.sh - Portcullis as a candidate of the shared benchmark harness.
#
# The harness (../shared/bench/run.sh) sets BENCH_PORT and BENCH_ORIGIN_PORT, runs this in its own
# session and stops it with SIGTERM. We write a manifests directory that routes every path of
# every host to the origin, start the operator on it, run one dataplane on BENCH_PORT in the
# foreground, and on SIGTERM stop both and remove the directory.
#
# TLS (when the harness got --candidate-tls-port, so BENCH_TLS_PORT is set): the harness's own
# certificate (BENCH_CERT/BENCH_KEY) becomes a kubernetes.io/tls Secret in that directory, the
# operator makes it the default certificate (wrk connects to 127.0.0.1 and sends no SNI, so no
# host would match), and the dataplane terminates TLS on BENCH_TLS_PORT.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${BENCH_PORT:?set by the benchmark harness}"
: "${BENCH_ORIGIN_PORT:?set by the benchmark harness}"
# Away from the harness's 18079-18200 and from the quick start's ports.
SNAPSHOT_PORT=${PORTCULLIS_BENCH_SNAPSHOT_PORT:-18500}
METRICS_PORT=${PORTCULLIS_BENCH_METRICS_PORT:-18501}
ADMIN_PORT=${PORTCULLIS_BENCH_ADMIN_PORT:-18502}
DATAPLANE_JAVA_OPTS=${PORTCULLIS_BENCH_DATAPLANE_JAVA_OPTS:--Xms512m -Xmx512m}
OPERATOR_JAVA_OPTS=${PORTCULLIS_BENCH_OPERATOR_JAVA_OPTS:--Xmx256m}

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
- addresses: ["127.0.0.1"]
  conditions: {ready: true}
---
# No host: every host. Prefix /: every path.
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bench, namespace: bench}
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

OPERATOR_TLS=() DATAPLANE_TLS=()
if [[ -n ${BENCH_TLS_PORT:-} ]]; then
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
# no access log.
java "${DP_OPTS[@]}" -jar "$DATAPLANE_JAR" \
    --control-plane "http://127.0.0.1:$SNAPSHOT_PORT" --node-id bench \
    --http-port "$BENCH_PORT" "${DATAPLANE_TLS[@]}" --admin-port "$ADMIN_PORT" --bind-address 127.0.0.1 \
    --log-level warn --access-log off </dev/null &
PIDS+=("$!")
# Whichever exits first ends the candidate (the trap stops the other).
wait -n
