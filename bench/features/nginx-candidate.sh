#!/usr/bin/env bash
# bench/features/nginx-candidate.sh TEMPLATE - a second nginx as a candidate of the harness
# (bench/harness/run.sh), for comparisons that need two nginx configurations in one run (the
# waf scenario of bench/features.sh: nginx, and nginx with ModSecurity).
#
# TEMPLATE is an nginx proxy template with the harness's placeholders (@@DIR@@, @@WORKERS@@,
# @@PORT@@, @@TLS_PORT@@, @@ORIGIN_PORT@@, @@CERT@@, @@KEY@@). It is rendered into BENCH_DIR (the
# candidate's directory in the run's work dir, kept with the logs) and nginx runs in the
# foreground (the template says `daemon off`); the harness stops it with SIGTERM. Without a TLS
# port (BENCH_TLS_PORT=0) the template's TLS listen line is left out.
set -euo pipefail

TEMPLATE=${1:?usage: nginx-candidate.sh TEMPLATE}
: "${BENCH_PORT:?set by the benchmark harness}"
: "${BENCH_DIR:?set by the benchmark harness}"
[[ -f $TEMPLATE ]] || { echo "nginx-candidate.sh: no template $TEMPLATE" >&2; exit 2; }

d=$BENCH_DIR
mkdir -p "$d/tmp"
script=""
for kv in DIR="$d" WORKERS="${BENCH_WORKERS:-1}" PORT="$BENCH_PORT" TLS_PORT="${BENCH_TLS_PORT:-0}" \
    ORIGIN_PORT="$BENCH_ORIGIN_PORT" CERT="$BENCH_CERT" KEY="$BENCH_KEY"; do
    k=${kv%%=*} v=${kv#*=}
    v=${v//\\/\\\\} v=${v//|/\\|} v=${v//&/\\&}
    script+="s|@@${k}@@|${v}|g;"
done
if [[ ${BENCH_TLS_PORT:-0} == 0 ]]; then script="/listen .*@@TLS_PORT@@/d;$script"; fi
sed -e "$script" "$TEMPLATE" >"$d/nginx.conf"
if grep -q '@@[A-Z_]*@@' "$d/nginx.conf"; then
    echo "nginx-candidate.sh: unfilled placeholder in $d/nginx.conf" >&2
    exit 2
fi
nginx -t -q -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
exec nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
