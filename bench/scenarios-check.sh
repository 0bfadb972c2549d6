#!/usr/bin/env bash
# bench/scenarios-check.sh SCENARIO DIR - run by the harness (CHECK_CMD) after its sanity checks,
# before anything is measured: proves every proxy does what bench/scenarios.sh configured, or the
# run stops. BENCH_PROXIES="name=port ..." comes from the harness.
#   many-hosts      the last host is served (200, the origin's body), an unknown host gets 404
#   many-endpoints  1,000 keep-alive requests reach at least half of the endpoints (distinct
#                   origin ports among the proxy's established connections afterwards)
#   h2-backend      nothing more: the harness's own check already POSTed gRPC-like calls over
#                   h2 to every proxy, and the origin serves that path over h2c only
set -euo pipefail
SCENARIO=${1:?usage: scenarios-check.sh SCENARIO DIR}
: "${BENCH_PROXIES:?set by the harness}"
fail() { echo "scenarios-check: $*" >&2; exit 1; }

for entry in $BENCH_PROXIES; do
    name=${entry%%=*} port=${entry#*=}
    [[ $name == direct ]] && continue
    case $SCENARIO in
        many-hosts)
            last=$((${MANY_HOSTS:-5000} - 1))
            body=$(curl -sS --max-time 5 -H "Host: h$last.bench.localhost" "http://127.0.0.1:$port/") ||
                fail "$name: GET / with Host h$last.bench.localhost failed"
            [[ $body == "hello from origin" ]] || fail "$name: Host h$last.bench.localhost answered '$body'"
            code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H 'Host: unknown.bench.localhost' "http://127.0.0.1:$port/")
            [[ $code == 404 ]] || fail "$name: an unknown host got $code, not 404"
            echo "scenarios-check: $name: h$last.bench.localhost served, unknown host 404" >&2
            ;;
        many-endpoints)
            range=${MANY_ENDPOINTS_RANGE:?set by bench/scenarios.sh}
            first=${range%-*} lastp=${range#*-} n=$((lastp - first + 1))
            # the proxy's processes: whoever listens on its port (nginx: master and worker)
            pids=$(ss -ltnpH "sport = :$port" | grep -o 'pid=[0-9]*' | sort -u | tr '\n' '|')
            [[ -n $pids ]] || fail "$name: no process found listening on $port (ss -p)"
            urls=()
            for ((i = 0; i < 1000; i++)); do urls+=("http://127.0.0.1:$port/"); done
            curl -sS --max-time 60 "${urls[@]}" >/dev/null || fail "$name: 1000 requests failed"
            seen=$(ss -tnpH state established "( dport >= :$first and dport <= :$lastp )" |
                grep -E "(${pids%|})," | awk '{ sub(/.*:/, "", $4); print $4 }' | sort -u | wc -l)
            ((seen * 2 >= n)) || fail "$name: 1000 requests reached only $seen of $n endpoints"
            echo "scenarios-check: $name: 1000 requests, connections open to $seen of $n endpoints" >&2
            ;;
        h2-backend) ;;
        *) fail "unknown scenario $SCENARIO" ;;
    esac
done
