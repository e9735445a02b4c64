#!/usr/bin/env python3
"""Persistence benchmark: Basalt (bin/basalt-server, launcher defaults) against redis-server,
each configured the same way, on the same machine. Three parts (PARTS, default all):

  aof       SET throughput at pipeline 16 with appendonly yes, appendfsync everysec
            (redis-benchmark -t set -P 16 -d 32 over 1M random keys).
  snapshot  KEYS keys of SIZE bytes loaded; GET round-trip latency from one connection without
            pipelining, first idle, then while snapshots are written back to back (BGSAVE issued
            again as soon as the previous one ends), and the process memory while they run:
            Basalt's RSS; for Redis the proportional set size (Pss) of the server plus its fork
            child, so pages the two still share are counted once.
  load      Time to load KEYS keys at start, from an RDB file and from an AOF of SET commands
            (aof-use-rdb-preamble no, no rewrite): from process start until DBSIZE answers KEYS,
            JVM start-up included, and the load time the server logs.

Results: benchmarks/results/persistence-<time>.md

Usage: python3 benchmarks/e2e/persistence.py        (build first: mvn -q -DskipTests package)
Env:   PARTS="aof snapshot load" KEYS=1000000 SIZE=100 SECONDS=8 AOF_REQUESTS=2000000
"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PARTS = os.environ.get("PARTS", "aof snapshot load").split()
KEYS = int(os.environ.get("KEYS", "1000000"))
SIZE = int(os.environ.get("SIZE", "100"))
SECONDS = float(os.environ.get("SECONDS", "8"))
AOF_REQUESTS = int(os.environ.get("AOF_REQUESTS", "2000000"))
PORT = int(os.environ.get("PORT", "17401"))


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zipf_cache import Conn, encode  # noqa: E402  (the RESP client the eviction benchmark uses)


class Server:
    """One server process on PORT with its own directory."""

    def __init__(self, kind, workdir, *args):
        self.kind, self.dir = kind, workdir
        os.makedirs(workdir, exist_ok=True)
        self.log = os.path.join(workdir, "server.log")
        common = ["--port", str(PORT), "--dir", workdir, "--save", ""] + list(args)
        if kind == "redis":
            cmd = ["redis-server"] + common + ["--daemonize", "no", "--logfile", self.log]
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            cmd = [os.path.join(HERE, "bin", "basalt-server")] + common
            self.proc = subprocess.Popen(cmd, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT)
        self.started = time.monotonic()

    def wait_ready(self, keys=None, timeout=600):
        """Waits until the server answers (and DBSIZE is `keys`, when given); returns seconds since start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                c = Conn(PORT)
                try:
                    c.call("PING")
                    if keys is None or int(c.call("DBSIZE")) == keys:
                        return time.monotonic() - self.started
                finally:
                    c.close()
            except (OSError, RuntimeError, ConnectionError):
                pass
            time.sleep(0.01)
        raise RuntimeError("%s did not become ready" % self.kind)

    def info(self, section, field):
        c = Conn(PORT)
        try:
            text = c.call("INFO", section).decode()
        finally:
            c.close()
        m = re.search(r"^%s:(.*)$" % re.escape(field), text, re.M)
        return m.group(1).strip() if m else None

    def stop(self, save=False):
        try:
            c = Conn(PORT)
            c.s.sendall(encode("SHUTDOWN", "SAVE" if save else "NOSAVE"))
            try:
                c.reply()
            except (ConnectionError, OSError, RuntimeError):
                pass
            c.close()
        except OSError:
            pass
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def logged_load_seconds(self):
        text = open(self.log, errors="replace").read()
        m = re.findall(r"(?:DB loaded from (?:disk|append only file)|Done loading [A-Z]+)[^0-9]*([0-9.]+) seconds", text)
        return float(m[-1]) if m else None


def label(kind):
    if kind == "redis":
        return subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2].replace("v=", "Redis ")
    return "Basalt"


def load_keys(n, size):
    value = b"v" * size
    data = b"".join(encode("SET", b"key:%07d" % i, value) for i in range(n))
    r = subprocess.run(["redis-cli", "-p", str(PORT), "--pipe"], input=data, capture_output=True)
    if b"errors: 0" not in r.stdout:
        raise RuntimeError("load failed: %r" % r.stdout[-300:])


def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * p))]


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_kb(srv):
    """Basalt: RSS. Redis: Pss of the server and of its children (the BGSAVE fork)."""
    if srv.kind != "redis":
        return rss_kb(srv.proc.pid)
    total = pss_kb(srv.proc.pid)
    try:
        with open("/proc/%d/task/%d/children" % (srv.proc.pid, srv.proc.pid)) as f:
            for child in f.read().split():
                total += pss_kb(int(child))
    except OSError:
        pass
    return total


def get_latencies(seconds, stop_when=None):
    c = Conn(PORT)
    samples = []
    rnd = 12345
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        rnd = (rnd * 1103515245 + 12345) & 0x7FFFFFFF
        key = b"key:%07d" % (rnd % KEYS)
        t0 = time.perf_counter()
        c.call("GET", key)
        samples.append((time.perf_counter() - t0) * 1e6)
    c.close()
    return samples


