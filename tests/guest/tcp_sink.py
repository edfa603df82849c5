#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Test helper for the guest scenarios.

  tcp_sink.py serve PORT        accept connections; read each to EOF and
                                answer "<sha256> <bytes>" of what arrived
  tcp_sink.py send HOST PORT N  send N pseudo-random bytes, print
                                "<sha256 sent> <bytes sent> <sha256 the
                                server saw> <bytes it saw>"; any error
                                (refused, reset, timeout, no answer) is
                                printed and exits with status 1
                                with $ZWIN_RATE (bytes/s) sent at that
                                pace, in 32-KiB chunks
  tcp_sink.py fetch HOST PORT PATH RATE
                                HTTP GET PATH at RATE bytes/s (reading
                                16-KiB chunks no faster); print "<sha256
                                of the body> <bytes> <longest wait for
                                data, s>", or "error ..." and status 1
  tcp_sink.py info HOST PORT    connect, print the TCP_INFO options the
                                connection negotiated (ts, sack, wscale);
                                "serve" appends the server side's to the
                                file named by $ZWIN_INFO
  tcp_sink.py connect HOST PORT [get]
                                connect (10-s timeout), send an HTTP GET
                                with "get", wait for data; print how it
                                ended, "data", "reset" or "timeout", and
                                the seconds it took
  tcp_sink.py gets HOST PORT N [STOPFILE]
                                N HTTP GETs one after another (3-s timeout
                                each), or with STOPFILE until that file
                                exists; print "<served> <failed>", served
                                meaning a "200 OK" answer and a body;
                                a failed one is reported on stderr
  tcp_sink.py reuse HOST PORT SPORT N
                                N such GETs, all from source port SPORT,
                                each once the previous one's socket is
                                gone; prints as "gets" does
  tcp_sink.py pcap FILE         one line per TCP segment of a tcpdump
                                file: "src sport dst dport flags seq end
                                ack" (flags as tcpdump's letters, end =
                                seq + payload + SYN + FIN, mod 2^32)
