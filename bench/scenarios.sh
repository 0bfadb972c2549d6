#!/usr/bin/env bash
# bench/scenarios.sh - the scenarios Portcullis will be judged on next (issue 17, item 8), each
# beside nginx and HAProxy configured for the same job, one run of the harness (bench/harness/)
# per scenario: many-hosts, many-endpoints, h2-backend. See bench/README.md, "Scenarios at scale
# and HTTP/2 to the backend".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${PORTCULLIS_BENCH_HARNESS:-$ROOT/bench/harness/run.sh}
CONF=$(dirname "$HARNESS")/conf
ALL=many-hosts,many-endpoints,h2-backend
CANDIDATE_PORT=${PORTCULLIS_BENCH_PORT:-18090}
CANDIDATE_TLS_PORT=${PORTCULLIS_BENCH_TLS_PORT:-18190}
BASE_PORT=${BASE_PORT:-18080}                       # the harness's; its origin's h2c port is +200
HOSTS=${MANY_HOSTS:-5000}
ENDPOINTS=${MANY_ENDPOINTS:-500}
ENDPOINT_PORT=${MANY_ENDPOINTS_FIRST_PORT:-$((BASE_PORT + 1000))}
GRPC_PATH=/bench.Echo/Unary

usage() {
    cat <<'USAGE'
usage: bench/scenarios.sh [SCENARIOS] [--reps N] [--duration S] [--prewarm S] [--warmup S] [--build]
                          [-- HARNESS_ARGS...]

  SCENARIOS  comma separated, default all: many-hosts,many-endpoints,h2-backend
    many-hosts      HTTP/1.1 keep-alive, 18-byte body; every request names the next of 5,000
                    virtual hosts in its Host header (wrk script conf/many-hosts.lua). nginx: one
                    server block per host; HAProxy: a host map; Portcullis: one Ingress per
                    host. An unknown host gets 404 from each (checked before measuring).
    many-endpoints  HTTP/1.1 keep-alive, 18-byte body, through one cluster of 500 endpoints:
                    the origin listens on 500 extra ports of 127.0.0.1 (one process), nginx has
                    an upstream of 500 servers, HAProxy a backend of 500 servers, Portcullis a
                    Service with 500 endpoints (one EndpointSlice per port); round robin each.
    h2-backend      gRPC-like unary calls: h2load POSTs a 12-byte gRPC message
                    (content-type: application/grpc, te: trailers) over HTTP/2 and TLS; the
                    proxy forwards over h2c (prior knowledge) to an origin port that speaks only
                    HTTP/2 and answers with a gRPC message and a grpc-status trailer. nginx:
                    grpc_pass; HAProxy: server ... proto h2; Portcullis: appProtocol
                    kubernetes.io/h2c.
  --reps N       repetitions (default 2)
  --duration S   seconds per measured run (default 10)
  --prewarm S    warm-up per proxy after start (default 20; the harness's prewarm is h1-small and
                 h2-tls, so it does not reach h2-backend's upstream HTTP/2 path: --warmup does)
  --warmup S     unmeasured seconds of the scenario's own load before every run (default 5)
  --build        mvn -B -q package -DskipTests first (otherwise the jars must exist)
  -- ARGS        passed on to the harness last (e.g. -- --quiet-wait 15 --retry-noisy 1)

Pinned mode (servers on one core, the load generator on the other), proxies direct, nginx,
HAProxy and Portcullis (bench/candidate.sh with a scenario's manifests). Quick check that it
all works: bench/scenarios.sh --reps 1 --duration 3 --prewarm 5 --warmup 1.
Environment: MANY_HOSTS (5000), MANY_ENDPOINTS (500), MANY_ENDPOINTS_FIRST_PORT (19080: the
origin's extra ports are FIRST .. FIRST+N-1), BASE_PORT (the harness's, 18080),
PORTCULLIS_BENCH_PORT / _TLS_PORT (18090 / 18190), RESULTS_DIR (bench/results).
Results: bench/results/scenarios-<time>-<scenario>.{tsv,txt}; after the harness's report a
line per scenario: Portcullis' req/s over nginx's and HAProxy's, and proxy CPU us per request
and p99 of all three.
USAGE
}

SCENARIOS=$ALL REPS=2 DURATION=10 PREWARM=20 WARMUP=5 BUILD=0 EXTRA=()
while (($#)); do
    case $1 in
        --reps|--duration|--prewarm|--warmup)
            (($# >= 2)) && [[ $2 =~ ^[0-9]+$ ]] && { [[ $1 == --prewarm || $1 == --warmup ]] || ((10#$2 > 0)); } ||
                { echo "bench/scenarios.sh: $1 needs a whole number above 0 (got '${2:-}')" >&2; exit 2; }
            case $1 in --reps) REPS=$2 ;; --duration) DURATION=$2 ;; --prewarm) PREWARM=$2 ;; --warmup) WARMUP=$2 ;; esac
            shift 2 ;;
        --build)   BUILD=1; shift ;;
        --)        shift; EXTRA=("$@"); break ;;
        -h|--help) usage; exit 0 ;;
        -*)        echo "bench/scenarios.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *)         SCENARIOS=$1; shift ;;
    esac
