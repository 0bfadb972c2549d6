# bench/balancers-summary.awk - the summary `bench/run.sh --balancers` prints after the harness's
# report; reads the harness's TSV. Also usable on its own:
#   awk -F'\t' -f bench/balancers-summary.awk -v ref=pc-rr bench/results/balancers-....tsv
#
# Per mode, scenario and Portcullis candidate (proxy names starting with pc-):
#   x_nginx      mean req/s over all repetitions / nginx's mean
#   x_ngx_quiet  the same over the repetitions where neither run had bg_cpu >= quiet (default 10,
#                the harness's QUIET_PCT), with their number; "-" when there is none
#   prx_us/r     mean proxy CPU microseconds per request (robust to a busy machine: CPU the proxy
#                did not get lowers req/s, not CPU per request)
#   vs ref       req/s and us/r as ratios to the reference's run in the same repetition: mean,
#                then each repetition's value, "!" after a pair where either run was noisy
BEGIN { if (quiet == "") quiet = 10 }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
    p = $col["proxy"]; k = $col["mode"] SUBSEP $col["scenario"]
    if (!(k in seen)) { seen[k] = 1; keys[++nk] = k }
    if (!((k, p) in n)) order[k, ++np[k]] = p
    n[k, p]++; rps[k, p] += $col["rps"]; us[k, p] += $col["proxy_cpu_us_per_req"]
    bg[k, p] += $col["bg_cpu_pct"]; err[k, p] += $col["errors"]
    r = $col["rep"] + 0
    if (!(k in maxrep) || r > maxrep[k]) maxrep[k] = r
    rr[k, p, r] = $col["rps"]; ru[k, p, r] = $col["proxy_cpu_us_per_req"]; rb[k, p, r] = $col["bg_cpu_pct"]
}
END {
    printf "\n=== balancers: %s; ratios to %s in the same repetition (! = a noisy run) ===\n", legend, ref
    printf "%-8s %-9s %-10s %8s %7s %11s %8s %7s %6s  %-28s %s\n", "mode", "scenario", "proxy",
        "req/s", "x_nginx", "x_ngx_quiet", "prx_us/r", "bg_cpu", "errors", "req/s vs ref (reps)",
        "us/r vs ref (reps)"
    for (i = 1; i <= nk; i++) {
        k = keys[i]; split(k, mk, SUBSEP)
        nginx = ((k, "nginx") in n) ? rps[k, "nginx"] / n[k, "nginx"] : 0
        for (j = 1; j <= np[k]; j++) {
            p = order[k, j]
            if (p !~ /^pc-/) continue
            a = rps[k, p] / n[k, p]
            # Quiet repetitions against nginx.
            qs = 0; qn = 0; qc = 0
            for (r = 0; r <= maxrep[k]; r++) {
                if (!((k, p, r) in rr) || !((k, "nginx", r) in rr)) continue
                if (rb[k, p, r] >= quiet || rb[k, "nginx", r] >= quiet) continue
                qs += rr[k, p, r]; qn += rr[k, "nginx", r]; qc++
            }
            # Paired ratios to the reference.
            rs = ""; ust = ""; sr = 0; su = 0; c = 0
            for (r = 0; r <= maxrep[k]; r++) {
                if (!((k, p, r) in rr) || !((k, ref, r) in rr)) continue
                if (rr[k, ref, r] <= 0 || ru[k, ref, r] <= 0) continue
                mark = (rb[k, p, r] >= quiet || rb[k, ref, r] >= quiet) ? "!" : ""
                x = rr[k, p, r] / rr[k, ref, r]; y = ru[k, p, r] / ru[k, ref, r]
                rs = rs (c ? " " : "") sprintf("%.2f%s", x, mark)
                ust = ust (c ? " " : "") sprintf("%.2f%s", y, mark)
                sr += x; su += y; c++
            }
            printf "%-8s %-9s %-10s %8.0f %7s %11s %8.1f %6.1f%% %6d  %-28s %s\n", mk[1], mk[2], p, a,
                (nginx > 0 ? sprintf("%.2f", a / nginx) : "-"),
                (qc && qn > 0 ? sprintf("%.2f (%d)", qs / qn, qc) : "-"),
                us[k, p] / n[k, p], bg[k, p] / n[k, p], err[k, p],
                (c ? sprintf("%.3f (%s)", sr / c, rs) : "-"), (c ? sprintf("%.3f (%s)", su / c, ust) : "-")
        }
    }
}
