#!/usr/bin/env bash
# Soak: the operator (local mode, a manifests directory) and one dataplane as real processes,
# steady traffic through the dataplane (plain HTTP and HTTPS) and continuous churn of routes,
# endpoints and certificates, for a bounded time. Every 10 s it samples both processes' RSS and
# heap after a full GC (jcmd). It fails when any request failed, or when RSS or heap grew more
# than 5% over the last third of the run (the last 10 minutes of the default 30). See
# bench/README.md ("Soak").
#
#   bench/soak.sh                 # 30 minutes
#   bench/soak.sh --minutes 2     # a short check (window: the last third, at least 1 minute)
#   bench/soak.sh --build         # build the two jars first (mvn package -DskipTests)
#
# Options: --minutes M  --ingresses N (churned and served, default 50)  --rate R (requests/s, default 20)
#          --out FILE (samples as TSV, default bench/results/soak-<time>.tsv)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

minutes=30 ingresses=50 rate=20 build=false out=
while (($#)); do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --ingresses) ingresses=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build) build=true; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench/soak.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
for v in minutes ingresses rate; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "bench/soak.sh: --$v must be a positive number: ${!v}" >&2; exit 2; }
done
for tool in curl openssl jcmd python3; do
  command -v "$tool" >/dev/null || { echo "bench/soak.sh: $tool is needed" >&2; exit 1; }
done
if $build; then
  mvn -B -o -q -pl operator,dataplane -am package -DskipTests
fi
OPERATOR_JAR=$ROOT/operator/target/portcullis-operator.jar
DATAPLANE_JAR=$ROOT/dataplane/target/portcullis-dataplane.jar
for jar in "$OPERATOR_JAR" "$DATAPLANE_JAR"; do
  [[ -f $jar ]] || { echo "bench/soak.sh: $jar is missing (bench/soak.sh --build)" >&2; exit 1; }
done

SNAPSHOT_PORT=${PORTCULLIS_SOAK_SNAPSHOT_PORT:-18600}
METRICS_PORT=${PORTCULLIS_SOAK_METRICS_PORT:-18601}
ADMIN_PORT=${PORTCULLIS_SOAK_ADMIN_PORT:-18602}
HTTP_PORT=${PORTCULLIS_SOAK_HTTP_PORT:-18680}
HTTPS_PORT=${PORTCULLIS_SOAK_HTTPS_PORT:-18643}
ORIGIN_A=${PORTCULLIS_SOAK_ORIGIN_A:-18691}
ORIGIN_B=${PORTCULLIS_SOAK_ORIGIN_B:-18692}
mkdir -p bench/results
out=${out:-bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ).tsv}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-soak.XXXXXX")
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
mkdir -p "$WORK/manifests" "$WORK/www"
echo ok >"$WORK/www/index.html"

# Writes a manifest atomically: the operator polls the directory and must never read half a file.
put() { # name, then the YAML on stdin
  cat >"$WORK/$1.tmp" && mv "$WORK/$1.tmp" "$WORK/manifests/$1.yaml"
}

certificate() { # generation -> a fresh self-signed certificate for *.soak.example
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=soak-$1" -addext "subjectAltName=DNS:*.soak.example" \
    -keyout "$WORK/tls.key" -out "$WORK/tls.crt" 2>/dev/null
  {
    printf '%s\n' 'apiVersion: v1' 'kind: Secret' 'metadata: {name: soak-tls, namespace: soak}' \
      'type: kubernetes.io/tls' 'stringData:' '  tls.crt: |'
    sed 's/^/    /' "$WORK/tls.crt"
    echo '  tls.key: |'
    sed 's/^/    /' "$WORK/tls.key"
  } | put secret
}

slice() { # port the Service's one endpoint listens on
  put slice <<YAML
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: origin-1, namespace: soak, labels: {kubernetes.io/service-name: origin}}
addressType: IPv4
ports: [{name: http, port: $1, protocol: TCP}]
endpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]
YAML
}

ingress() { # index, generation: the served path stays, an extra path changes every generation
  put "ingress-$1" <<YAML
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app-$1
  namespace: soak
  annotations: {portcullis.io/ssl-redirect: "false"}   # plain HTTP traffic is served, not redirected
spec:
  ingressClassName: portcullis
  tls: [{hosts: [app-$1.soak.example], secretName: soak-tls}]
  rules:
  - host: app-$1.soak.example
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: origin, port: {number: 80}}}}
      - {path: /gen-$2, pathType: Exact, backend: {service: {name: origin, port: {number: 80}}}}
YAML
}

put base <<YAML
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: portcullis
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: portcullis.io/ingress-controller}
---
apiVersion: v1
kind: Service
metadata: {name: origin, namespace: soak}
spec: {ports: [{name: http, port: 80}]}
YAML
certificate 0
slice "$ORIGIN_A"
for ((i = 0; i < ingresses; i++)); do ingress "$i" 0; done

# Two identical origins: endpoint churn moves the Service between them.
for port in "$ORIGIN_A" "$ORIGIN_B"; do
  python3 -m http.server "$port" --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1 &
  PIDS+=("$!")
done
# The JVM flags that ship (bench/jvm-options.sh): the soak watches the memory a cluster would see.
# shellcheck source=bench/jvm-options.sh
source "$ROOT/bench/jvm-options.sh"
read -r -a OPERATOR_OPTS <<<"$PORTCULLIS_OPERATOR_JVM_OPTIONS"
read -r -a DATAPLANE_OPTS <<<"$PORTCULLIS_DATAPLANE_JVM_OPTIONS"
java "${OPERATOR_OPTS[@]}" -jar "$OPERATOR_JAR" --manifests "$WORK/manifests" \
  --snapshot-port "$SNAPSHOT_PORT" --metrics-port "$METRICS_PORT" --log-level warn \
  >"$WORK/operator.log" 2>&1 </dev/null &