done
IFS=, read -r -a SCEN_LIST <<<"$SCENARIOS"
((${#SCEN_LIST[@]})) || { echo "bench/scenarios.sh: no scenario given" >&2; exit 2; }
for s in "${SCEN_LIST[@]}"; do
    [[ ,$ALL, == *,$s,* ]] || { echo "bench/scenarios.sh: unknown scenario '$s' (known: $ALL)" >&2; exit 2; }
done
for v in HOSTS ENDPOINTS ENDPOINT_PORT BASE_PORT; do
    [[ ${!v} =~ ^[0-9]+$ ]] && ((${!v} > 0)) || { echo "bench/scenarios.sh: $v must be a whole number above 0 (got '${!v}')" >&2; exit 2; }
done
((ENDPOINT_PORT >= 1024 && ENDPOINT_PORT + ENDPOINTS - 1 <= 65535)) ||
    { echo "bench/scenarios.sh: MANY_ENDPOINTS_FIRST_PORT + MANY_ENDPOINTS must stay within 1024-65535" >&2; exit 2; }
[[ -f $HARNESS ]] || { echo "bench/scenarios.sh: harness not found at $HARNESS" >&2; exit 1; }

if ((BUILD)); then (cd "$ROOT" && mvn -B -q package -DskipTests); fi
for jar in operator/target/portcullis-operator.jar dataplane/target/portcullis-dataplane.jar; do
    [[ -f $ROOT/$jar ]] || { echo "bench/scenarios.sh: $jar is missing: run with --build" >&2; exit 1; }
done

FW=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-scenarios.XXXXXX")
trap 'rm -rf "$FW"' EXIT
export RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
mkdir -p "$RESULTS_DIR"
TS=$(date +%Y%m%d-%H%M%S)
LAST_PORT=$((ENDPOINT_PORT + ENDPOINTS - 1))
H2C_PORT=$((BASE_PORT + 200))

# ---------------------------------------------------------------- many-hosts
# nginx: a default server answering 404 (first, so unknown hosts and the TLS port land there),
# then the harness's proxy server block once per host with its server_name, on the plain port.
many_hosts_nginx() {
    awk -v n="$HOSTS" '
        /^    server \{/ { inserver = 1; block = ""; next }
        inserver && /^    \}/ {
            inserver = 0
            print "    server {"
            print "        listen 127.0.0.1:@@PORT@@ default_server backlog=4096;"
            print "        listen 127.0.0.1:@@TLS_PORT@@ ssl http2 default_server backlog=4096;"
            print "        ssl_certificate     @@CERT@@;"
            print "        ssl_certificate_key @@KEY@@;"
            print "        return 404;"
            print "    }"
            for (i = 0; i < n; i++) {
                print "    server {"
                print "        listen 127.0.0.1:@@PORT@@;"
                printf "        server_name h%d.bench.localhost;\n", i
                printf "%s", block
                print "    }"
            }
            next
        }
        inserver { if ($0 !~ /listen|ssl_certificate/) block = block $0 "\n"; next }
        { print }' "$CONF/nginx-proxy.conf.tmpl"
}
# HAProxy: the host picks the backend through a map (as HAProxy's own ingress controller does);
# unknown hosts go to a backend that answers 404.
many_hosts_haproxy() {
    local map=$FW/hosts.map i
    for ((i = 0; i < HOSTS; i++)); do echo "h$i.bench.localhost be_origin"; done >"$map"
    awk -v map="$map" '
        /^    default_backend be_origin/ {
            print "    use_backend %[req.hdr(host),lower,map(" map ",be_unknown_host)]"
            next
        }
        { print }
        END { print ""; print "backend be_unknown_host"; print "    http-request return status 404" }' "$CONF/haproxy.cfg.tmpl"
}
# Portcullis: one Ingress per host, every one to the origin's Service (bench/origin, port 80).
many_hosts_portcullis() {
    local i
    for ((i = 0; i < HOSTS; i++)); do
        printf -- '---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: h%d, namespace: bench}\nspec:\n  ingressClassName: portcullis\n  rules:\n  - host: h%d.bench.localhost\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: origin, port: {number: 80}}}}\n' "$i" "$i"
    done
}

# ---------------------------------------------------------------- many-endpoints
many_endpoints_nginx() {
    awk -v a="$ENDPOINT_PORT" -v b="$LAST_PORT" '
        /^        server 127\.0\.0\.1:@@ORIGIN_PORT@@;/ { for (p = a; p <= b; p++) printf "        server 127.0.0.1:%d;\n", p; next }
        { print }' "$CONF/nginx-proxy.conf.tmpl"
}
many_endpoints_haproxy() {
    awk -v a="$ENDPOINT_PORT" -v b="$LAST_PORT" '
        /^    server origin 127\.0\.0\.1:@@ORIGIN_PORT@@/ {
            print "    balance roundrobin"
            for (p = a; p <= b; p++) printf "    server e%d 127.0.0.1:%d\n", p, p
            next
        }
        { print }' "$CONF/haproxy.cfg.tmpl"
}
# A Service whose endpoints are the origin's extra ports: one EndpointSlice per port, since all
# endpoints of a slice share its ports (as for pods whose named port differs).
many_endpoints_portcullis() {
    local p
    printf -- '---\napiVersion: v1\nkind: Service\nmetadata: {name: origin-many, namespace: bench}\nspec:\n  ports: [{name: http, port: 80}]\n'
    for ((p = ENDPOINT_PORT; p <= LAST_PORT; p++)); do
        printf -- '---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: origin-many-%d\n  namespace: bench\n  labels: {kubernetes.io/service-name: origin-many}\naddressType: IPv4\nports: [{name: http, port: %d, protocol: TCP}]\nendpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]\n' "$p" "$p"
    done
    printf -- '---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bench, namespace: bench}\nspec:\n  ingressClassName: portcullis\n  rules:\n  - http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: origin-many, port: {number: 80}}}}\n'
}

# ---------------------------------------------------------------- h2-backend
# The gRPC path goes over h2c to the origin's HTTP/2-only port; everything else as usual (the
# harness's sanity checks fetch / and /100k).
h2_backend_nginx() {
    awk -v path="$GRPC_PATH" '
        /^    upstream origin \{/ {
            print "    upstream origin_h2c {"
            print "        server 127.0.0.1:@@ORIGIN_H2C_PORT@@;"
            print "        keepalive 512;"
            print "        keepalive_timeout 60s;"
            print "        keepalive_requests 100000;"
            print "    }"
            print ""
        }
        /^        location \/ \{/ {
            print "        location = " path " {"
            print "            grpc_pass grpc://origin_h2c;"
            print "        }"
            print ""
        }
        { print }' "$CONF/nginx-proxy.conf.tmpl"
}
h2_backend_haproxy() {
    awk -v path="$GRPC_PATH" '
        /^    default_backend be_origin/ { print "    use_backend be_grpc if { path " path " }" }
        { print }
        END { print ""; print "backend be_grpc"; print "    server origin_h2c 127.0.0.1:@@ORIGIN_H2C_PORT@@ proto h2" }' "$CONF/haproxy.cfg.tmpl"
}
h2_backend_portcullis() {
    printf -- '---\napiVersion: v1\nkind: Service\nmetadata: {name: origin-h2c, namespace: bench}\nspec:\n  ports: [{name: grpc, port: 80, appProtocol: kubernetes.io/h2c}]\n'
    printf -- '---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: origin-h2c-1\n  namespace: bench\n  labels: {kubernetes.io/service-name: origin-h2c}\naddressType: IPv4\nports: [{name: grpc, port: %d, protocol: TCP}]\nendpoints: [{addresses: ["127.0.0.1"], conditions: {ready: true}}]\n' "$H2C_PORT"
    printf -- '---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bench, namespace: bench}\nspec:\n  ingressClassName: portcullis\n  rules:\n  - http:\n      paths:\n      - {path: %s, pathType: Exact, backend: {service: {name: origin-h2c, port: {number: 80}}}}\n      - {path: /, pathType: Prefix, backend: {service: {name: origin, port: {number: 80}}}}\n' "$GRPC_PATH"
}

# ---------------------------------------------------------------- run
run_scenario() {
    local s=$1 fn=${1//-/_} out=$RESULTS_DIR/scenarios-$TS-$1.tsv status=0 env=() tls=()
    "${fn}_nginx" >"$FW/nginx-$s.conf.tmpl"
    "${fn}_haproxy" >"$FW/haproxy-$s.cfg.tmpl"
    "${fn}_portcullis" >"$FW/route-$s.yaml"
    case $s in
        many-hosts)     env=(MANY_HOSTS="$HOSTS" REQ_HEADERS="Host: h0.bench.localhost") ;;
        many-endpoints) env=(ORIGIN_EXTRA_PORTS="$ENDPOINT_PORT-$LAST_PORT") ;;
        h2-backend)     tls=(--candidate-tls-port "$CANDIDATE_TLS_PORT") ;;
    esac
    local cand
    printf -v cand 'PORTCULLIS_BENCH_ROUTE=%q %q' "$FW/route-$s.yaml" "$ROOT/bench/candidate.sh"
    echo "scenarios: $s; report: ${out%.tsv}.txt" >&2
    env "${env[@]}" NGINX_CONF_TMPL="$FW/nginx-$s.conf.tmpl" HAPROXY_CONF_TMPL="$FW/haproxy-$s.cfg.tmpl" \
        CHECK_CMD="$(printf '%q %q %q' "$ROOT/bench/scenarios-check.sh" "$s" "$FW")" \
        MANY_ENDPOINTS_RANGE="$ENDPOINT_PORT-$LAST_PORT" BASE_PORT="$BASE_PORT" \
        bash "$HARNESS" --only direct,nginx,haproxy,portcullis \
        --candidate "$cand" --candidate-port "$CANDIDATE_PORT" --candidate-name portcullis "${tls[@]}" \
        --scenarios "$s" --modes pinned --reps "$REPS" --duration "$DURATION" --prewarm "$PREWARM" \
        --warmup "$WARMUP" --out "$out" "${EXTRA[@]}" || status=$?
    (($(wc -l <"$out" 2>/dev/null || echo 0) > 1)) || return "$((status ? status : 1))"
    local summary
    summary=$(awk -F'\t' -v scenario="$s" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { p = $col["proxy"]; n[p]++; rps[p] += $col["rps"]; p99[p] += $col["p99_ms"]; err[p] += $col["errors"]
          if ($col["proxy_cpu_us_per_req"] != "-") us[p] += $col["proxy_cpu_us_per_req"] }
        function r(a, b) { return (n[a] && n[b] && rps[b] > 0) ? sprintf("%.2f", (rps[a] / n[a]) / (rps[b] / n[b])) : "-" }
        function u(p) { return n[p] ? sprintf("%.1f", us[p] / n[p]) : "-" }
        function l(p) { return n[p] ? sprintf("%.1f", p99[p] / n[p]) : "-" }
        END { printf "%-15s x_nginx %s  x_haproxy %s  us/req %s / %s / %s  p99 ms %s / %s / %s  errors %d / %d / %d   (Portcullis / nginx / HAProxy)\n",
                  scenario, r("portcullis", "nginx"), r("portcullis", "haproxy"), u("portcullis"), u("nginx"), u("haproxy"),
                  l("portcullis"), l("nginx"), l("haproxy"), err["portcullis"], err["nginx"], err["haproxy"] }' "$out")
    echo "$summary"
    echo "$summary" >>"${out%.tsv}.txt"
    SUMMARIES+="$summary"$'\n'
    return "$status"
}

SUMMARIES="" rc=0
for s in "${SCEN_LIST[@]}"; do
    run_scenario "$s" || { rc=$?; echo "bench/scenarios.sh: scenario $s failed (exit $rc)" >&2; }
done
echo
echo "##### scenarios ($TS; Portcullis / nginx / HAProxy) #####"
printf '%s' "$SUMMARIES"
exit "$rc"
