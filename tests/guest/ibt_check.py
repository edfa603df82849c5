#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Proves, in the running guest kernel, how ip_vs_zwin reaches IPVS's
service lookup, and that no path is an indirect branch (the only kind IBT
checks for ENDBR64).

    ibt_check.py MODULE SYMBOL

Reads the kernel's memory through /proc/kcore:
  - the first bytes of SYMBOL (in ip_vs), printed, and whether ip_vs.ko
    lists SYMBOL in .rela.ibt_endbr_seal (the kernel overwrites the
    ENDBR64 of the functions listed there when the module loads);
  - every allocated section of MODULE, as loaded: each 5-byte CALL or JMP
    (E8/E9 rel32) whose destination is SYMBOL is a direct branch; each
    8-byte copy of SYMBOL's address is a pointer an indirect call could
    use, except the function field of the module's static call keys
    (__SCK__*), which the kernel only reads to patch direct branches.

Fails (exit 1) if the module holds such a pointer anywhere, or if it has no
direct branch to SYMBOL at all (a check that found nothing proves nothing).
"""
import lzma
import os
import struct
import subprocess
import sys

ENDBR64 = bytes.fromhex("f30f1efa")


def kallsyms():
    syms = {}
    with open("/proc/kallsyms") as f:
        for line in f:
            parts = line.split()
            mod = parts[3].strip("[]") if len(parts) > 3 else ""
            syms.setdefault((parts[2], mod), int(parts[0], 16))
    return syms


class Kcore:
    def __init__(self):
        self.f = open("/proc/kcore", "rb")
        hdr = self.f.read(64)
        phoff, = struct.unpack_from("<Q", hdr, 32)
        phentsize, phnum = struct.unpack_from("<HH", hdr, 54)
        self.loads = []
        for i in range(phnum):
            self.f.seek(phoff + i * phentsize)
            p = self.f.read(phentsize)
            ptype, _, off, vaddr, _, filesz = struct.unpack_from("<IIQQQQ", p)
            if ptype == 1:
                self.loads.append((vaddr, off, filesz))

    def read(self, addr, n):
        for vaddr, off, size in self.loads:
            if vaddr <= addr and addr + n <= vaddr + size:
                self.f.seek(off + addr - vaddr)
                return self.f.read(n)
        raise SystemExit(f"FAIL: {addr:#x} is not in /proc/kcore")


def elf_sections(path):
    """(name, size, flags) of each section of an ELF file, via readelf."""
    out = subprocess.run(["readelf", "-SW", path], capture_output=True,
                         text=True, check=True).stdout
    secs = []
    for line in out.splitlines():
        line = line.strip()
        if not line.startswith("["):
            continue
        fields = line.split("]", 1)[1].split()
        if len(fields) < 7 or fields[0] == "Name":
            continue
        name, size = fields[0], int(fields[4], 16)
        flags = fields[6] if not fields[6].isdigit() else ""
        secs.append((name, size, flags))
    return secs


def sealed(ko, symbol):
    """Whether SYMBOL's entry is listed in ko's .rela.ibt_endbr_seal."""
    syms = subprocess.run(["readelf", "-sW", ko], capture_output=True,
                          text=True, check=True).stdout
    addr = None
    for line in syms.splitlines():
        f = line.split()
        if len(f) >= 8 and f[7] == symbol and f[3] == "FUNC":
            addr = int(f[1], 16)
    relocs = subprocess.run(["readelf", "-rW", ko], capture_output=True,
                            text=True, check=True).stdout
    if ".rela.ibt_endbr_seal" not in relocs:
        return False, "no .rela.ibt_endbr_seal (kernel built without IBT)"
    part = relocs.split(".rela.ibt_endbr_seal", 1)[1].split("Relocation section", 1)[0]
    for line in part.splitlines():
        f = line.split()
        # Offset Info Type Symbol's-Value Symbol's-Name + Addend
        if len(f) >= 7 and f[4] == ".text" and int(f[6], 16) == addr:
            return True, f"listed in .rela.ibt_endbr_seal (.text+{addr:#x})"
    return False, "not listed in .rela.ibt_endbr_seal"


def module_file(mod):
    """The module's .ko, decompressed to /tmp if the kernel ships it as .xz."""
    path = subprocess.run(["modinfo", "-n", mod], capture_output=True,
                          text=True, check=True).stdout.strip()
    if path.endswith(".xz"):
        plain = f"/tmp/{mod}.ko"
        with lzma.open(path) as src, open(plain, "wb") as dst:
            dst.write(src.read())
        return plain
    return path


def main():
    mod, symbol = sys.argv[1], sys.argv[2]
    syms = kallsyms()
    target = syms.get((symbol, "ip_vs"))
    if not target:
        raise SystemExit(f"FAIL: {symbol} not in /proc/kallsyms (kptr_restrict?)")
    kc = Kcore()
    head = kc.read(target, 16)
    ipvs_ko = module_file("ip_vs")
    is_sealed, why = sealed(ipvs_ko, symbol)
    print(f"{symbol} at {target:#x}: first bytes {head.hex(' ')}")
    print(f"  starts with ENDBR64: {head[:4] == ENDBR64}; in {ipvs_ko}: {why}")

    ko = module_file(mod)
    secdir = f"/sys/module/{mod}/sections"
    keys = [a for (n, m), a in syms.items() if m == mod and n.startswith("__SCK__")]
    direct, pointers = [], []
    want = struct.pack("<Q", target)
    for name, size, flags in elf_sections(ko):
        if "A" not in flags or size == 0 or not os.path.exists(f"{secdir}/{name}"):
            continue
        with open(f"{secdir}/{name}") as f:
            base = int(f.read(), 16)
        if name.startswith(".init"):
            continue        # freed after the module's init
        data = kc.read(base, size)
        for i in range(len(data) - 7):
            if data[i:i + 8] == want and base + i not in keys:
                pointers.append(f"{name}+{i:#x}")
        if "X" in flags:
            for i in range(len(data) - 4):
                if data[i] in (0xE8, 0xE9):
                    rel, = struct.unpack_from("<i", data, i + 1)
                    if base + i + 5 + rel == target:
                        kind = "call" if data[i] == 0xE8 else "jmp"
                        direct.append(f"{kind} at {name}+{i:#x}")
    print(f"{mod}: direct branches to {symbol}: {len(direct)} "
          f"({', '.join(direct) or 'none'})")
    print(f"{mod}: pointers to {symbol} outside static call keys: "
          f"{len(pointers)} ({', '.join(pointers) or 'none'})")
    if pointers:
        print(f"FAIL: {mod} keeps {symbol}'s address for an indirect call; "
              f"its target {'lacks' if is_sealed or head[:4] != ENDBR64 else 'has'} "
              "ENDBR64 on IBT-enforcing CPUs")
        return 1
    if not direct:
        print(f"FAIL: no direct branch from {mod} to {symbol} found")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
