#!/usr/bin/env python3
"""Large values against two servers: time of one SET and one GET of 1 MB, 10 MB and 100 MB
values, and the server's RSS growth, side by side (see large.sh, which starts the servers).

For each size and server, REPEAT rounds of: SET (request sent, +OK read), GET (whole reply read),
DEL; RSS (from /proc/<pid>/status) before the round, after the SET, after the GET, and SETTLE
seconds after the DEL (is the memory given back?). Times are medians of the rounds; RSS growth
is the largest seen. The client is a plain socket, so its own cost is the same for both servers.

Usage: large_values.py NAME:PORT:PID [NAME:PORT:PID ...]   env SIZES="1 10 100" (MB) REPEAT=3 SETTLE=5
"""
import os
import socket
import statistics
import sys
import time


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n" % len(a))
        out.append(a)
        out.append(b"\r\n")
    return out


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def send(self, parts):
        for p in parts:
            self.s.sendall(p)

    def line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                l = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return l
            d = self.s.recv(1 << 20)
            if not d:
                raise EOFError
            self.buf += d

    def reply(self):
        l = self.line()
        if l[:1] == b"$" and l != b"$-1":
            n = int(l[1:]) + 2
            got = len(self.buf)
            if got >= n:
                del self.buf[:n]
            else:
                n -= got
                self.buf.clear()
                chunk = bytearray(1 << 22)
                view = memoryview(chunk)
                while n > 0:
                    r = self.s.recv_into(view, min(n, len(chunk)))
                    if r == 0:
                        raise EOFError
                    n -= r
            return l
        if l[:1] == b"-":
            raise RuntimeError(l.decode())
        return l


def main():
    servers = [a.split(":") for a in sys.argv[1:]]
    sizes = [int(x) for x in os.environ.get("SIZES", "1 10 100").split()]
    repeat = int(os.environ.get("REPEAT", "3"))
    settle = float(os.environ.get("SETTLE", "5"))
    print("| value | server | SET ms | GET ms | RSS +MiB after SET | after GET | %gs after DEL |" % settle)
    print("|---|---|---:|---:|---:|---:|---:|")
    for mb in sizes:
        value = b"v" * (mb * 1_000_000)
        for name, port, pid in servers:
            c = Conn(int(port))
            c.send(encode(b"PING"))
            c.reply()
            sets, gets, grow_set, grow_get, after_del = [], [], 0.0, 0.0, 0.0
            for _ in range(repeat):
                base = rss_mib(pid)
                t = time.perf_counter()
                c.send(encode(b"SET", b"large", value))
                assert c.reply() == b"+OK"
                sets.append((time.perf_counter() - t) * 1000)
                grow_set = max(grow_set, rss_mib(pid) - base)
                t = time.perf_counter()
                c.send(encode(b"GET", b"large"))
                c.reply()
                gets.append((time.perf_counter() - t) * 1000)
                grow_get = max(grow_get, rss_mib(pid) - base)
                c.send(encode(b"DEL", b"large"))
                c.reply()
                time.sleep(settle)
                after_del = max(after_del, rss_mib(pid) - base)
            print("| %d MB | %s | %.0f | %.0f | %.0f | %.0f | %.0f |" % (
                mb, name, statistics.median(sets), statistics.median(gets), grow_set, grow_get, after_del))
            sys.stdout.flush()
            c.s.close()


if __name__ == "__main__":
    main()
