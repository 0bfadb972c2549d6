# bench/features/summary.awk - the table bench/features.sh prints after each harness run.
#   awk -F'\t' -f summary.awk -v scenario=NAME -v refs=P:REF,... -v deltas=P:BASE,... RUN.tsv
# refs: which proxy each proxy's throughput is compared with (its nginx counterpart);
# deltas: the CPU per request a feature adds, as the proxy with it minus the one without.
# Columns are looked up by name in the TSV's header line.
function fmt(x, f) { return x == "" ? "-" : sprintf(f, x) }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
    p = $col["proxy"]
    if (!(p in n)) order[++np] = p
    n[p]++
    rps[p] += $col["rps"]; p99[p] += $col["p99_ms"]; err[p] += $col["errors"]
    if ($col["proxy_cpu_us_per_req"] != "-") us[p] += $col["proxy_cpu_us_per_req"]
    bg[p] += $col["bg_cpu_pct"]
    reqs[p] += $col["requests"]
    if ("origin_requests" in col) oreq[p] += $col["origin_requests"]
    rep[p] = rep[p] (rep[p] == "" ? "" : " ") sprintf("%.0f", $col["rps"])
}
END {
    nr = split(refs, R, ","); for (i = 1; i <= nr; i++) { split(R[i], kv, ":"); ref[kv[1]] = kv[2] }
    printf "\n=== features: %s ===\n", scenario
    printf "%-10s %9s %-20s %8s %-10s %9s %8s %10s %6s %7s\n", "proxy", "req/s", "(per rep)", "ratio", "vs", \
        "prx_us/r", "p99_ms", "org_req/k", "errors", "bg_cpu"
    for (i = 1; i <= np; i++) {
        p = order[i]; q = n[p]
        r = ref[p]
        ratio = (r != "" && r in n && rps[r] > 0) ? sprintf("%.2f", (rps[p] / q) / (rps[r] / n[r])) : "-"
        printf "%-10s %9.0f %-20s %8s %-10s %9s %8.3f %10s %6d %6.1f%%\n", p, rps[p] / q, "(" rep[p] ")", ratio, \
            (r == "" ? "-" : r), fmt(us[p] / q, "%.1f"), p99[p] / q, \
            (reqs[p] > 0 ? sprintf("%.1f", 1000 * oreq[p] / reqs[p]) : "-"), err[p], bg[p] / q
    }
    nd = split(deltas, D, ",")
    for (i = 1; i <= nd; i++) {
        split(D[i], kv, ":"); a = kv[1]; b = kv[2]
        if (!(a in n) || !(b in n)) continue
        printf "added CPU per request: %s - %s = %.1f us (%.1f vs %.1f)\n", a, b, us[a] / n[a] - us[b] / n[b], us[a] / n[a], us[b] / n[b]
    }
    print "ratio = req/s over the 'vs' proxy's; prx_us/r = proxy CPU us per request; org_req/k = requests"
    print "the origin served per 1000 answered (0 = all from the proxy's cache); bg_cpu = other processes"
}
