"""Reads an `strace -f -tt -o LOG` trace of the server and checks, for one
request, that everything it made durable was synced before its response
(see test_strace_durability.py for the rules).

Parsing: each line is "PID HH:MM:SS.micro syscall(args) = ret"; a call cut
by another thread's line appears as "... <unfinished ...>" then
"PID time <... name resumed> rest". A call counts at its completing line,
except the response write, which counts at its first line (its entry): a
sync "before the response" must have returned before the write began.

File descriptors are followed through openat/creat/close/dup*/fcntl
(F_DUPFD) and accept; paths through rename*/mkdir*/unlink*, so that a
write, fsync or fdatasync names the file or directory it touched.
"""

import os
import re

_LINE = re.compile(r"^(\d+)\s+(\d\d:\d\d:\d\d\.\d+)\s+(.*)$")
_RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
_CALL = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)(?:\s.*)?$")
_STR = re.compile(r'"((?:[^"\\]|\\.)*)"')
# io_submit: a blob's direct writes past its first MiB go through the
# kernel's AIO (common/direct_writable_file.h); only its IOCB_CMD_PWRITE
# submissions are events here.
_WRITES = {"write", "pwrite64", "writev", "pwritev", "pwritev2", "io_submit"}
_AIO_FD = re.compile(r"aio_fildes=(\d+)")
_SENDS = {"write", "writev", "sendmsg", "sendto", "send"}
_READS = {"read", "readv", "recvmsg", "recvfrom", "recv"}
_SYNCS = {"fsync", "fdatasync"}


class Event:
    __slots__ = ("index", "line", "pid", "name", "args", "ret", "first", "fd", "path",
                 "path2", "data")

    def __init__(self, index, line, pid, name, args, ret, first):
        self.index = index      # position in the event list
        self.line = line        # trace line where the call completed
        self.first = first      # trace line of its entry
        self.pid = pid
        self.name = name
        self.args = args
        self.ret = ret
        self.fd = None          # the fd argument, if any
        self.path = None        # file of fd / path argument (absolute)
        self.path2 = None       # rename destination
        self.data = None        # first quoted string of a read/write

    def __repr__(self):
        return "#%d %s(%s)=%s [%s%s]" % (
            self.index, self.name, self.args[:80], self.ret, self.path,
            " -> %s" % self.path2 if self.path2 else "")


def _first_int(args):
    m = re.match(r"\s*(-?\d+)", args)
    return int(m.group(1)) if m else None


def _unescape(s):
    return s.encode("latin-1", "replace").decode("unicode_escape", "replace")


def is_checkpoint_publication(ev):
    """True if `ev` writes one RocksDB WAL record holding one batch of
    exactly one Put of a transparency log's checkpoint ("c" in a "tlog/..."
    partition): the checkpoint publisher's own synced batch (a timer, every
    second while there is traffic), not part of the request whose window it
    falls in. Its sync may come after that request's response: the store
    commits the request's group, syncs it, and may write the publisher's
    batch next, while the request thread is still writing its response.

    Layout (RocksDB log::Writer, WriteBatch): a 7-byte header (crc32c,
    length, type 1 = full record), then sequence (8 bytes), count (4 bytes,
    little-endian), then the record: 0x01 (a Put), key length (one varint
    byte here), key = escaped partition, "\\0\\1", key (meta/rocksdb/
    key_format.h)."""
    d = ev.data
    if ev.name not in _WRITES or d is None or len(d) < 22:
        return False
    if d[6] != "\x01" or d[15:19] != "\x01\x00\x00\x00" or d[19] != "\x01":
        return False
    n = ord(d[20])
    if n >= 0x80 or len(d) < 21 + n:
        return False
    key = d[21:21 + n]
    return key.startswith("tlog/") and key.endswith("\x00\x01c")


def parse(path):
    """All completed system calls of the trace, in order, with fds resolved
    to paths. Returns a list of Event."""
    pending = {}
    raw = []
    with open(path, "r", errors="replace") as f:
        for n, line in enumerate(f):
            m = _LINE.match(line.rstrip("\n"))
            if not m:
                continue
            pid, rest = int(m.group(1)), m.group(3)
            if rest.startswith("+++") or rest.startswith("---"):
                continue
            if rest.endswith("<unfinished ...>"):
                pending[pid] = (rest[:-len("<unfinished ...>")].rstrip(), n)
                continue
            first = n
            r = _RESUMED.match(rest)
            if r:
                start, first = pending.pop(pid, ("%s(" % r.group(1), n))
                rest = start + r.group(2)
            c = _CALL.match(rest)
            if not c:
                continue
            ret = c.group(3)
            raw.append((n, first, pid, c.group(1), c.group(2),
                        int(ret) if ret != "?" else None))
    events = []
    fds = {}  # fd -> absolute path ("socket:..." for sockets)
    for n, first, pid, name, args, ret in raw:
        ev = Event(len(events), n, pid, name, args, ret, first)
        events.append(ev)
        if ret is None or ret < 0:
            continue
        strs = [_unescape(s) for s in _STR.findall(args)]
        fd = _first_int(args)
        if name in ("openat", "open", "creat"):
            p = strs[0] if strs else None
            if p is not None and not p.startswith("/"):
                base = os.getcwd()
                if name == "openat" and fd is not None and fd in fds:
                    base = fds[fd]
                p = os.path.join(base, p)
            p = os.path.normpath(p) if p is not None else None
            ev.path = p
            ev.fd = ret
            fds[ret] = p
        elif name in ("accept", "accept4", "socket"):
            ev.fd = ret
            fds[ret] = "socket:%d" % ret
        elif name in ("dup", "dup2", "dup3") or (
                name == "fcntl" and "F_DUPFD" in args):
            ev.fd = ret
            fds[ret] = fds.get(fd)
        elif name == "close":
            ev.fd = fd
            ev.path = fds.pop(fd, None)
        elif name in ("rename", "renameat", "renameat2"):
            ev.path, ev.path2 = map(os.path.normpath, strs[:2])
            for k, v in list(fds.items()):
                if v == ev.path:
                    fds[k] = ev.path2
        elif name in ("mkdir", "mkdirat", "unlink", "unlinkat", "rmdir"):
            ev.path = os.path.normpath(strs[0]) if strs else None
        elif name == "io_submit":
            aio = _AIO_FD.search(args)
            if aio and "IOCB_CMD_PWRITE" in args:
                ev.fd = int(aio.group(1))
                ev.path = fds.get(ev.fd)
            else:
                ev.name = "io_submit (not a write)"
        else:
            if fd is not None and name not in ("epoll_wait",):
                ev.fd = fd
                ev.path = fds.get(fd)
            if strs and (name in _WRITES or name in _SENDS or
                         name in _READS):
                ev.data = strs[0]
    return events


