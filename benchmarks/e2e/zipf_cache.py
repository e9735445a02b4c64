#!/usr/bin/env python3
"""Cache-aside Zipfian trace for the eviction benchmark (benchmarks/e2e/eviction.sh).

Replays the same seeded trace against one server: each operation picks a key from a Zipf
distribution (exponent S, like YCSB's zipfian 0.99) over KEYS keys and GETs it; a miss is
followed by a SET of the value (the application refilling its cache). Reports the hit ratio of
the measured part (after a warm-up of the same length) and, from one connection without
pipelining, GET latency percentiles (microseconds, client round trip).

Usage: zipf_cache.py PORT [--load] [--keys N] [--ops N] [--size BYTES] [--s 0.99] [--seed 1]
Prints one line of JSON.
"""
import argparse
import bisect
import json
import random
import socket
import time


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        i = self.buf.index(b"\r\n")
        line, self.buf = self.buf[:i], self.buf[i + 2:]
        return line

    def reply(self):
        line = self._line()
        t = line[:1]
        if t == b"$":
            n = int(line[1:])
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.s.recv(65536)
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v
        if t == b"-":
            raise RuntimeError(line.decode())
        return line[1:]

    def call(self, *args):
        self.s.sendall(encode(*args))
        return self.reply()

    def close(self):
        self.s.close()


def zipf_cdf(n, s):
    w = [1.0 / (i ** s) for i in range(1, n + 1)]
    total = sum(w)
    cdf, acc = [], 0.0
    for x in w:
        acc += x / total
        cdf.append(acc)
    return cdf


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--keys", type=int, default=300000)
    ap.add_argument("--ops", type=int, default=300000)
    ap.add_argument("--size", type=int, default=100)
    ap.add_argument("--s", type=float, default=0.99)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--load", action="store_true", help="only SET every key once (pipelined), to size the data")
    a = ap.parse_args()
    if a.load:
        c = Conn(a.port)
        value = b"v" * a.size
        for start in range(0, a.keys, 1000):
            end = min(a.keys, start + 1000)
            c.s.sendall(b"".join(encode("SET", "key:%d" % i, value) for i in range(start, end)))
            for _ in range(start, end):
                c.reply()
        return

    cdf = zipf_cdf(a.keys, a.s)
    rnd = random.Random(a.seed)
    # ranks are scattered over the key names, so hot keys are not neighbours anywhere
    perm = list(range(a.keys))
    random.Random(a.seed + 1).shuffle(perm)
    value = b"v" * a.size
    c = Conn(a.port)
    hits = misses = 0
    lat = []
    for phase in ("warmup", "measure"):
        for _ in range(a.ops):
            k = "key:%d" % perm[min(bisect.bisect_left(cdf, rnd.random()), a.keys - 1)]
            t0 = time.perf_counter_ns()
            v = c.call("GET", k)
            t1 = time.perf_counter_ns()
            if v is None:
                c.call("SET", k, value)
            if phase == "measure":
                lat.append((t1 - t0) / 1000.0)
                if v is None:
                    misses += 1
                else:
                    hits += 1
    lat.sort()

    def pct(p):
        return round(lat[min(len(lat) - 1, int(len(lat) * p / 100.0))], 1)

    print(json.dumps({"hit_ratio": round(hits / max(1, hits + misses), 4), "hits": hits, "misses": misses,
                      "p50_us": pct(50), "p99_us": pct(99), "p999_us": pct(99.9)}))


if __name__ == "__main__":
    main()
