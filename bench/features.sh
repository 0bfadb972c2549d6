#!/usr/bin/env bash
# bench/features.sh - Portcullis' features beside nginx doing the same, one run of the harness
# (bench/harness/) per scenario: cache, gzip, waf, jwt. See bench/README.md, "Features".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HARNESS=${PORTCULLIS_BENCH_HARNESS:-$ROOT/bench/harness/run.sh}
F=$ROOT/bench/features
ALL=cache,gzip,waf,jwt
BASE_PORT=${PORTCULLIS_BENCH_PORT:-18090}
BASE_INTERNAL=${PORTCULLIS_BENCH_SNAPSHOT_PORT:-18500}
MODSEC_SO=/usr/lib/nginx/modules/ngx_http_modsecurity_module.so
CRS_RULES=/usr/share/modsecurity-crs/rules
CRS_SETUP=/etc/modsecurity/crs/crs-setup.conf

usage() {
    cat <<'USAGE'
usage: bench/features.sh [SCENARIOS] [--reps N] [--duration S] [--prewarm S] [--setup] [--build]
                         [-- HARNESS_ARGS...]

  SCENARIOS  comma separated, default all: cache,gzip,waf,jwt (one harness run each)
    cache    a cacheable 1 KiB response (origin: Cache-Control: max-age=3600) from nginx
             proxy_cache vs a ProxyRoute with cache: {}
    gzip     100 KiB of text, Accept-Encoding: gzip: nginx gzip_comp_level 1 vs
             compression: {algorithms: [gzip], gzipLevel: 1}
    waf      h1-small through nginx, nginx + ModSecurity 3 + CRS (PL1, SecRuleEngine On),
             Portcullis, and Portcullis with waf: {mode: block, paranoiaLevel: 1}; prints the
             CPU per request each WAF adds
    jwt      h1-small with a valid RS256 bearer token: Portcullis with auth: {jwt: ...} vs
             the same route without auth, and with a filter that does nothing here (CORS,
             the cost of a filter chain by itself); nginx for reference; prints the CPU JWT adds
  --reps N       repetitions (default 2)
  --duration S   seconds per measured run (default 5)
  --prewarm S    warm-up per proxy with the scenario's own request (default 60: on a busy
                 machine 20 s left the JVM's JIT cold for the WAF and JWT paths)
  --setup        install what the waf scenario needs (apt-get install
                 libnginx-mod-http-modsecurity; needs root) and go on
  --build        mvn -B -q package -DskipTests first (otherwise the jars must exist)
  -- ARGS        passed on to the harness last (e.g. -- --quiet-wait 15 --retry-noisy 1)

Pinned mode (servers on one core, wrk on the other). Every request carries Host:
bench.localhost (CRS penalises a numeric Host), a User-Agent and Accept: */*. Before measuring,
bench/features/check.sh proves each proxy does the feature (cache hits that never reach the
origin, a gzip body, a 403 for /?q=' or 1=1 --, a 401 without the token) or the run stops.
Results: bench/results/features-<time>-<scenario>.{tsv,txt} (RESULTS_DIR overrides).
USAGE
}

SCENARIOS=$ALL REPS=2 DURATION=5 PREWARM=60 SETUP=0 BUILD=0 EXTRA=()
while (($#)); do
    case $1 in
        --reps|--duration|--prewarm)
            (($# >= 2)) && [[ $2 =~ ^[0-9]+$ ]] && { [[ $1 == --prewarm ]] || ((10#$2 > 0)); } ||
                { echo "bench/features.sh: $1 needs a whole number above 0 (got '${2:-}')" >&2; exit 2; }
            case $1 in --reps) REPS=$2 ;; --duration) DURATION=$2 ;; --prewarm) PREWARM=$2 ;; esac
            shift 2 ;;
        --setup)   SETUP=1; shift ;;
        --build)   BUILD=1; shift ;;
        --)        shift; EXTRA=("$@"); break ;;
        -h|--help) usage; exit 0 ;;
        -*)        echo "bench/features.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *)         SCENARIOS=$1; shift ;;
    esac
done
IFS=, read -r -a SCEN_LIST <<<"$SCENARIOS"
((${#SCEN_LIST[@]})) || { echo "bench/features.sh: no scenario given" >&2; exit 2; }
for s in "${SCEN_LIST[@]}"; do
    [[ ,$ALL, == *,$s,* ]] || { echo "bench/features.sh: unknown scenario '$s' (known: $ALL)" >&2; exit 2; }
done
[[ -f $HARNESS ]] || { echo "bench/features.sh: harness not found at $HARNESS" >&2; exit 1; }

if ((BUILD)); then (cd "$ROOT" && mvn -B -q package -DskipTests); fi
for jar in operator/target/portcullis-operator.jar dataplane/target/portcullis-dataplane.jar; do
    [[ -f $ROOT/$jar ]] || { echo "bench/features.sh: $jar is missing: run with --build" >&2; exit 1; }
done

if [[ ,$SCENARIOS, == *,waf,* ]]; then
    if [[ ! -e $MODSEC_SO ]] && ((SETUP)); then
        ((EUID == 0)) || { echo "bench/features.sh: --setup needs root (apt-get)" >&2; exit 1; }
        # policy-rc.d as in harness/setup.sh: the package must not start the system's nginx
        had_policy=0; [[ -e /usr/sbin/policy-rc.d ]] && had_policy=1
        ((had_policy)) || printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        installed=0
        { DEBIAN_FRONTEND=noninteractive apt-get install -y -q libnginx-mod-http-modsecurity >&2 || {
            apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libnginx-mod-http-modsecurity >&2; }; } &&
            installed=1
        ((had_policy)) || rm -f /usr/sbin/policy-rc.d
        ((installed)) || { echo "bench/features.sh: apt-get install libnginx-mod-http-modsecurity failed" >&2; exit 1; }
    fi
    [[ -e $MODSEC_SO ]] || { echo "bench/features.sh: waf needs nginx's ModSecurity module ($MODSEC_SO): run with --setup, or apt-get install libnginx-mod-http-modsecurity" >&2; exit 1; }
    [[ -d $CRS_RULES && -f $CRS_SETUP ]] || { echo "bench/features.sh: waf needs the OWASP CRS ($CRS_RULES, $CRS_SETUP): apt-get install modsecurity-crs" >&2; exit 1; }
fi

FW=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-features.XXXXXX")
trap 'rm -rf "$FW"' EXIT
export RESULTS_DIR=${RESULTS_DIR:-$ROOT/bench/results}
mkdir -p "$RESULTS_DIR"
TS=$(date +%Y%m%d-%H%M%S)
export CACHE_PATH=/cache/1k TEXT_PATH=/text/100k
COMMON_HEADERS=$'Host: bench.localhost\nUser-Agent: portcullis-bench/1\nAccept: */*'

# nginx_template SCENARIO OUT: the harness's nginx proxy template plus the scenario's snippets
# (features/nginx-SCENARIO.{main,http,location}.conf: top of the file, start of http {}, start
# of location / {}), so nginx differs from the harness's only by the feature.
nginx_template() {
    local s=$1 out=$2 main=/dev/null http=/dev/null loc=/dev/null
    [[ -f $F/nginx-$s.main.conf ]] && main=$F/nginx-$s.main.conf
    [[ -f $F/nginx-$s.http.conf ]] && http=$F/nginx-$s.http.conf
    [[ -f $F/nginx-$s.location.conf ]] && loc=$F/nginx-$s.location.conf
    awk -v main="$main" -v http="$http" -v loc="$loc" -v rules="$FW/modsec/main.conf" '
        function put(f,   l) { while ((getline l < f) > 0) { gsub(/@@MODSEC_RULES@@/, rules, l); print l } close(f) }
        NR == 1 { put(main) }
        { print }
        /^http \{/ { put(http) }
        /^ *location \/ \{/ { put(loc) }' "$(dirname "$HARNESS")/conf/nginx-proxy.conf.tmpl" >"$out"
}

# ModSecurity: the recommended configuration with the engine on (it ships DetectionOnly), its
# files kept in the run's temporary directory, then crs-setup.conf and the rules, as the brief of
# issue 14 and Debian's own owasp-crs.load load them.
modsec_setup() {
    local m=$FW/modsec rec=/etc/nginx/modsecurity.conf
    [[ -f $rec ]] || rec=/usr/share/nginx/docs/modsecurity/modsecurity.conf
    [[ -f $rec ]] || { echo "bench/features.sh: no modsecurity.conf(-recommended) found" >&2; exit 1; }
    mkdir -p "$m/tmp"
    sed -e 's/^SecRuleEngine .*/SecRuleEngine On/' \
        -e "s|^SecAuditLog .*|SecAuditLog $m/audit.log|" \
        -e "s|^SecTmpDir .*|SecTmpDir $m/tmp/|" -e "s|^SecDataDir .*|SecDataDir $m/tmp/|" \
        -e "s|^SecUnicodeMapFile unicode.mapping|SecUnicodeMapFile $(dirname "$rec")/unicode.mapping|" \
        -e 's/^SecStatusEngine .*/SecStatusEngine Off/' "$rec" >"$m/modsecurity.conf"
    printf 'Include %s\nInclude %s\nInclude %s/*.conf\n' "$m/modsecurity.conf" "$CRS_SETUP" "$CRS_RULES" >"$m/main.conf"
}

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# An RSA key, its JWKS (for the Secret) and an RS256 token valid for a day: JWT_TOKEN.
jwt_setup() {
    local key=$FW/jwt.pem n header payload now sig jwks
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key" 2>/dev/null
    n=$(openssl rsa -in "$key" -noout -modulus | sed 's/^Modulus=//' | xxd -r -p | b64url)
    jwks="{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"bench\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\"$n\",\"e\":\"AQAB\"}]}"
    now=$(date +%s)
    header=$(printf '{"alg":"RS256","typ":"JWT","kid":"bench"}' | b64url)
    payload=$(printf '{"iss":"https://issuer.bench.localhost","aud":"bench","sub":"bench-user","iat":%d,"exp":%d}' \
        "$now" $((now + 86400)) | b64url)
    sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$key" -binary | b64url)
    JWT_TOKEN=$header.$payload.$sig
    sed "s|@@JWKS@@|$jwks|" "$F/route-jwt.yaml" >"$FW/route-jwt.yaml"
}

CAND_ARGS=() NAMES=()
add_portcullis() {   # add_portcullis NAME ROUTE_FILE
    local i=${#NAMES[@]} cmd
    printf -v cmd 'PORTCULLIS_BENCH_ROUTE=%q PORTCULLIS_BENCH_SNAPSHOT_PORT=%q PORTCULLIS_BENCH_METRICS_PORT=%q PORTCULLIS_BENCH_ADMIN_PORT=%q %q' \
        "$2" $((BASE_INTERNAL + 10 * i)) $((BASE_INTERNAL + 10 * i + 1)) $((BASE_INTERNAL + 10 * i + 2)) \
        "$ROOT/bench/candidate.sh"
    CAND_ARGS+=(--candidate "$cmd" --candidate-port $((BASE_PORT + i)) --candidate-name "$1")
    NAMES+=("$1")
}
add_nginx() {   # add_nginx NAME TEMPLATE
    local i=${#NAMES[@]} cmd
    printf -v cmd '%q %q' "$F/nginx-candidate.sh" "$2"
    CAND_ARGS+=(--candidate "$cmd" --candidate-port $((BASE_PORT + i)) --candidate-name "$1")
    NAMES+=("$1")
}

run_scenario() {
    local s=$1 harness_scen prewarm_scen=h1-small refs deltas headers=$COMMON_HEADERS
    local tmpl=$FW/nginx-$s.conf.tmpl out=$RESULTS_DIR/features-$TS-$s.tsv status=0
    CAND_ARGS=() NAMES=()
    nginx_template none "$tmpl"
    case $s in
        cache)
            nginx_template cache "$tmpl"
            add_portcullis pc-cache "$F/route-cache.yaml"
            harness_scen=h1-cache prewarm_scen=h1-cache refs=pc-cache:nginx deltas="" ;;
        gzip)
            nginx_template gzip "$tmpl"
            add_portcullis pc-gzip "$F/route-gzip.yaml"
            harness_scen=h1-gzip prewarm_scen=h1-gzip refs=pc-gzip:nginx deltas="" ;;
        waf)
            modsec_setup
            nginx_template waf "$FW/nginx-waf-candidate.conf.tmpl"
            add_nginx nginx-waf "$FW/nginx-waf-candidate.conf.tmpl"
            add_portcullis portcullis "$F/route-plain.yaml"
            add_portcullis pc-waf "$F/route-waf.yaml"
            harness_scen=h1-small
            refs=nginx-waf:nginx,portcullis:nginx,pc-waf:nginx-waf
            deltas=nginx-waf:nginx,pc-waf:portcullis ;;
        jwt)
            jwt_setup
            headers+=$'\n'"Authorization: Bearer $JWT_TOKEN"
            add_portcullis portcullis "$F/route-plain.yaml"
            add_portcullis pc-cors "$F/route-cors.yaml"
            add_portcullis pc-jwt "$FW/route-jwt.yaml"
            harness_scen=h1-small
            refs=portcullis:nginx,pc-cors:portcullis,pc-jwt:portcullis
            deltas=pc-jwt:portcullis,pc-cors:portcullis,pc-jwt:pc-cors ;;
    esac
    local only=nginx n
    for n in "${NAMES[@]}"; do only+=,$n; done
    echo "features: $s ($harness_scen; $only); report: ${out%.tsv}.txt" >&2
    NGINX_CONF_TMPL=$tmpl REQ_HEADERS=$headers PREWARM_SCENARIO=$prewarm_scen \
        CHECK_CMD="$(printf '%q %q' "$F/check.sh" "$s")" \
        bash "$HARNESS" --only "$only" "${CAND_ARGS[@]}" --scenarios "$harness_scen" --modes pinned \
        --reps "$REPS" --duration "$DURATION" --prewarm "$PREWARM" --out "$out" "${EXTRA[@]}" || status=$?
    (($(wc -l <"$out" 2>/dev/null || echo 0) > 1)) || return "$((status ? status : 1))"
    local summary
    summary=$(awk -F'\t' -f "$F/summary.awk" -v scenario="$s ($harness_scen)" -v refs="$refs" -v deltas="$deltas" "$out")
    echo "$summary"
    echo "$summary" >>"${out%.tsv}.txt"
    SUMMARIES+="$summary"$'\n'
    return "$status"
}

SUMMARIES="" rc=0
for s in "${SCEN_LIST[@]}"; do
    run_scenario "$s" || { rc=$?; echo "bench/features.sh: scenario $s failed (exit $rc)" >&2; }
done
if ((${#SCEN_LIST[@]} > 1)); then
    echo
    echo "##### all scenarios ($TS) #####"
    printf '%s' "$SUMMARIES"
fi
exit "$rc"