def is_creating_open(ev):
    return ev.name in ("openat", "open", "creat") and (
        "O_CREAT" in ev.args or ev.name == "creat")


def request_window(events, method, target):
    """(start, end): the event reading the request line `method target`
    and the first response write (not 100 Continue) on the same fd after
    it. Raises AssertionError if either is missing."""
    line = "%s %s HTTP/1.1" % (method, target)
    start = None
    for ev in events:
        if ev.name in _READS and ev.data and ev.data.startswith(line) and \
                ev.ret and ev.ret > 0:
            start = ev
            break
    assert start is not None, "request %r not found in the trace" % line
    for ev in events[start.index + 1:]:
        if ev.name in _SENDS and ev.fd == start.fd and ev.data and \
                ev.data.startswith("HTTP/1.1 ") and \
                not ev.data.startswith("HTTP/1.1 100"):
            return start, ev
    raise AssertionError("no response to %r in the trace" % line)


class Report:
    """What one request did to the data directory before its response."""

    def __init__(self, events, start, response, data_dir):
        self.status = int(response.data[9:12])
        self.response = response
        data_dir = os.path.realpath(data_dir)
        end = response.first  # syncs must complete before the write began
        window = [e for e in events[start.index:response.index]
                  if e.line < end and e.ret is not None and e.ret >= 0]
        self.window = window

        def in_data(p):
            return p is not None and (p == data_dir or
                                      p.startswith(data_dir + "/"))

        def is_info_log(p):
            b = os.path.basename(p)
            return b == "LOG" or b.startswith("LOG.old")

        self.violations = []
        self.wal_synced = []      # WAL paths written and synced
        self.synced_files = []    # other data files written and synced
        self.published = []       # new or renamed names made durable
        # Regular files written in the window: synced after the last write?
        last_write = {}
        for e in window:
            if e.name in _WRITES and in_data(e.path) and \
                    not is_info_log(e.path) and e.ret > 0 and \
                    not is_checkpoint_publication(e):
                last_write[(e.fd, e.path)] = e
        for (fd, p), w in last_write.items():
            synced = False
            for s in window:
                if s.line <= w.line or s.fd != fd:
                    continue
                if s.name == "close":
                    break  # the fd number may be reused after this
                if s.name in _SYNCS:
                    synced = True
                    break
            if not synced:
                self.violations.append(
                    "%s written (%r) but not fsync'd/fdatasync'd before the "
                    "response" % (p, w))
            elif p.endswith(".log") and "/meta/" in p:
                self.wal_synced.append(p)
            else:
                self.synced_files.append(p)
        # Names created (O_CREAT, mkdir) or renamed into place in the window
        # and still there at the response: parent directory fsync'd after?
        names = {}
        for e in window:
            if is_creating_open(e) and in_data(e.path):
                names[e.path] = e
            elif e.name in ("mkdir", "mkdirat") and in_data(e.path):
                names[e.path] = e
            elif e.name in ("rename", "renameat", "renameat2"):
                names.pop(e.path, None)
                if in_data(e.path2):
                    names[e.path2] = e
            elif e.name in ("unlink", "unlinkat", "rmdir"):
                names.pop(e.path, None)
        for p, e in names.items():
            if is_info_log(p):
                continue
            parent = os.path.dirname(p)
            ok = any(s.name in _SYNCS and s.path == parent and
                     s.line > e.line for s in window)
            if not ok:
                self.violations.append(
                    "new directory entry %s (%r) but its directory %s was not "
                    "fsync'd before the response" % (p, e, parent))
            else:
                self.published.append(p)

    def summary(self):
        return ("status %d, %d syscalls, WAL synced %s, files synced %s, "
                "entries made durable %s" %
                (self.status, len(self.window), sorted(set(self.wal_synced)),
                 sorted(set(self.synced_files)), sorted(self.published)))
