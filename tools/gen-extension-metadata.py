#!/usr/bin/env python3
"""Writes the COMMAND INFO / COMMAND DOCS metadata of Basalt's own (extension) commands.

Redis's own commands take their metadata from a real redis-server (gen-command-metadata.py).
Basalt's extension commands are named like module commands (`basalt.<name>`) and described the
way Redis 7.0 describes module commands: the `module` flag, group `module`, a `module` doc field.
The output has the shape of the Redis resources, so CommandTable reads both the same way:

  server/src/main/resources/io/basalt/server/extension-command-info.resp3
  server/src/main/resources/io/basalt/server/extension-command-docs.resp3

Usage: tools/gen-extension-metadata.py
"""
import os

OUT = os.path.join(os.path.dirname(__file__), "..", "server", "src", "main", "resources", "io", "basalt", "server")


class Set(list):
    pass


class Simple(str):
    pass


def enc(v):
    if isinstance(v, Simple):
        return b"+%s\r\n" % v.encode()
    if isinstance(v, str):
        b = v.encode()
        return b"$%d\r\n%s\r\n" % (len(b), b)
    if isinstance(v, bool):
        raise TypeError(v)
    if isinstance(v, int):
        return b":%d\r\n" % v
    if isinstance(v, dict):
        return b"%%%d\r\n" % len(v) + b"".join(enc(k) + enc(x) for k, x in v.items())
    if isinstance(v, Set):
        return b"~%d\r\n" % len(v) + b"".join(enc(x) for x in v)
    if isinstance(v, list):
        return b"*%d\r\n" % len(v) + b"".join(enc(x) for x in v)
    raise TypeError(v)


def flags(*names):
    return Set(Simple(n) for n in names)


COMMANDS = [
    {
        # BASALT.BACKUP <directory> | STATUS
        "info": ["basalt.backup", -2, flags("admin", "noscript", "no_multi", "module"), 0, 0, 0,
                 flags("@admin", "@slow", "@dangerous"), Set(), Set(), Set()],
        "docs": {
            "summary": "Starts a consistent backup (snapshot, append-only log, manifest with checksums) "
                       "into a new or empty directory, or reports the state of the running or last backup",
            "since": "0.1.0",
            "group": "module",
            "complexity": "O(N) where N is the number of keys, done in the background",
            "module": "basalt",
            "arguments": [
                {"name": "action", "type": "oneof", "arguments": [
                    {"name": "directory", "type": "string"},
                    {"name": "status", "type": "pure-token", "token": "STATUS"},
                ]},
            ],
        },
    },
]


def main():
    with open(os.path.join(OUT, "extension-command-info.resp3"), "wb") as o:
        o.write(enc([c["info"] for c in COMMANDS]))
    with open(os.path.join(OUT, "extension-command-docs.resp3"), "wb") as o:
        o.write(enc({c["info"][0]: c["docs"] for c in COMMANDS}))


if __name__ == "__main__":
    main()
