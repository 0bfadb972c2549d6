#!/usr/bin/env bash
# bench/features/check.sh SCENARIO - proves, before anything is measured, that every proxy of a
# bench/features.sh run really does the feature it is measured with. Run by the harness
# (CHECK_CMD) after its own sanity checks, with BENCH_PROXIES ("name=port ..."),
# BENCH_STATUS_PORT (the origin's stub_status) and REQ_HEADERS (the headers every request of
# the run carries). Exits non-zero, naming the proxy, when one does not.
#   cache  20 requests for CACHE_PATH reach the origin 0 times (after one to fill the cache);
#          the cache's own header is shown (nginx X-Cache-Status, Portcullis Cache-Status/Age)
#   gzip   TEXT_PATH with Accept-Encoding: gzip comes back Content-Encoding: gzip, smaller,
#          and inflates to the origin's 102400 bytes
#   waf    /?q=' or 1=1 -- is answered 403 by the proxies named *-waf (200 by the others,
#          which shows the request is otherwise harmless); / is 200 everywhere
#   jwt    the proxies named *-jwt answer 401 without the token and 200 with it
set -euo pipefail

SCEN=${1:?usage: check.sh cache|gzip|waf|jwt}
: "${BENCH_PROXIES:?set by the harness (CHECK_CMD)}"
: "${BENCH_STATUS_PORT:?set by the harness (CHECK_CMD)}"
CACHE_PATH=${CACHE_PATH:-/cache/1k}
TEXT_PATH=${TEXT_PATH:-/text/100k}
H=() H_NOAUTH=()   # the run's headers; the same without Authorization (curl cannot unset a -H of ours)
while IFS= read -r h; do
    [[ -n $h ]] || continue
    H+=(-H "$h")
    [[ ${h,,} == authorization:* ]] || H_NOAUTH+=(-H "$h")
done <<<"${REQ_HEADERS:-}"

fail() { echo "check.sh $SCEN: $*" >&2; exit 1; }
say() { echo "  check $SCEN: $*" >&2; }
get() { curl -sS --max-time 5 "${H[@]}" "$@"; }
origin_requests() { curl -sS --max-time 2 "http://127.0.0.1:$BENCH_STATUS_PORT/status" | awk 'NR==3 {print $3}'; }
header() { tr -d '\r' | awk -v n="$1" 'tolower($0) ~ "^" tolower(n) ":" { sub(/^[^:]*: */, ""); print; exit }'; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/features-check.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

for entry in $BENCH_PROXIES; do
    name=${entry%%=*} port=${entry#*=}
    base=http://127.0.0.1:$port
    case $SCEN in
        cache)
            get -o /dev/null "$base$CACHE_PATH"
            q0=$(origin_requests)
            for _ in $(seq 20); do get -o /dev/null "$base$CACHE_PATH"; done
            q1=$(origin_requests)
            upstream=$((q1 - q0 - 1))   # the second status request counts itself
            hdrs=$(get -D - -o /dev/null "$base$CACHE_PATH")
            shown=""
            for f in X-Cache-Status Cache-Status Age; do
                v=$(header "$f" <<<"$hdrs")
                [[ -z $v ]] || shown+="${shown:+, }$f: $v"
            done
            ((upstream == 0)) || fail "$name: $upstream of 20 requests for $CACHE_PATH reached the origin ($shown)"
            say "$name: 20 requests, 0 at the origin; $shown"
            ;;
        gzip)
            hdrs=$(get -H 'Accept-Encoding: gzip' -D - -o "$TMP/body" "$base$TEXT_PATH")
            enc=$(header Content-Encoding <<<"$hdrs")
            [[ $enc == gzip ]] || fail "$name: $TEXT_PATH came back with Content-Encoding '$enc', not gzip"
            size=$(stat -c %s "$TMP/body")
            plain=$(gzip -dc "$TMP/body" | wc -c)
            ((plain == 102400)) || fail "$name: the gzip body inflates to $plain bytes, not 102400"
            say "$name: Content-Encoding gzip, $size bytes on the wire for 102400 ($(awk -v a=102400 -v b="$size" 'BEGIN { printf "%.2f", a / b }')x)"
            ;;
        waf)
            attack=$(get -o /dev/null -w '%{http_code}' "$base/?q=%27%20or%201%3D1%20--")
            plain=$(get -o /dev/null -w '%{http_code}' "$base/")
            want=200
            [[ $name != *-waf ]] || want=403
            [[ $attack == "$want" ]] || fail "$name: /?q=' or 1=1 -- answered $attack, expected $want"
            [[ $plain == 200 ]] || fail "$name: / answered $plain, expected 200"
            say "$name: /?q=' or 1=1 -- -> $attack, / -> 200"
            ;;
        jwt)
            with=$(get -o /dev/null -w '%{http_code}' "$base/")
            [[ $with == 200 ]] || fail "$name: / with the token answered $with, expected 200"
            if [[ $name == *-jwt ]]; then
                without=$(curl -sS --max-time 5 "${H_NOAUTH[@]}" -o /dev/null -w '%{http_code}' "$base/")
                [[ $without == 401 ]] || fail "$name: / without a token answered $without, expected 401"
                bad=$(curl -sS --max-time 5 "${H_NOAUTH[@]}" -H 'Authorization: Bearer x.y.z' -o /dev/null -w '%{http_code}' "$base/")
                [[ $bad == 401 ]] || fail "$name: / with a bad token answered $bad, expected 401"
                say "$name: no token -> 401, bad token -> 401, the run's token -> 200"
            else
                say "$name: / -> 200 (no auth on this proxy)"
            fi
            ;;
        *) fail "unknown scenario" ;;
    esac
done
