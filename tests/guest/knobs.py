# SPDX-License-Identifier: GPL-2.0
"""Handshakes with the proxy, one segment at a time (scapy), for the
proxy_knobs guest scenario. Run in the client's (or attacker's) namespace:

    knobs.py STEP...

Each STEP is "KIND,VIP,PORT,SPORT[,OPTIONS...]", run in order:

  syn   send a SYN, print what the VIP answered within 2 s:
        "SPORT synack flags=F win=W mss=M sack=0|1 ts=0|1 tsecr=E ws=S|none"
        or "SPORT synack none"
  ack   as syn, then complete the handshake with an ACK (echoing the
        SYN-ACK's timestamp) and print the first segment that follows
        within 5 s: "SPORT after flags=F seq=Q win=W", "SPORT after none"
  fire  send a SYN and wait for nothing (spoofed sources)

OPTIONS: mss=N, sack, ts, ws=N (offered in the SYN), ecn (ECE and CWR on
the SYN), badsum (wrong TCP checksum), src=ADDR (spoofed source).
"""

import sys
import threading

from scapy.all import IP, IPv6, TCP, AsyncSniffer, conf, send

conf.verb = 0
TSVAL = 777000


def l3(vip, src):
    if ":" in vip:
        return IPv6(dst=vip, src=src) if src else IPv6(dst=vip)
    return IP(dst=vip, src=src) if src else IP(dst=vip)


def exchange(pkt, vip, port, sport, timeout):
    """Sends pkt; returns the first TCP segment from vip:port to sport."""
    up = threading.Event()
    sn = AsyncSniffer(filter="tcp and src port %d and dst port %d" % (port, sport),
                      lfilter=lambda p: p.haslayer(TCP), count=1,
                      timeout=timeout, started_callback=up.set)
    sn.start()
    if not up.wait(10):
        sys.exit("sniffer did not start")
    send(pkt)
    sn.join()
    return sn.results[0][TCP] if sn.results else None


def describe(t):
    o = dict((k, v) for k, v in t.options if isinstance(k, str))
    ts = o.get("Timestamp")
    return "flags=%s win=%d mss=%s sack=%d ts=%d tsecr=%s ws=%s" % (
        t.flags, t.window, o.get("MSS", "none"), "SAckOK" in o,
        ts is not None, ts[1] if ts else "none", o.get("WScale", "none"))


def step(spec):
    kind, vip, port, sport, *opts = spec.split(",")
    port, sport = int(port), int(sport)
    kw = dict(o.split("=", 1) if "=" in o else (o, "") for o in opts)
    tcpopts = []
    if "mss" in kw:
        tcpopts.append(("MSS", int(kw["mss"])))
    if "sack" in kw:
        tcpopts.append(("SAckOK", b""))
    if "ts" in kw:
        tcpopts.append(("Timestamp", (TSVAL, 0)))
    if "ws" in kw:
        tcpopts.append(("WScale", int(kw["ws"])))
    isn = 1000000 + sport
    syn = TCP(sport=sport, dport=port, flags="SEC" if "ecn" in kw else "S",
              seq=isn, window=1000, options=tcpopts)
    if "badsum" in kw:
        syn.chksum = 0xdead
    pkt = l3(vip, kw.get("src")) / syn
    if kind == "fire":
        send(pkt)
        print(sport, "fired")
        return
    a = exchange(pkt, vip, port, sport, 2)
    if a is None:
        print(sport, "synack none")
        return
    print(sport, "synack", describe(a))
    if kind != "ack":
        return
    o = dict((k, v) for k, v in a.options if isinstance(k, str))
    ackopts = []
    if "Timestamp" in o:
        ackopts = [("NOP", None), ("NOP", None),
                   ("Timestamp", (TSVAL + 1, o["Timestamp"][0]))]
    ack = TCP(sport=sport, dport=port, flags="A", seq=isn + 1, ack=a.seq + 1,
              window=1000, options=ackopts)
    r = exchange(l3(vip, None) / ack, vip, port, sport, 5)
    if r is None:
        print(sport, "after none")
    else:
        print(sport, "after flags=%s seq=%d win=%d cookie1=%d" %
              (r.flags, r.seq, r.window, (a.seq + 1) & 0xffffffff))


if __name__ == "__main__":
    for s in sys.argv[1:]:
        step(s)
        sys.stdout.flush()