def part_aof(out):
    out.append("## SET throughput with appendonly yes, appendfsync everysec\n")
    out.append("`redis-benchmark -t set -n %d -r 1000000 -d 32 -P 16 -c 50`, fresh server and directory each.\n" % AOF_REQUESTS)
    out.append("| server | SET ops/s | AOF size after |")
    out.append("|---|---|---|")
    rates = {}
    for kind in ("redis", "basalt"):
        d = tempfile.mkdtemp(prefix="persist-aof-")
        srv = Server(kind, d, "--appendonly", "yes", "--appendfsync", "everysec")
        srv.wait_ready()
        r = subprocess.run(["redis-benchmark", "-p", str(PORT), "-t", "set", "-n", str(AOF_REQUESTS),
                            "-r", "1000000", "-d", "32", "-P", "16", "-q"], capture_output=True, text=True)
        m = re.findall(r"SET: ([0-9.]+) requests per second", r.stdout.replace("\r", "\n"))
        rates[kind] = float(m[-1])
        srv.stop()
        size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(d) for f in fs if f.startswith("appendonly"))
        out.append("| %s | %.0f | %.1f MiB |" % (label(kind), rates[kind], size / 1048576))
        shutil.rmtree(d, ignore_errors=True)
    out.append("\nBasalt / Redis: **%.2f**\n" % (rates["basalt"] / rates["redis"]))


def part_snapshot(out):
    out.append("## GET latency and memory while snapshots are written\n")
    out.append("%d keys of %d bytes; GET round trips from one connection, %.0f s idle, then %.0f s with BGSAVE "
               "issued back to back.\n" % (KEYS, SIZE, SECONDS, SECONDS))
    out.append("| server | idle p50 / p99 / p99.9 us | during snapshots p50 / p99 / p99.9 us | p99 ratio | snapshots | memory before | peak during | growth |")
    out.append("|---|---|---|---|---|---|---|---|")
    for kind in ("redis", "basalt"):
        d = tempfile.mkdtemp(prefix="persist-snap-")
        srv = Server(kind, d)
        srv.wait_ready()
        load_keys(KEYS, SIZE)
        time.sleep(2)
        idle = get_latencies(SECONDS)
        before = memory_kb(srv)
        stop = threading.Event()
        peak = [before]
        saves = [0]

        def snapshots():
            c = Conn(PORT)
            while not stop.is_set():
                try:
                    c.call("BGSAVE")
                    saves[0] += 1
                except RuntimeError:
                    pass  # one is still running
                while not stop.is_set() and srv.info("persistence", "rdb_bgsave_in_progress") == "1":
                    peak[0] = max(peak[0], memory_kb(srv))
                    time.sleep(0.02)
            c.close()

        t = threading.Thread(target=snapshots)
        t.start()
        busy = get_latencies(SECONDS)
        stop.set()
        t.join()
        while srv.info("persistence", "rdb_bgsave_in_progress") == "1":
            time.sleep(0.05)
        srv.stop()
        shutil.rmtree(d, ignore_errors=True)
        fmt = lambda s: "%.0f / %.0f / %.0f" % (pct(s, 0.5), pct(s, 0.99), pct(s, 0.999))
        out.append("| %s | %s | %s | %.2f | %d | %.1f MiB | %.1f MiB | %.1f%% |" % (
            label(kind), fmt(idle), fmt(busy), pct(busy, 0.99) / pct(idle, 0.99), saves[0],
            before / 1024, peak[0] / 1024, 100.0 * (peak[0] - before) / before))
    out.append("")


def part_load(out):
    out.append("## Time to load %d keys at start\n" % KEYS)
    out.append("Values of %d bytes. Ready = process start until DBSIZE answers %d (JVM start-up included "
               "for Basalt); logged = the load time the server reports.\n" % (SIZE, KEYS))
    out.append("| server | from | file size | ready s | logged load s |")
    out.append("|---|---|---|---|---|")
    for kind in ("redis", "basalt"):
        # RDB: load, SAVE, restart
        d = tempfile.mkdtemp(prefix="persist-load-")
        srv = Server(kind, d)
        srv.wait_ready()
        load_keys(KEYS, SIZE)
        srv.stop(save=True)
        size = os.path.getsize(os.path.join(d, "dump.rdb"))
        srv = Server(kind, d)
        ready = srv.wait_ready(KEYS)
        logged = srv.logged_load_seconds()
        srv.stop()
        out.append("| %s | RDB | %.1f MiB | %.2f | %s |" % (label(kind), size / 1048576, ready,
                                                         "%.3f" % logged if logged is not None else "-"))
        shutil.rmtree(d, ignore_errors=True)
        # AOF of SET commands
        d = tempfile.mkdtemp(prefix="persist-load-")
        aof = ["--appendonly", "yes", "--appendfsync", "no", "--aof-use-rdb-preamble", "no",
               "--auto-aof-rewrite-percentage", "0"]
        srv = Server(kind, d, *aof)
        srv.wait_ready()
        load_keys(KEYS, SIZE)
        srv.stop()
        size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(d) for f in fs if f.startswith("appendonly"))
        srv = Server(kind, d, *aof)
        ready = srv.wait_ready(KEYS)
        logged = srv.logged_load_seconds()
        srv.stop()
        out.append("| %s | AOF | %.1f MiB | %.2f | %s |" % (label(kind), size / 1048576, ready,
                                                         "%.3f" % logged if logged is not None else "-"))
        shutil.rmtree(d, ignore_errors=True)
    out.append("")


def main():
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    os.makedirs(os.path.join(HERE, "benchmarks", "results"), exist_ok=True)
    path = os.path.join(HERE, "benchmarks", "results", "persistence-%s.md" % stamp)
    out = ["# Persistence benchmark %s\n" % time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
           "Host: %d cores, load average before: %s.\n" % (os.cpu_count(), open("/proc/loadavg").read().split()[:3])]
    for part in PARTS:
        {"aof": part_aof, "snapshot": part_snapshot, "load": part_load}[part](out)
        print("\n".join(out), file=sys.stderr)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out))
    print("results in " + path, file=sys.stderr)


if __name__ == "__main__":
    main()
