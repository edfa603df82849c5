#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The documentation names what the code has.

  * the counters the admin guide describes (its "Counters" section) are
    the columns of /proc/net/stat/ip_vs_zwin, as the KUnit suite
    ip_vs_zwin_stats checks them against the module's own output
    (tests/kunit/stats_test.c), and as stats.c names them;
  * the sysctls the admin guide describes are those sysctl.c registers;
  * the XDP front end's counters are the same in xdp/zwin_xdp.h, in
    scripts/zwin-xdp (which reads them in the header's order) and in the
    admin guide's section on it.

Run: python3 tests/tools/test_docs.py (no root, no module needed).
"""

import os
import re
import unittest

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def read(path):
    with open(os.path.join(TOP, path)) as f:
        return f.read()


def section(rst, title):
    """The body of the section TITLE (up to the next section title)."""
    lines = rst.splitlines()
    for i, line in enumerate(lines):
        if line == title and re.fullmatch(r"[=-]{3,}", lines[i + 1]):
            body = []
            for j in range(i + 2, len(lines) - 1):
                if lines[j] and re.fullmatch(r"[=-]{3,}", lines[j + 1]):
                    break
                body.append(lines[j])
            return body
    raise AssertionError("no section %r" % title)


def guide_terms(title):
    """Definition-list terms at column 0 of a section, split on commas."""
    names = []
    for line in section(read("Documentation/admin-guide.rst"), title):
        if re.fullmatch(r"[a-z_][a-z0-9_]*(, [a-z_][a-z0-9_]*)*", line):
            names += line.split(", ")
    return names


class Counters(unittest.TestCase):
    def test_guide_kunit_and_code_agree(self):
        guide = guide_terms("Counters")
        kunit = re.search(r"zwin_t_documented\[\] = \{([^}]*)\}",
                          read("tests/kunit/stats_test.c"))
        self.assertIsNotNone(kunit, "no documented header in stats_test.c")
        kunit = re.findall(r'"([a-z_]+)"', kunit.group(1))
        code = re.findall(r'\[ZWIN_STAT_[A-Z_]+\]\s*= "([a-z_]+)"',
                          read("ipvs_zwin/stats.c"))
        self.assertGreaterEqual(len(code), 30)
        self.assertEqual(len(guide), len(set(guide)), "a counter twice")
        self.assertEqual(sorted(guide), sorted(kunit))
        self.assertEqual(kunit, ["entries"] + code)


def guide_sysctls():
    """{name: (text of its description)} of the guide's Sysctls section."""
    out, name = {}, None
    for line in section(read("Documentation/admin-guide.rst"), "Sysctls"):
        m = re.fullmatch(r"(zwin_[a-z_]+) - (INTEGER|BOOLEAN|STRING)", line)
        if m:
            name = m.group(1)
            out[name] = m.group(2) + " "
        elif name and line.startswith("\t"):
            out[name] += line.strip() + " "
        elif line.strip():
            name = None
    return out


def code_sysctls():
    """{name: (min, max, default)} as sysctl.c registers them."""
    src = read("ipvs_zwin/sysctl.c")
    consts = {"SYSCTL_ZERO": 0, "SYSCTL_ONE": 1, "SYSCTL_TWO": 2,
              "SYSCTL_INT_MAX": 2**31 - 1}
    for name, val in re.findall(r"(zwin_[a-z_]+) = (\d+)", src):
        consts["&" + name] = int(val)
    defaults = dict((n, int(v)) for n, v in
                    re.findall(r"\.([a-z_]+)\s*= (\d+),", src))
    out = {}
    for name, field, lo, hi in re.findall(
            r'ZWIN_INT\("([a-z_]+)", ([a-z_]+),\s*([&A-Za-z_]+),\s*([&A-Za-z_]+)\)',
            src):
        out["zwin_" + name] = (consts[lo], consts[hi], defaults[field])
    for name in re.findall(r'\.procname\s*= "(zwin_[a-z_]+)"', src):
        out[name] = None    # a text sysctl with a handler of its own
    return out


class Sysctls(unittest.TestCase):
    def test_guide_and_code_agree(self):
        guide, code = guide_sysctls(), code_sysctls()
        self.assertGreaterEqual(len(code), 10)
        self.assertEqual(sorted(guide), sorted(code))
        for name, limits in code.items():
            text = guide[name]
            if limits is None:
                self.assertTrue(text.startswith("STRING"), name)
                continue
            lo, hi, default = limits
            with self.subTest(name):
                m = re.search(r"[Dd]efault,? (\d+)|(\d+) \(default\)", text)
                self.assertIsNotNone(m, "no default documented")
                self.assertEqual(int(m.group(1) or m.group(2)), default)
                m = re.search(r"[Rr]ange (\d+)-(\d+)", text)
                if text.startswith("BOOLEAN"):
                    self.assertEqual((lo, hi), (0, 1))
                elif m:
                    self.assertEqual((int(m.group(1)), int(m.group(2))),
                                     (lo, hi))
                else:
                    # no range documented: any non-negative int
                    self.assertEqual((lo, hi), (0, 2**31 - 1))


class XdpCounters(unittest.TestCase):
    def test_header_tool_and_guide_agree(self):
        enums = [e for e in re.findall(r"enum \{([^}]*)\}",
                                       read("xdp/zwin_xdp.h"))
                 if "ZWIN_XDP_STAT_MAX" in e]
        self.assertEqual(len(enums), 1, "no counter enum in xdp/zwin_xdp.h")
        header = [n.lower() for n in re.findall(r"\bZWIN_(XDP_[A-Z_]+),",
                                                enums[0])]
        tool = re.search(r"^STATS = \(([^)]*)\)", read("scripts/zwin-xdp"),
                         re.M)
        self.assertIsNotNone(tool, "no STATS in scripts/zwin-xdp")
        tool = re.findall(r'"([a-z_]+)"', tool.group(1))
        self.assertGreaterEqual(len(header), 4)
        self.assertEqual(tool, header, "zwin-xdp reads them in enum order")
        self.assertEqual(sorted(guide_terms("The XDP front end")),
                         sorted(header))


if __name__ == "__main__":
    unittest.main(verbosity=2)
