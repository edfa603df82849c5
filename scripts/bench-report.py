#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""bench-report.py DIR: the report of make bench.

Reads DIR/raw-bench.csv (rows "section,variant,round,metric,value" written
in the guest by tests/bench/bench.sh) and DIR/raw-bench-info.txt; prints
the ratio table (per-round ratios of paired variants: median and min-max
over rounds, next to the goal) and the raw figures (median and min-max
per variant); writes DIR/ratios.csv, DIR/figures.csv and DIR/bench.png.
Never fails because a goal is missed: goals are printed, not enforced.
"""
import csv
import os
import statistics
import sys
from collections import defaultdict

# (label, section, metric, numerator variant, denominator variant, goal);
# a tuple of denominator variants means the best of them, round by round;
# no denominator: the numerator's own figure; no goal: reported only.
# "own": SYN-ACKs dropped at the balancer's egress (its own cost);
# "delivered": SYN-ACKs delivered to the attacker on the same cpus.
BEST_SP = ("synproxy", "nftsynproxy")
BEST_SP_OWN = ("synproxy_own", "nftsynproxy_own")
RATIOS = [
    ("flood, own: zwin / raw drop", "flood", "handled_per_s", "zwin_own", "rawdrop", 0.75),
    ("flood, own: zwin / best of iptables, nft synproxy",
     "flood", "handled_per_s", "zwin_own", BEST_SP_OWN, 2.5),
    ("flood, own: zwin / kernel SYN cookies",
     "flood", "handled_per_s", "zwin_own", "kcookie_own", 1.5),
    ("flood, own: zwin short way / routed",
     "flood", "handled_per_s", "zwin_own", "zwinrouted_own", None),
    ("flood, own: zwin routed / raw drop",
     "flood", "handled_per_s", "zwinrouted_own", "rawdrop", None),
    ("flood, delivered: zwin / raw drop", "flood", "handled_per_s", "zwin", "rawdrop", None),
    ("flood, delivered: zwin / iptables SYNPROXY",
     "flood", "handled_per_s", "zwin", "synproxy", 1.5),
    ("flood, delivered: zwin / best of iptables, nft synproxy",
     "flood", "handled_per_s", "zwin", BEST_SP, 2.5),
    ("flood, delivered: zwin / kernel SYN cookies",
     "flood", "handled_per_s", "zwin", "kcookie", 1.5),
    ("flood, delivered: zwin short way / routed",
     "flood", "handled_per_s", "zwin", "zwinrouted", None),
    ("flood, delivered: zwin, 2 CPUs / 1 CPU",
     "flood", "handled_per_s", "zwin2cpu", "zwin", 1.8),
    ("flood, delivered: zwin XDP front end / netfilter path",
     "flood", "handled_per_s", "xdp", "zwin", 3.0),
    ("flood: zwin XDP front end / XDP_DROP of the same SYNs",
     "flood", "handled_per_s", "xdp", "xdpdrop", 0.5),
    ("flood: zwin XDP front end, generic mode / native",
     "flood", "handled_per_s", "xdpgeneric", "xdp", None),
    ("flood: zwin XDP front end / the kernel's xdp_synproxy",
     "flood", "handled_per_s", "xdp", "xdpsynproxy", 1.0),
    ("flood: client connections completed, % (zwinlegit)",
     "flood", "legit_ok_pct", "zwinlegit", None, 99),
    ("iperf3 -P 1: zwin / plain IPVS", "tput", "mbit_per_s_P1", "zwin", "plain", 0.97),
    ("iperf3 -P 4: zwin / plain IPVS", "tput", "mbit_per_s_P4", "zwin", "plain", 0.97),
    ("iperf3 -P 1: plain, module loaded / not", "tput", "mbit_per_s_P1", "plain", "nomod", 0.98),
    ("iperf3 -P 4: plain, module loaded / not", "tput", "mbit_per_s_P4", "plain", "nomod", 0.98),
    ("connections per s: zwin / plain IPVS", "crate", "conn_per_s", "zwin", "plain", 0.8),
]
# (label, section, metric, expected) for zwin minus plain, in ms
DIFFS = [
    ("TTFB added, 10 ms RTT client link", "ttfb", "ms_rtt10_client",
     "~10 ms (1 client RTT: data waits for the window)"),
    ("TTFB added, 10 ms RTT server links", "ttfb", "ms_rtt10_server",
     "~0 ms (1 server RTT either way)"),
]
UNITS = {
    "offered_per_s": "SYN/s", "received_per_s": "SYN/s", "synack_per_s": "pkt/s",
    "handled_per_s": "/s", "zwin_synack_per_s": "/s", "cpu_us_per_syn": "us",
    "slab_bytes_per_syn": "B", "mbit_per_s_P1": "Mbit/s", "mbit_per_s_P4": "Mbit/s",
    "conn_per_s": "conn/s", "failed": "", "ms_rtt10_client": "ms",
    "ms_rtt10_server": "ms", "connections": "", "zwin_entries": "",
    "ipvs_conns": "", "slab_bytes_per_conn": "B", "sunreclaim_bytes_per_conn": "B",
    "legit_ok_pct": "%", "legit_conns": "",
    "zwin_conn_object_size": "B", "zwin_conn_slab_size": "B", "zwin_conn_aliases": "",
}


def spread(vals):
    if not vals:
        return None
    return statistics.median(vals), min(vals), max(vals)


def best_of(data, sec, met, variants):
    """Per round, the highest figure among VARIANTS (rounds they all have)."""
    per = [data.get((sec, met, v), {}) for v in variants]
    rounds = set(per[0]).intersection(*per[1:])
    return {r: max(p[r] for p in per) for r in rounds}


def fmt(x):
    if x is None:
        return "-"
    a = abs(x)
    if a >= 1000:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    return "%.3g" % x


# The flood variants whose profile separates the balancer's own work:
# answers dropped at its egress, and the raw drop.
OWN_PROFILED = ["zwin_own", "zwinrouted_own", "synproxy_own",
                "nftsynproxy_own", "kcookie_own", "rawdrop"]


def profile_shares(path):
    """{symbol: % of all samples, callees included} of a profile file."""
    shares = {}
    try:
        with open(path) as f:
            lines = f.read().split("# including callees", 1)[-1].splitlines()
    except OSError:
        return None
    for line in lines:
        p = line.split()
        if len(p) == 4 and p[0].endswith("%") and p[2] in ("[k]", "[.]"):
            shares[p[3]] = float(p[0][:-1])
    return shares


def balancer_cost(d, data):
    """Per own variant: the share of the busy cpu time in the balancer's
    receive softirq (process_backlog: everything from the SYN's arrival to
    its answer's egress drop, nothing of the generator's sending) and that
    share of the measured cpu time per SYN, in us."""
    out = {}
    for v in OWN_PROFILED:
        sh = profile_shares(os.path.join(d, "raw-profile-flood-%s.txt" % v))
        cpu = spread(list(data.get(("flood", "cpu_us_per_syn", v), {}).values()))
        if not sh or cpu is None or "process_backlog" not in sh:
            continue
        busy = 100 - sh.get("do_idle", 0)
        if busy <= 0:
            continue
        share = sh["process_backlog"] / busy
        out[v] = (share * 100, share * cpu[0])
    return out


def main():
    d = sys.argv[1]
    data = defaultdict(dict)        # (section, metric, variant) -> {round: value}
    order = []
    with open(os.path.join(d, "raw-bench.csv")) as f:
        for row in csv.reader(f):
            if len(row) != 5:
                continue
            sec, var, rnd, met, val = row
            try:
                v = float(val)
            except ValueError:
                continue
            key = (sec, met, var)
            if key not in data:
                order.append(key)
            data[key][rnd] = v
    info = {}
    try:
        with open(os.path.join(d, "raw-bench-info.txt")) as f:
            for line in f:
                k, _, v = line.strip().partition(" ")
                info[k] = v
    except OSError:
        pass

    print()
    print("make bench: kernel %s, %s, %s guest cpus under QEMU/TCG, %s round(s) of %s s" % (
        info.get("kernel", "?"), info.get("date", "?"), info.get("cpus", "?"),
        info.get("rounds", "?"), info.get("meas_s", "?")))
    print()
    ratios = []
    w = 56
    print("%-*s %7s %15s %6s  %s" % (w, "ratio (per round, paired)", "median", "min-max", "goal", "met"))
    print("-" * (w + 40))
    for label, sec, met, a, b, goal in RATIOS:
        num = data.get((sec, met, a), {})
        if b is None:
            rs = list(num.values())
        else:
            den = best_of(data, sec, met, b if isinstance(b, tuple) else (b,))
            rs = [num[r] / den[r] for r in num if r in den and den[r] > 0]
        s = spread(rs)
        ok = "-" if s is None or goal is None else ("yes" if s[0] >= goal else "no")
        ratios.append((label, s, goal, ok, len(rs)))
        print("%-*s %7s %15s %6s  %s" % (
            w, label, fmt(s[0]) if s else "-",
            "%s..%s" % (fmt(s[1]), fmt(s[2])) if s else "-",
            ">=%g" % goal if goal is not None else "", ok))
    for label, sec, met, expect in DIFFS:
        num, den = data.get((sec, met, "zwin"), {}), data.get((sec, met, "plain"), {})
        ds = [num[r] - den[r] for r in num if r in den]
        s = spread(ds)
        ratios.append((label + " (ms)", s, None, expect, len(ds)))
        print("%-*s %7s %15s %6s  %s" % (
            w, label + " (ms)", fmt(s[0]) if s else "-",
            "%s..%s" % (fmt(s[1]), fmt(s[2])) if s else "-", "", "expected " + expect))
    fl = spread(list(data.get(("flood", "slab_bytes_per_syn", "zwin"), {}).values()))
    mz = data.get(("mem", "slab_bytes_per_conn", "zwin"), {}).get("1")
    mp = data.get(("mem", "slab_bytes_per_conn", "plain"), {}).get("1")
    print("%-*s %7s %15s %6s  %s" % (
        w, "Slab bytes per flood SYN, zwin", fmt(fl[0]) if fl else "-",
        "%s..%s" % (fmt(fl[1]), fmt(fl[2])) if fl else "-", "0",
        "(page-granular: noise of a few kB over the run)"))
    if mz is not None and mp is not None:
        print("%-*s %7s %15s %6s  %s" % (
            w, "Slab bytes per idle connection, zwin - plain", fmt(mz - mp), "", "",
            "the module's share (one run each)"))
    print()

    bc = balancer_cost(d, data)
    if bc:
        print("balancer's own cpu per SYN (profiles, one flood each): the share of")
        print("the busy time in its receive softirq, of the cpu time per SYN")
        print("-" * (w + 40))
        for v, (pct, us) in bc.items():
            print("%-*s %6.1f %%  %6.2f us  (%s SYN/s per cpu)" % (
                w, v, pct, us, fmt(1e6 / us) if us > 0 else "-"))
        for v in OWN_PROFILED[:-1]:
            if v in bc and "rawdrop" in bc and bc[v][1] > 0:
                r = bc["rawdrop"][1] / bc[v][1]
                label = "perf, own: %s / raw drop, SYN/s per cpu" % v[:-4]
                goal = 0.75 if v == "zwin_own" else None
                ratios.append((label, (r, r, r), goal,
                               "-" if goal is None else ("yes" if r >= goal else "no"), 1))
                print("%-*s %7s %15s %6s  %s" % (w, label, fmt(r), "", ">=%g" % goal
                                                 if goal else "", ratios[-1][3]))
        for v in ("synproxy_own", "nftsynproxy_own", "kcookie_own", "zwinrouted_own"):
            if v in bc and "zwin_own" in bc and bc["zwin_own"][1] > 0:
                r = bc[v][1] / bc["zwin_own"][1]
                label = "perf, own: zwin / %s, SYN/s per cpu" % v[:-4]
                ratios.append((label, (r, r, r), None, "-", 1))
                print("%-*s %7s" % (w, label, fmt(r)))
        print()

    print("raw figures: median (min-max) over rounds")
    print("-" * (w + 40))
    figures = []
    metrics = []
    for sec, met, _ in order:
        if (sec, met) not in metrics:
            metrics.append((sec, met))
    for sec, met in metrics:
        unit = UNITS.get(met, "% of busy CPU" if met.endswith("_pct") else "")
        print("%s %s [%s]" % (sec, met, unit))
        for key in order:
            if key[:2] != (sec, met):
                continue
            var = key[2]
            vals = list(data[key].values())
            s = spread(vals)
            figures.append((sec, met, var, s, len(vals)))
            print("    %-11s %10s  (%s..%s, n=%d)" % (var, fmt(s[0]), fmt(s[1]), fmt(s[2]), len(vals)))
    print()
    print("Balancer CPU per SYN is the whole guest's system+softirq time over the")
    print("SYNs the balancer received (generator and attacker included): approximate.")
    if any(sec == "profile" for sec, _ in metrics):
        print("profile X_pct: share of the guest's busy CPU time (idle excluded) in")
        print("symbol X and what it calls, during one run of the variant (perf,")
        print("cpu-clock); busy_pct: the busy share of all CPU time.")

    with open(os.path.join(d, "ratios.csv"), "w", newline="") as f:
        o = csv.writer(f)
        o.writerow(["figure", "median", "min", "max", "goal", "met", "rounds"])
        for label, s, goal, ok, n in ratios:
            o.writerow([label] + (["%.4f" % x for x in s] if s else ["", "", ""]) +
                       [goal if goal is not None else "", ok, n])
    with open(os.path.join(d, "figures.csv"), "w", newline="") as f:
        o = csv.writer(f)
        o.writerow(["section", "metric", "variant", "median", "min", "max", "rounds"])
        for sec, met, var, s, n in figures:
            o.writerow([sec, met, var] + ["%.4f" % x for x in s] + [n])
    print("ratios: %s" % os.path.join(d, "ratios.csv"))
    print("figures: %s" % os.path.join(d, "figures.csv"))

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib: no chart")
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 5.5),
                                   gridspec_kw={"width_ratios": [3, 2]})
    # ratios with a goal, except the percentage (another scale)
    rr = [(lab, s, g) for lab, s, g, _, _ in ratios if g is not None and s and g < 10]
    ys = range(len(rr))
    ax1.barh(list(ys), [s[0] for _, s, _ in rr],
             xerr=[[s[0] - s[1] for _, s, _ in rr], [s[2] - s[0] for _, s, _ in rr]],
             color="tab:blue", capsize=3)
    for y, (_, _, g) in zip(ys, rr):
        ax1.plot([g, g], [y - 0.4, y + 0.4], color="tab:red", lw=2)
    ax1.set_yticks(list(ys))
    ax1.set_yticklabels([lab for lab, _, _ in rr], fontsize=8)
    ax1.invert_yaxis()
    ax1.set_xlabel("ratio: median, min-max over rounds (red: goal)")
    ax1.set_title("make bench: ratios")
    fv = ["zwin_own", "zwinrouted_own", "synproxy_own", "nftsynproxy_own",
          "kcookie_own", "rawdrop"]
    for i, (met, lab) in enumerate([("offered_per_s", "SYNs offered"),
                                    ("received_per_s", "SYNs received"),
                                    ("handled_per_s", "answered (raw drop: dropped)")]):
        ss = [spread(list(data.get(("flood", met, v), {}).values())) for v in fv]
        ax2.bar([j + (i - 1) * 0.27 for j in range(len(fv))],
                [s[0] if s else 0 for s in ss], width=0.27, label=lab,
                yerr=[[s[0] - s[1] if s else 0 for s in ss],
                      [s[2] - s[0] if s else 0 for s in ss]], capsize=3)
    ax2.set_xticks(range(len(fv)))
    ax2.set_xticklabels(["ipvs-zwin", "zwin routed", "SYNPROXY", "nft synproxy",
                         "SYN cookies", "raw drop"], fontsize=7)
    ax2.set_ylabel("per second")
    ax2.set_title("SYN flood (spoofed sources)")
    ax2.legend(fontsize=8)
    fig.suptitle("kernel %s, %s, QEMU/TCG, %s round(s) of %s s" % (
        info.get("kernel", "?"), info.get("date", "?"), info.get("rounds", "?"),
        info.get("meas_s", "?")), fontsize=9)
    fig.tight_layout()
    png = os.path.join(d, "bench.png")
    fig.savefig(png, dpi=100)
    print("chart: %s" % png)


if __name__ == "__main__":
    main()