"""
import hashlib
import os
import socket
import struct
import subprocess
import sys
import time


def read_all(s):
    """Everything the peer sends on S until it closes."""
    got = b""
    while True:
        b = s.recv(4096)
        if not b:
            return got
        got += b


def serve(port):
    # dual-stack: IPv4 clients arrive as v4-mapped addresses
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port))
    s.listen(64)
    while True:
        c, _ = s.accept()
        if os.environ.get("ZWIN_INFO"):
            with open(os.environ["ZWIN_INFO"], "a") as f:
                f.write(tcp_opts(c) + "\n")
        if os.fork() == 0:
            h = hashlib.sha256()
            n = 0
            while True:
                b = c.recv(65536)
                if not b:
                    break
                h.update(b)
                n += len(b)
            c.sendall(b"%s %d\n" % (h.hexdigest().encode(), n))
            c.close()
            os._exit(0)
        c.close()
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass


def send(host, port, n):
    try:
        sent, seen = _send(host, port, n)
    except OSError as e:
        sys.exit("send to %s:%d failed: %r" % (host, port, e))
    if len(seen.split()) != 2:
        sys.exit("send to %s:%d: no answer from the sink (%r)" % (host, port, seen))
    print(sent, n, seen)


def _send(host, port, n):
    c = socket.create_connection((host, port), timeout=30)
    h = hashlib.sha256()
    rnd = hashlib.sha256(b"ipvs-zwin").digest()
    left = n
    rate = float(os.environ.get("ZWIN_RATE", "0"))
    t0, done = time.monotonic(), 0
    while left:
        rnd = hashlib.sha256(rnd).digest() * 1024
        chunk = rnd[:min(left, len(rnd))]
        if rate:
            ahead = t0 + done / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        c.sendall(chunk)
        done += len(chunk)
        h.update(chunk)
        left -= len(chunk)
    c.shutdown(socket.SHUT_WR)
    return h.hexdigest(), read_all(c).decode().strip()


def tcp_opts(sock):
    ti = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    # struct tcp_info: u8 state, ca_state, retransmits, probes, backoff,
    # options, wscale (snd:4 rcv:4)
    opts, wscale = ti[5], ti[6]
    return "ts=%d sack=%d wscale=%d" % (
        bool(opts & 1), bool(opts & 2), bool(opts & 4))


def info(host, port):
    c = socket.create_connection((host, port), timeout=10)
    print(tcp_opts(c))
    c.close()


def pcap(path):
    # Ethernet, Linux cooked (v1, v2) and raw IP captures, IPv4 and IPv6
    l2 = {1: 14, 113: 16, 276: 20, 101: 0, 228: 0, 229: 0}
    with open(path, "rb") as f:
        hdr = f.read(24)
        end = "<" if hdr[:4] == b"\xd4\xc3\xb2\xa1" else ">"
        link = struct.unpack(end + "I", hdr[20:24])[0]
        skip = l2[link]
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            caplen, wirelen = struct.unpack(end + "II", rec[8:16])
            seg(f.read(caplen)[skip:])


def seg(ip):
    if ip[0] >> 4 == 4:
        thoff, proto = (ip[0] & 15) * 4, ip[9]
        src, dst = socket.inet_ntop(socket.AF_INET, ip[12:16]), \
            socket.inet_ntop(socket.AF_INET, ip[16:20])
        plen = struct.unpack("!H", ip[2:4])[0] - thoff
    elif ip[0] >> 4 == 6:
        thoff, proto = 40, ip[6]
        src, dst = socket.inet_ntop(socket.AF_INET6, ip[8:24]), \
            socket.inet_ntop(socket.AF_INET6, ip[24:40])
        plen = struct.unpack("!H", ip[4:6])[0]
    else:
        return
    if proto != 6:
        return
    t = ip[thoff:]
    sport, dport, seq, ack = struct.unpack("!HHII", t[:12])
    doff, fl = (t[12] >> 4) * 4, t[13]
    n = plen - doff + (fl & 1) + ((fl >> 1) & 1)
    flags = "".join(c for b, c in ((1, "F"), (2, "S"), (4, "R"), (8, "P"),
                                   (16, "A")) if fl & b)
    print(src, sport, dst, dport, flags, seq, (seq + n) & 0xffffffff, ack)


def connect(host, port, get):
    t0 = time.monotonic()
    try:
        # the reset may even arrive before connect() returns
        s = socket.create_connection((host, port), timeout=10)
        if get:
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        s.recv(100)
        r = "data"
    except (ConnectionResetError, BrokenPipeError):
        r = "reset"
    except socket.timeout:
        r = "timeout"
    print(r, "%.3f" % (time.monotonic() - t0))


def get_once(host, port, tried, sport=0):
    """One HTTP GET (3-s timeout), from port SPORT if given; True if a 200
    with a body came back, else False with the reason on stderr."""
    s = None
    t0 = time.monotonic()
    phase = "connect"
    try:
        s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        s.settimeout(3)
        if sport:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("", sport))
        s.connect((host, port))
        phase = "request (connected after %.3f s)" % (time.monotonic() - t0)
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        data = read_all(s)
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        if b" 200 " in head.split(b"\r\n")[0] and body:
            return True
        print("gets: request %d: %d bytes, no 200 with a body"
              % (tried, len(data)), file=sys.stderr)
    except OSError as e:
        try:
            lport = s.getsockname()[1]
        except OSError:
            lport = "-"
        print("gets: request %d (port %s) failed in %s after %.3f s: %r"
              % (tried, lport, phase, time.monotonic() - t0, e),
              file=sys.stderr)
        # a failed request ends with a reset, so that no orphaned
        # socket keeps probing a zero window after this returns
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        s.close()
    return False


def gets(host, port, n, stop=None):
    served = tried = 0
    while tried < n and not (stop and os.path.exists(stop)):
        tried += 1
        served += get_once(host, port, tried)
    print(served, tried - served)


def reuse(host, port, sport, n):
    """N GETs one after another from the same source port: each waits
    (up to 5 s) for the previous connection's socket to be gone."""
    served = 0
    for tried in range(1, n + 1):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            ss = subprocess.run(["ss", "-Htan", "sport", "= :%d" % sport],
                                capture_output=True, text=True).stdout
            if not ss.strip():
                break
            time.sleep(0.05)
        served += get_once(host, port, tried, sport)
    print(served, n - served)


def fetch(host, port, path, rate):
    try:
        c = socket.create_connection((host, port), timeout=10)
        c.sendall(b"GET %s HTTP/1.0\r\n\r\n" % path.encode())
        data, gap, t0 = bytearray(), 0.0, time.monotonic()
        while True:
            ahead = t0 + len(data) / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
            w = time.monotonic()
            b = c.recv(16384)
            gap = max(gap, time.monotonic() - w)
            if not b:
                break
            data += b
    except OSError as e:
        print("error", repr(e))
        sys.exit(1)
    body = bytes(data).partition(b"\r\n\r\n")[2]
    print(hashlib.sha256(body).hexdigest(), len(body), "%.3f" % gap)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "serve":
        serve(int(sys.argv[2]))
    elif cmd == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "info":
        info(sys.argv[2], int(sys.argv[3]))
    elif cmd == "connect":
        connect(sys.argv[2], int(sys.argv[3]), sys.argv[4:] == ["get"])
    elif cmd == "fetch":
        fetch(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
    elif cmd == "gets":
        gets(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
             sys.argv[5] if len(sys.argv) > 5 else None)
    elif cmd == "reuse":
        reuse(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
              int(sys.argv[5]))
    elif cmd == "pcap":
        pcap(sys.argv[2])
