#!/usr/bin/env python3
# File: bench/sync_modes.py
# What one durable 4 KiB write costs on a file system, in the ways a write-
# ahead log could make it durable: wall time and CPU (user + system) per
# write, for appends and for overwrites of an already written (zero-filled)
# file, buffered or with O_DIRECT, synced with fdatasync, O_DSYNC or
# RWF_DSYNC. The transparency log's group commit pays one such write per
# group (docs/PERFORMANCE.md, session 19).
#
# Usage: bench/sync_modes.py [DIR] [WRITES]
#   DIR     where the scratch file goes (default: the current directory);
#           use the file system of the data directory
#   WRITES  writes per mode (default 2000; each mode takes well under a
#           second per 1,000 on these guests)
# Prints one line per mode and round (two rounds). Removes its file.
import mmap
import os
import resource
import sys
import time

BLOCK = 4096


def measure(path, writes, name, flags=0, sync=False, rwf=0, prefill=True):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    if prefill:
        os.write(fd, b"\0" * (writes * BLOCK + BLOCK))
        os.fsync(fd)
    os.close(fd)
    fd = os.open(path, os.O_RDWR | flags)
    buf = mmap.mmap(-1, BLOCK)  # page-aligned, as O_DIRECT needs
    buf.write(b"x" * BLOCK)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    for i in range(writes):
        if rwf:
            os.pwritev(fd, [buf], i * BLOCK, rwf)
        else:
            os.pwrite(fd, buf, i * BLOCK)
        if sync:
            os.fdatasync(fd)
    t1 = time.perf_counter()
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    os.close(fd)
    os.unlink(path)
    cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
    print(f"{name:34} {(t1 - t0) / writes * 1e6:7.1f} µs wall {cpu / writes * 1e6:7.1f} µs CPU per write")


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "."
    writes = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    if not 1 <= writes <= 100000:
        sys.exit("WRITES must be 1..100000")
    path = os.path.join(directory, f".sync_modes.{os.getpid()}")
    for _ in range(2):
        measure(path, writes, "append + fdatasync", sync=True, prefill=False)
        measure(path, writes, "overwrite + fdatasync", sync=True)
        measure(path, writes, "overwrite O_DIRECT + fdatasync", os.O_DIRECT, sync=True)
        measure(path, writes, "overwrite O_DIRECT|O_DSYNC", os.O_DIRECT | os.O_DSYNC)
        measure(path, writes, "overwrite RWF_DSYNC", rwf=os.RWF_DSYNC)
        measure(path, writes, "overwrite O_DIRECT, no sync", os.O_DIRECT)


if __name__ == "__main__":
    main()