OPERATOR=$!
PIDS+=("$OPERATOR")
for _ in $(seq 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$SNAPSHOT_PORT") 2>/dev/null && break
  kill -0 "$OPERATOR" 2>/dev/null || { cat "$WORK/operator.log" >&2; echo "bench/soak.sh: the operator exited" >&2; exit 1; }
  sleep 0.2
done
java "${DATAPLANE_OPTS[@]}" -jar "$DATAPLANE_JAR" --control-plane "http://127.0.0.1:$SNAPSHOT_PORT" --node-id soak \
  --http-port "$HTTP_PORT" --https-port "$HTTPS_PORT" --admin-port "$ADMIN_PORT" --bind-address 127.0.0.1 \
  --log-level warn --access-log off >"$WORK/dataplane.log" 2>&1 </dev/null &
DATAPLANE=$!
PIDS+=("$DATAPLANE")
ready=false
for _ in $(seq 300); do
  if curl -sf -o /dev/null -H "Host: app-0.soak.example" "http://127.0.0.1:$HTTP_PORT/"; then ready=true; break; fi
  sleep 0.2
done
$ready || { cat "$WORK/dataplane.log" >&2; echo "bench/soak.sh: the dataplane never served app-0" >&2; exit 1; }

end=$((SECONDS + minutes * 60))
echo "soak: ${minutes} min, $ingresses Ingresses, ~$rate requests/s, samples in $out" >&2

# Traffic: plain HTTP and HTTPS (SNI, so certificate rotation is exercised) over all hosts.
traffic() {
  local n=0 code host
  while ((SECONDS < end)); do
    host=app-$((n % ingresses)).soak.example
    if ((n % 2)); then
      code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Host: $host" "http://127.0.0.1:$HTTP_PORT/" || true)
    else
      code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 5 --resolve "$host:$HTTPS_PORT:127.0.0.1" \
        "https://$host:$HTTPS_PORT/" || true)
    fi
    echo "$code" >>"$WORK/codes"
    [[ $code == 200 ]] || echo "$(date -u +%T) $host $code" >>"$WORK/failures"
    n=$((n + 1))
    sleep "$(awk "BEGIN {print 1 / $rate}")"
  done
}
traffic &
TRAFFIC=$!
PIDS+=("$TRAFFIC")

# Churn: every 2 s one change, in turn a route, the endpoints, the certificate.
churn() {
  local gen=1
  while ((SECONDS < end)); do
    case $((gen % 3)) in
      0) ingress "$((gen % ingresses))" "$gen" ;;
      1) if ((gen % 2)); then slice "$ORIGIN_B"; else slice "$ORIGIN_A"; fi ;;
      2) certificate "$gen" ;;
    esac
    gen=$((gen + 1))
    sleep 2
  done
}
churn &
PIDS+=("$!")

heap_after_gc() { # pid -> KiB of heap in use after a full GC
  jcmd "$1" GC.run >/dev/null 2>&1 || true
  jcmd "$1" GC.heap_info 2>/dev/null | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub(/K,?$/, "", v); print v; exit}}'
}
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null; }

printf 'elapsed_s\toperator_rss_kib\toperator_heap_kib\tdataplane_rss_kib\tdataplane_heap_kib\trequests\tfailed\n' >"$out"
start=$SECONDS
while ((SECONDS < end)); do
  sleep 10
  for pid in "$OPERATOR" "$DATAPLANE"; do
    kill -0 "$pid" 2>/dev/null || { echo "bench/soak.sh: process $pid died" >&2; exit 1; }
  done
  total=$(wc -l <"$WORK/codes" 2>/dev/null || echo 0)
  failed=$(grep -cv '^200$' "$WORK/codes" 2>/dev/null || true)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$((SECONDS - start))" "$(rss "$OPERATOR")" "$(heap_after_gc "$OPERATOR")" \
    "$(rss "$DATAPLANE")" "$(heap_after_gc "$DATAPLANE")" "$total" "${failed:-0}" | tee -a "$out" >&2
done
wait "$TRAFFIC" 2>/dev/null || true
echo "status codes (000: no answer):" >&2
sort "$WORK/codes" | uniq -c >&2

# Verdict: no failed request; over the last third of the run (at least a minute) neither process
# grew more than 5% from the window's first sample to the mean of its last three.
python3 - "$out" "$minutes" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
minutes = int(sys.argv[2])
if len(rows) < 6:
    sys.exit("soak: too few samples")
window = max(60, minutes * 60 // 3)
last = rows[-1]
start = int(last['elapsed_s']) - window
tail = [r for r in rows if int(r['elapsed_s']) >= start]
bad = []
for col in ['operator_rss_kib', 'operator_heap_kib', 'dataplane_rss_kib', 'dataplane_heap_kib']:
    first = float(tail[0][col] or 0)
    end = sum(float(r[col] or 0) for r in tail[-3:]) / 3
    growth = (end - first) / first * 100 if first else 0
    print(f"{col}: {first:.0f} -> {end:.0f} KiB over the last {window // 60} min ({growth:+.1f}%)")
    if growth > 5:
        bad.append(col)
failed = int(last['failed'])
print(f"requests: {last['requests']}, failed: {failed}")
if failed or bad:
    sys.exit("soak: FAILED (" + ", ".join(bad + (["failed requests"] if failed else [])) + ")")
print("soak: passed")
PY
