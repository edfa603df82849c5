#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""demo-plot.py CSV PNG: draws make demo's timeline (tests/guest/demo.sh):
SYNs reaching the balancer, zero-window SYN-ACKs it sent, SYNs reaching
the real servers, and client requests served, per second."""
import csv
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(src, dst):
    rows = list(csv.DictReader(open(src)))
    col = {k: [float(r[k]) for r in rows] for k in rows[0] if k not in ("t", "phase")}
    t = [float(r["t"]) for r in rows]
    flood = [x for x, r in zip(t, rows) if r["phase"] == "flood"]
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(9, 6))
    top.plot(t, col["syn_in_per_s"], label="SYNs in / s (flood + clients)")
    top.plot(t, col["synack_out_per_s"], "--", label="zero-window SYN-ACKs out / s")
    top.plot(t, col["unroutable_per_s"], ":",
             label="replies to unroutable spoofed sources, dropped / s")
    top.set_ylabel("packets / s")
    top.set_title("ipvs-zwin: a SYN flood absorbed by the balancer")
    bottom.plot(t, col["server_syns_per_s"], label="SYNs reaching the real servers / s")
    bottom.plot(t, col["served_per_s"], label="client requests served / s")
    bottom.plot(t, col["failed_per_s"], label="client requests failed / s")
    bottom.set_ylabel("per second")
    bottom.set_xlabel("time (s)")
    for ax in (top, bottom):
        if flood:
            ax.axvspan(min(flood) - 1, max(flood), color="red", alpha=0.1,
                       label="flood")
        ax.legend(loc="upper right", fontsize="small")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(dst, dpi=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
