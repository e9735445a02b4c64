#!/usr/bin/env python3
"""Replica lag under a steady write load, Basalt and redis-server in the same topology.

For each pair (master -> replica) given in PAIRS, e.g. "redis:redis basalt:basalt basalt:redis
redis:basalt", both servers are started on loopback, the replica is attached with REPLICAOF and
waits until it is online, then:

  * a load generator (a process of its own) writes SET key:<random> <32 bytes> at a fixed RATE
    (ops/s) for DURATION seconds: batches of RATE/100 pipelined commands every 10 ms on one
    connection, replies drained by a reader thread (so the rate does not depend on latency);
  * a probe writes SET probe:<n> x to the master every 10 ms on its own connection and notes the
    send time; a subscriber on the replica (notify-keyspace-events K$, PSUBSCRIBE
    __keyspace@0__:probe:*) notes when the replica applied it. Lag = apply time - send time: the
    master's processing, the stream to the replica and the replica's apply, end to end.

Reports the achieved write rate and the lag's p50/p99/max in milliseconds.
Results: benchmarks/results/replica-lag-<time>.md

Usage: benchmarks/e2e/replica_lag.py    (build first: mvn -q -DskipTests package)
Env:   RATE=100000 DURATION=20 PAIRS="redis:redis basalt:basalt" MASTER_PORT=17301 REPLICA_PORT=17302
"""
import os
import shutil
import socket
import subprocess
import sys
import multiprocessing
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RATE = int(os.environ.get("RATE", "100000"))
DURATION = float(os.environ.get("DURATION", "20"))
PAIRS = os.environ.get("PAIRS", "redis:redis basalt:basalt basalt:redis redis:basalt").split()
MASTER_PORT = int(os.environ.get("MASTER_PORT", "17301"))
WARMUP = float(os.environ.get("WARMUP", "3"))  # seconds of the run reported apart (JIT, first GCs)
REPLICA_PORT = int(os.environ.get("REPLICA_PORT", "17302"))


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def reply(self):
        l = self.line()
        t = l[:1]
        if t == b"$":
            n = int(l[1:])
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self.buf += self.s.recv(65536)
            v, self.buf = self.buf[:n], self.buf[n + 2:]
            return v
        if t == b"*":
            n = int(l[1:])
            return [self.reply() for _ in range(max(n, 0))]
        if t == b"-":
            raise RuntimeError(l.decode())
        return l[1:]

    def call(self, *args):
        self.s.sendall(encode(*args))
        return self.reply()


def start(kind, port, tmp, extra=()):
    d = os.path.join(tmp, f"{kind}-{port}")
    os.makedirs(d, exist_ok=True)
    log = open(os.path.join(d, "log"), "w")
    if kind == "redis":
        cmd = ["redis-server", "--port", str(port), "--save", "", "--dir", d, "--repl-diskless-sync-delay", "0", *extra]
    else:
        cmd = [os.path.join(HERE, "bin", "basalt-server"), "--port", str(port), "--save", "", "--dir", d,
               "--repl-diskless-sync-delay", "0", *extra]
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            Conn(port).call("PING")
            return p
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{kind} on {port} did not start")


def stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def load_process(port, rate, duration, ready, result):
    """RATE/100 pipelined SETs every 10 ms on one connection; a thread drains the replies."""
    load = Conn(port)
    per_tick = max(1, rate // 100)
    value = b"x" * 32
    batches = [b"".join(encode("SET", f"key:{(i * 7919 + j) % 100000}", value) for j in range(per_tick))
               for i in range(16)]
    acked = [0]
    done = threading.Event()

    def drain():
        load.s.settimeout(1.0)
        while True:
            try:
                d = load.s.recv(1 << 20)
            except socket.timeout:
                if done.is_set():
                    break
                continue
            if not d:
                break
            acked[0] += d.count(b"+OK\r\n")

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    ready.set()
    start = time.perf_counter()
    tick = 0
    while time.perf_counter() - start < duration:
        load.s.sendall(batches[tick % len(batches)])
        tick += 1
        delay = start + tick * 0.01 - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    elapsed = time.perf_counter() - start
    done.set()
    t.join(5)
    result.put(acked[0] / elapsed)


def run_pair(master_kind, replica_kind, tmp):
    master = start(master_kind, MASTER_PORT, tmp)
    replica = start(replica_kind, REPLICA_PORT, tmp)
    try:
        r = Conn(REPLICA_PORT)
        r.call("REPLICAOF", "127.0.0.1", MASTER_PORT)
        r.call("CONFIG", "SET", "notify-keyspace-events", "K$")
        m = Conn(MASTER_PORT)
        deadline = time.time() + 60
        while b"state=online" not in m.call("INFO", "replication"):
            if time.time() > deadline:
                raise RuntimeError("replica never came online")
            time.sleep(0.05)

        sub = Conn(REPLICA_PORT)
        sub.call("PSUBSCRIBE", "__keyspace@0__:probe:*")
        sent = {}
        lags = []
        warm = []
        series = []
        stop_flag = threading.Event()

        def subscriber():
            sub.s.settimeout(1.0)
            while not stop_flag.is_set():
                try:
                    msg = sub.reply()
                except (socket.timeout, OSError):
                    continue
                now = time.perf_counter()
                if isinstance(msg, list) and len(msg) == 4 and msg[0] == b"pmessage":
                    n = int(msg[2].rsplit(b":", 1)[1])
                    if n in sent:
                        lags.append((now - sent[n]) * 1000)
                        series.append((n, (now - sent[n]) * 1000))
                        if n > WARMUP * 100:
                            warm.append((now - sent[n]) * 1000)

        # the load runs in a process of its own (its own interpreter lock), so the probe's
        # timestamps are not delayed by it
        ready = multiprocessing.Event()
        result = multiprocessing.Queue()
        loader = multiprocessing.Process(target=load_process, args=(MASTER_PORT, RATE, DURATION, ready, result))
        loader.start()
        ready.wait()
        t = threading.Thread(target=subscriber, daemon=True)
        t.start()
        probe = Conn(MASTER_PORT)
        start_t = time.perf_counter()
        tick = 0
        n = 0
        while time.perf_counter() - start_t < DURATION:
            n += 1
            sent[n] = time.perf_counter()
            probe.call("SET", f"probe:{n}", "x")
            tick += 1
            delay = start_t + tick * 0.01 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        rate = result.get()
        loader.join()
        time.sleep(1.0)
        stop_flag.set()
        t.join(3)
        if os.environ.get("SERIES"):
            with open(f"{os.environ['SERIES']}-{master_kind}-{replica_kind}.txt", "w") as f:
                for n, lag in series:
                    f.write(f"{n / 100:.2f} {lag:.2f}\n")
        lags.sort()
        warm.sort()
        def pct(p, xs=lags):
            return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")
        return {
            "rate": rate,
            "probes": n,
            "seen": len(lags),
            "p50": pct(0.50),
            "p99": pct(0.99),
            "max": lags[-1] if lags else float("nan"),
            "warm_p99": pct(0.99, warm),
            "warm_max": warm[-1] if warm else float("nan"),
        }
    finally:
        stop(replica)
        stop(master)


def main():
    tmp = tempfile.mkdtemp(prefix="replica-lag-")
    rows = []
    try:
        for pair in PAIRS:
            mk, rk = pair.split(":")
            res = run_pair(mk, rk, tmp)
            rows.append((mk, rk, res))
            print(f"{mk} -> {rk}: {res['rate']:.0f} SET/s, lag p50 {res['p50']:.2f} ms, p99 {res['p99']:.2f} ms, "
                  f"max {res['max']:.2f} ms; after {WARMUP:.0f} s: p99 {res['warm_p99']:.2f} ms, max {res['warm_max']:.2f} ms "
                  f"({res['seen']}/{res['probes']} probes)", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = os.path.join(HERE, "benchmarks", "results", f"replica-lag-{stamp}.md")
    with open(out, "w") as f:
        f.write(f"# Replica lag, {RATE} SET/s target for {DURATION:.0f} s\n\n")
        f.write(f"| master -> replica | achieved SET/s | lag p50 ms | lag p99 ms | max ms | p99 after {WARMUP:.0f} s | max after {WARMUP:.0f} s | probes seen |\n")
        f.write("|---|---:|---:|---:|---:|---:|---:|---:|\n")
        for mk, rk, r in rows:
            f.write(f"| {mk} -> {rk} | {r['rate']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['max']:.2f} | "
                    f"{r['warm_p99']:.2f} | {r['warm_max']:.2f} | {r['seen']}/{r['probes']} |\n")
    print("wrote", out)


if __name__ == "__main__":
    sys.exit(main())
