#!/usr/bin/env python3
"""Regenerates Basalt's command metadata from a real redis-server.

Basalt answers COMMAND, COMMAND INFO and COMMAND DOCS byte-for-byte like Redis 7.0, and takes the
arity, flags and key positions that drive dispatch from the same data. Rather than retyping
Redis's command table, this script asks a running redis-server for it (in RESP3, which keeps the
map/set types) and stores the raw replies as resources:

  server/src/main/resources/io/basalt/server/command-info.resp3   reply to COMMAND
  server/src/main/resources/io/basalt/server/command-docs.resp3   reply to COMMAND DOCS

Usage: tools/gen-command-metadata.py [port]   (starts its own redis-server when no port is given)
"""
import os, socket, subprocess, sys, time

OUT = os.path.join(os.path.dirname(__file__), "..", "server", "src", "main", "resources", "io", "basalt", "server")


def read_reply(f):
    """Reads one RESP3 reply and returns its raw bytes."""
    line = f.readline()
    t = line[:1]
    out = bytearray(line)
    if t in b"+-:,#_(":
        return bytes(out)
    if t in b"$=!":
        n = int(line[1:-2])
        if n >= 0:
            out += f.read(n + 2)
        return bytes(out)
    if t in b"*~>%|":
        n = int(line[1:-2])
        if t in b"%|":
            n *= 2
        for _ in range(max(n, 0)):
            out += read_reply(f)
        return bytes(out)
    raise ValueError("unexpected reply type %r" % line)


def command(sock, f, *args):
    req = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
    sock.sendall(req)
    return read_reply(f)


def main():
    proc = None
    if len(sys.argv) > 1:
        port = int(sys.argv[1])
    else:
        port = 16399
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
                                stdout=subprocess.DEVNULL)
        time.sleep(0.5)
    try:
        sock = socket.create_connection(("127.0.0.1", port))
        f = sock.makefile("rb")
        command(sock, f, b"HELLO", b"3")
        version = command(sock, f, b"INFO", b"server")
        with open(os.path.join(OUT, "command-info.resp3"), "wb") as o:
            o.write(command(sock, f, b"COMMAND"))
        with open(os.path.join(OUT, "command-docs.resp3"), "wb") as o:
            o.write(command(sock, f, b"COMMAND", b"DOCS"))
        for l in version.split(b"\r\n"):
            if l.startswith(b"redis_version:"):
                print("metadata taken from", l.decode())
    finally:
        if proc:
            proc.terminate()


if __name__ == "__main__":
    main()
