#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/zwin-stat on fake /proc/net/stat/ip_vs_zwin files.

Run: python3 tests/tools/test_zwin_stat.py (no root, no module needed).
"""

import json
import os
import subprocess
import tempfile
import unittest

TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "..", "..", "scripts", "zwin-stat")

NAMES = ("entries syn_seen syn_plain syn_zwin syn_nodest syn_nonat "
         "syn_disabled synack_sent cookie_valid cookie_invalid conn_full "
         "pending_full aborted server_syn server_retry server_timeout "
         "server_refused established window_open to_server to_client "
         "early_drop xmit_fail syn_invalid syn_existing ipvs_conn "
         "ack_storm").split()
MAIN = ["entries", "syn_seen", "synack_sent", "cookie_valid",
        "cookie_invalid", "established", "server_refused", "server_timeout",
        "to_server", "to_client", "xmit_fail"]


def proc_text(names, rows):
    """The module's format: names, then one row of %08x values per cpu."""
    lines = [" ".join(names)]
    for row in rows:
        lines.append(" ".join("%08x" % row.get(n, 0) for n in names))
    return "\n".join(lines) + "\n"


def cpu_rows(totals, entries, cpus=2):
    """Split totals over cpus (first cpu gets the remainder); the gauge
    "entries" is repeated on every row."""
    rows = []
    for c in range(cpus):
        row = {n: v // cpus + (v % cpus if c == 0 else 0)
               for n, v in totals.items()}
        row["entries"] = entries
        rows.append(row)
    return rows


