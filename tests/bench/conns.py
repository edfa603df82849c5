#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Connection helpers for make bench (guest side).

  conns.py rate HOST PORT SECONDS PROCS   PROCS processes each doing
                                          connect, GET /, read to EOF,
                                          close, for SECONDS; prints
                                          "ok N fail N seconds S"
  conns.py ttfb HOST PORT N               N sequential requests; prints
                                          the time from connect() to the
                                          first response byte of each, ms
  conns.py serve PORT                     accept connections and hold
                                          them open, idle, until killed
  conns.py hold HOST PORT N READYFILE     open N idle connections (at
                                          most 256 in flight), write
                                          "open N fail N" to READYFILE,
                                          then hold them until killed
"""
import multiprocessing
import os
import resource
import select
import socket
import sys
import time

REQ = b"GET / HTTP/1.0\r\nHost: bench\r\n\r\n"


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(hard, 65536)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def one_request(host, port):
    s = socket.create_connection((host, port), timeout=5)
    try:
        s.sendall(REQ)
        while s.recv(65536):
            pass
    finally:
        s.close()


def rate_worker(host, port, secs, q):
    ok = fail = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        try:
            one_request(host, port)
            ok += 1
        except OSError:
            fail += 1
    q.put((ok, fail))


def rate(host, port, secs, procs):
    q = multiprocessing.Queue()
    t0 = time.monotonic()
    ps = [multiprocessing.Process(target=rate_worker, args=(host, port, secs, q))
          for _ in range(procs)]
    for p in ps:
        p.start()
    res = [q.get() for _ in ps]
    for p in ps:
        p.join()
    t = time.monotonic() - t0
    print("ok %d fail %d seconds %.3f" % (sum(r[0] for r in res),
                                          sum(r[1] for r in res), t))


def ttfb(host, port, n):
    for _ in range(n):
        t0 = time.monotonic()
        try:
            s = socket.create_connection((host, port), timeout=5)
            s.sendall(REQ)
            if not s.recv(1):
                raise OSError("no response")
            print("%.3f" % ((time.monotonic() - t0) * 1000))
            while s.recv(65536):
                pass
            s.close()
        except OSError:
            print("fail")


def serve(port):
    raise_nofile()
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(4096)
    held = []
    while True:
        c, _ = s.accept()
        held.append(c)


def hold(host, port, n, ready):
    raise_nofile()
    pending = {}
    held = []
    fail = 0
    started = 0
    ep = select.epoll()
    while started < n or pending:
        while started < n and len(pending) < 256:
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect((host, port))
            except BlockingIOError:
                pass
            except OSError:
                fail += 1
                s.close()
                started += 1
                continue
            pending[s.fileno()] = s
            ep.register(s.fileno(), select.EPOLLOUT)
            started += 1
        for fd, _ in ep.poll(10):
            s = pending.pop(fd)
            ep.unregister(fd)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                fail += 1
                s.close()
            else:
                held.append(s)
    with open(ready, "w") as f:
        f.write("open %d fail %d\n" % (len(held), fail))
    while True:
        time.sleep(3600)


def main():
    a = sys.argv[1:]
    if a[:1] == ["rate"] and len(a) == 5:
        rate(a[1], int(a[2]), float(a[3]), int(a[4]))
    elif a[:1] == ["ttfb"] and len(a) == 4:
        ttfb(a[1], int(a[2]), int(a[3]))
    elif a[:1] == ["serve"] and len(a) == 2:
        serve(int(a[1]))
    elif a[:1] == ["hold"] and len(a) == 5:
        hold(a[1], int(a[2]), int(a[3]), a[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