class ZwinStat(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "ip_vs_zwin")

    def tearDown(self):
        self.dir.cleanup()

    def write(self, totals, entries=0, names=NAMES, cpus=2):
        # replaced atomically, as a reader of /proc never sees half a file
        tmp = self.path + ".new"
        with open(tmp, "w") as f:
            f.write(proc_text(names, cpu_rows(totals, entries, cpus)))
        os.replace(tmp, self.path)

    def run_tool(self, *args, env=None):
        return subprocess.run([TOOL, "-f", self.path, *args], env=env,
                              capture_output=True, text=True, timeout=30)

    def start(self, *args):
        return subprocess.Popen([TOOL, "-f", self.path, *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    def test_once_sums_cpus_and_reads_the_gauge_once(self):
        self.write({"syn_seen": 101, "synack_sent": 99, "to_client": 7},
                   entries=5, cpus=4)
        r = self.run_tool("--once")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), len(NAMES))
        got = dict(line.split() for line in lines)
        self.assertEqual(lines[0].split(), ["entries", "5"])
        self.assertEqual(got["syn_seen"], "101")
        self.assertEqual(got["synack_sent"], "99")
        self.assertEqual(got["to_client"], "7")
        self.assertEqual(got["xmit_fail"], "0")
        self.assertEqual([line.split()[0] for line in lines], NAMES)

    def test_second_file_merged_entries_once(self):
        # the module's counters are spread over files of at most 32
        # columns (lnstat's limit), each starting with "entries"
        self.write({"syn_seen": 4}, entries=3)
        more = os.path.join(self.dir.name, "ip_vs_zwin_cluster")
        with open(more, "w") as f:
            f.write(proc_text(["entries", "cookie_prev"],
                              cpu_rows({"cookie_prev": 9}, 3)))
        r = self.run_tool("-f", more, "--once")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual([line.split()[0] for line in lines],
                         NAMES + ["cookie_prev"])
        got = dict(line.split() for line in lines)
        self.assertEqual((got["entries"], got["syn_seen"],
                          got["cookie_prev"]), ("3", "4", "9"))
        # a file named but missing is an error, not skipped
        os.remove(more)
        r = self.run_tool("-f", more, "--once")
        self.assertEqual(r.returncode, 1)
        self.assertIn(more + " not found", r.stderr)

    def test_json(self):
        self.write({"cookie_valid": 12, "ack_storm": 3}, entries=2)
        r = self.run_tool("--once", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        d = json.loads(r.stdout)
        self.assertEqual(list(d), NAMES)
        self.assertEqual(d["entries"], 2)
        self.assertEqual(d["cookie_valid"], 12)
        self.assertEqual(d["ack_storm"], 3)
        self.assertEqual(sum(d.values()), 17)

    def test_json_needs_once(self):
        self.write({})
        r = self.run_tool("--json")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--json needs --once", r.stderr)

    def test_rates_between_samples(self):
        """Each line is the increase over one interval, per second; the
        gauge is shown as it is; a counter that went back (module
        reloaded) counts from zero."""
        self.write({"syn_seen": 1000, "synack_sent": 990, "to_server": 5},
                   entries=1)
        p = self.start("-i", "1", "-c", "2")
        try:
            head = p.stdout.readline().split()
            self.assertEqual(head, MAIN)
            # first sample taken: change the counters before the next one
            self.write({"syn_seen": 1250, "synack_sent": 1230,
                        "to_server": 5, "xmit_fail": 3}, entries=4)
            line1 = p.stdout.readline().split()
            self.write({"syn_seen": 40, "synack_sent": 1240,
                        "to_server": 5, "xmit_fail": 3}, entries=0)
            line2 = p.stdout.readline().split()
            rest = p.stdout.read()
            self.assertEqual(p.wait(timeout=10), 0, p.stderr.read())
        finally:
            p.kill()
            p.communicate()
        r1 = dict(zip(MAIN, map(int, line1)))
        self.assertEqual(r1, dict.fromkeys(MAIN, 0) | {
            "entries": 4, "syn_seen": 250, "synack_sent": 240,
            "xmit_fail": 3})
        r2 = dict(zip(MAIN, map(int, line2)))
        self.assertEqual(r2, dict.fromkeys(MAIN, 0) | {
            "syn_seen": 40, "synack_sent": 10})
        self.assertEqual(rest, "")

    def test_rates_are_per_second(self):
        self.write({"to_client": 100})
        p = self.start("-i", "2", "-c", "1")
        try:
            p.stdout.readline()
            self.write({"to_client": 130})
            line = p.stdout.readline().split()
            self.assertEqual(p.wait(timeout=10), 0)
        finally:
            p.kill()
            p.communicate()
        self.assertEqual(dict(zip(MAIN, line))["to_client"], "15")

    def test_columns_sized_to_names_and_header_every_20_lines(self):
        self.write({"syn_seen": 1})
        r = self.run_tool("-i", "0.01", "-c", "45")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertEqual(len(lines), 45 + 3)
        heads = [i for i, line in enumerate(lines) if "syn_seen" in line]
        self.assertEqual(heads, [0, 21, 42])
        # every value ends where its name ends
        for line in lines:
            self.assertEqual(len(line), len(lines[0]))
            self.assertTrue(line.endswith(" 0") or "xmit_fail" in line)

    def test_all_counters(self):
        self.write({"ack_storm": 1})
        r = self.run_tool("-a", "-i", "0.01", "-c", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[0].split(), NAMES)

    def test_older_module_with_fewer_counters(self):
        old = [n for n in NAMES if n not in
               ("entries", "xmit_fail", "syn_invalid", "syn_existing",
                "ipvs_conn", "ack_storm")]
        self.write({"syn_seen": 4, "established": 2}, names=old)
        r = self.run_tool("-i", "0.01", "-c", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        head = r.stdout.splitlines()[0].split()
        self.assertEqual(head, [n for n in MAIN
                                if n not in ("entries", "xmit_fail")])
        r = self.run_tool("--once", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout),
                         dict.fromkeys(old, 0) | {"syn_seen": 4,
                                                  "established": 2})

    def test_missing_file(self):
        r = self.run_tool("--once")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not loaded", r.stderr)
        self.assertEqual(r.stdout, "")

    def test_file_vanishes_while_watching(self):
        self.write({"syn_seen": 1})
        p = self.start("-i", "0.5")
        try:
            self.assertIn("syn_seen", p.stdout.readline())
            os.unlink(self.path)
            out, err = p.communicate(timeout=10)
        finally:
            p.kill()
        self.assertEqual(p.returncode, 1)
        self.assertIn("is gone", err)
        self.assertIn("unloaded", err)

    def test_bad_format(self):
        with open(self.path, "w") as f:
            f.write("entries syn_seen\n00000001\n")
        r = self.run_tool("--once")
        self.assertEqual(r.returncode, 1)
        self.assertIn("1 values for 2 names", r.stderr)

    def test_netns_reexecutes_through_ip_netns_exec(self):
        """-n runs the tool again as `ip netns exec NS python3 zwin-stat
        ...`; a stand-in `ip` records its arguments and runs the rest."""
        self.write({"syn_seen": 9}, entries=1)
        bindir = os.path.join(self.dir.name, "bin")
        os.mkdir(bindir)
        log = os.path.join(self.dir.name, "ip.log")
        with open(os.path.join(bindir, "ip"), "w") as f:
            f.write('#!/bin/sh\necho "$1 $2 $3" >> %s\n'
                    '[ "$1 $2" = "netns exec" ] || exit 99\n'
                    'shift 3\nexec "$@"\n' % log)
        os.chmod(os.path.join(bindir, "ip"), 0o755)
        env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"])
        env.pop("ZWIN_STAT_NETNS", None)
        r = self.run_tool("-n", "lvs1", "--once", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, self.run_tool("--once").stdout)
        with open(log) as f:
            self.assertEqual(f.read(), "netns exec lvs1\n")


if __name__ == "__main__":
    unittest.main(verbosity=2)
