"""A test-side tenant KMS that reads Confiance's key-access justification
(docs/kmip.md "Key-access justifications"): a mutual-TLS KMIP proxy in
front of a PyKmipServer (tests/kmip/pykmip_server.py), which cannot read the
message extension itself (PyKMIP 0.10 fails a batch item whose Message
Extension has content).

For each request it parses the TTLV, records the operation and the
"confiance" Message Extension of its batch item (justification, approval
id), and either
  - refuses it, when the justification is one it was told to refuse: a KMIP
    response with Result Status Operation Failed, Result Reason Permission
    Denied and a Result Message naming the reason (the tenant's KMS
    deciding), or
  - strips the extension and forwards the request to PyKMIP, relaying the
    reply unchanged.

It presents the PyKMIP server's certificate (same CA, 127.0.0.1) and
requires a client certificate from that CA, and talks to PyKMIP with the
test client certificate, so keys stay owned by the same common name.
Loopback only; every loop is bounded by a stop flag and socket timeouts.
"""

import select
import socket
import ssl
import struct
import threading
import time

TAG_REQUEST_MESSAGE = 0x420078
TAG_RESPONSE_MESSAGE = 0x42007B
TAG_RESPONSE_HEADER = 0x42007A
TAG_PROTOCOL_VERSION = 0x420069
TAG_PROTOCOL_MAJOR = 0x42006A
TAG_PROTOCOL_MINOR = 0x42006B
TAG_TIME_STAMP = 0x420092
TAG_BATCH_COUNT = 0x42000D
TAG_BATCH_ITEM = 0x42000F
TAG_OPERATION = 0x42005C
TAG_RESULT_STATUS = 0x42007F
TAG_RESULT_REASON = 0x42007E
TAG_RESULT_MESSAGE = 0x42007D
TAG_MESSAGE_EXTENSION = 0x420051
TAG_VENDOR_IDENTIFICATION = 0x42009D
TAG_CRITICALITY_INDICATOR = 0x420026
TAG_VENDOR_EXTENSION = 0x42009C
TAG_CONFIANCE_JUSTIFICATION = 0x540001
TAG_CONFIANCE_APPROVAL_ID = 0x540002

T_STRUCTURE, T_INTEGER, T_ENUMERATION, T_BOOLEAN = 0x01, 0x02, 0x05, 0x06
T_TEXT, T_DATETIME = 0x07, 0x09

OPERATIONS = {0x01: "Create", 0x08: "Locate", 0x0A: "Get",
              0x0B: "GetAttributes", 0x12: "Activate", 0x13: "Revoke",
              0x14: "Destroy", 0x1F: "Encrypt", 0x20: "Decrypt"}
RESULT_OPERATION_FAILED = 1
REASON_PERMISSION_DENIED = 0x0C
MAX_MESSAGE = 1 << 20


class TtlvError(Exception):
    pass


# ------------------------------------------------------------------ TTLV
def decode(data):
    """One TTLV item spanning `data`: (tag, type, value) where a
    structure's value is a list of items and a leaf's is its raw bytes
    (unpadded)."""
    item, end = _decode_at(data, 0, 0)
    if end != len(data):
        raise TtlvError("trailing bytes")
    return item


def _decode_at(data, pos, depth):
    if depth > 16 or pos + 8 > len(data):
        raise TtlvError("truncated or too deep")
    tag = int.from_bytes(data[pos:pos + 3], "big")
    typ = data[pos + 3]
    length = struct.unpack(">I", data[pos + 4:pos + 8])[0]
    start = pos + 8
    padded = length if typ == T_STRUCTURE else (length + 7) // 8 * 8
    if start + padded > len(data):
        raise TtlvError("length beyond the message")
    if typ != T_STRUCTURE:
        return (tag, typ, bytes(data[start:start + length])), start + padded
    children, p = [], start
    while p < start + length:
        child, p = _decode_at(data[:start + length], p, depth + 1)
        children.append(child)
    return (tag, typ, children), start + length


def encode(item):
    tag, typ, value = item
    if typ == T_STRUCTURE:
        body = b"".join(encode(c) for c in value)
        return tag.to_bytes(3, "big") + bytes([typ]) + struct.pack(">I", len(body)) + body
    pad = (-len(value)) % 8
    return (tag.to_bytes(3, "big") + bytes([typ]) + struct.pack(">I", len(value)) +
            value + b"\0" * pad)


def find(item, tag):
    for c in item[2]:
        if c[0] == tag:
            return c
    return None


def _enum(tag, v):
    return (tag, T_ENUMERATION, struct.pack(">I", v))


def _int(tag, v):
    return (tag, T_INTEGER, struct.pack(">i", v))


def failure_response(operation, message):
    """A ResponseMessage with one failed batch item: Permission Denied."""
    header = (TAG_RESPONSE_HEADER, T_STRUCTURE, [
        (TAG_PROTOCOL_VERSION, T_STRUCTURE, [_int(TAG_PROTOCOL_MAJOR, 1), _int(TAG_PROTOCOL_MINOR, 2)]),
        (TAG_TIME_STAMP, T_DATETIME, struct.pack(">q", int(time.time()))),
        _int(TAG_BATCH_COUNT, 1)])
    batch = [] if operation is None else [_enum(TAG_OPERATION, operation)]
    batch += [_enum(TAG_RESULT_STATUS, RESULT_OPERATION_FAILED),
              _enum(TAG_RESULT_REASON, REASON_PERMISSION_DENIED),
              (TAG_RESULT_MESSAGE, T_TEXT, message.encode())]
    return encode((TAG_RESPONSE_MESSAGE, T_STRUCTURE, [header, (TAG_BATCH_ITEM, T_STRUCTURE, batch)]))


def inspect(request):
    """(record, stripped request bytes) for one RequestMessage. The record:
    {"operation": name, "extension": bool, "vendor", "critical",
    "justification", "approval_id"} (None where absent)."""
    root = decode(request)
    if root[0] != TAG_REQUEST_MESSAGE or root[1] != T_STRUCTURE:
        raise TtlvError("not a RequestMessage")
    rec = {"operation": None, "extension": False, "vendor": None, "critical": None,
           "justification": None, "approval_id": None, "op_code": None}
    children = []
    for c in root[2]:
        if c[0] == TAG_BATCH_ITEM and c[1] == T_STRUCTURE:
            op = find(c, TAG_OPERATION)
            if op is not None:
                rec["op_code"] = struct.unpack(">I", op[2])[0]
                rec["operation"] = OPERATIONS.get(rec["op_code"], hex(rec["op_code"]))
            ext = find(c, TAG_MESSAGE_EXTENSION)
            if ext is not None:
                rec["extension"] = True
                v = find(ext, TAG_VENDOR_IDENTIFICATION)
                rec["vendor"] = v[2].decode() if v else None
                k = find(ext, TAG_CRITICALITY_INDICATOR)
                rec["critical"] = bool(struct.unpack(">q", k[2])[0]) if k else None
                body = find(ext, TAG_VENDOR_EXTENSION)
                if body is not None and rec["vendor"] == "confiance":
                    j = find(body, TAG_CONFIANCE_JUSTIFICATION)
                    a = find(body, TAG_CONFIANCE_APPROVAL_ID)
                    rec["justification"] = j[2].decode() if j else None
                    rec["approval_id"] = a[2].decode() if a else None
            c = (c[0], c[1], [x for x in c[2] if x[0] != TAG_MESSAGE_EXTENSION])
        children.append(c)
    return rec, encode((root[0], root[1], children))


# ----------------------------------------------------------------- proxy
def _read_message(sock):
    header = _read_exact(sock, 8)
    if header is None:
        return None
    length = struct.unpack(">I", header[4:8])[0]
    if length > MAX_MESSAGE:
        raise TtlvError("message too large")
    body = _read_exact(sock, length)
    if body is None:
        raise TtlvError("truncated message")
    return header + body


def _read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


class JustificationProxy:
    """Listens on 127.0.0.1 (a free port) in front of `upstream` (a started
    PyKmipServer)."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.records = []
        self.refused = set()
        self.delays = {}
        self.refusals = 0
        self.errors = []
        self._lock = threading.Lock()
        self._stopping = False
        self._threads = []
        self.sock = None
        self.port = None

    @property
    def endpoint(self):
        return "127.0.0.1:%d" % self.port

    def start(self):
        c = self.upstream.certs
        self.server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_ctx.load_cert_chain(c["server_cert"], c["server_key"])
        self.server_ctx.load_verify_locations(c["ca_cert"])
        self.server_ctx.verify_mode = ssl.CERT_REQUIRED
        self.client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.client_ctx.load_verify_locations(c["ca_cert"])
        self.client_ctx.load_cert_chain(c["client_cert"], c["client_key"])
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(32)
        self.sock.settimeout(0.2)
        t = threading.Thread(target=self._accept_loop, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self):
        self._stopping = True
        for t in list(self._threads):
            t.join(timeout=5)
        if self.sock is not None:
            self.sock.close()

    # What the tests read and set.
    def refuse(self, *justifications):
        with self._lock:
            self.refused = set(justifications)

    def delay(self, justification, seconds):
        """Answers requests carrying `justification` `seconds` late (a slow
        KMS); 0 clears it."""
        with self._lock:
            if seconds:
                self.delays[justification] = seconds
            else:
                self.delays.pop(justification, None)

    def seen(self, justification):
        """Whether a request with `justification` arrived since the last take."""
        with self._lock:
            return any(r["justification"] == justification for r in self.records)

    def take(self):
        """The records so far (and forgets them)."""
        with self._lock:
            out, self.records = self.records, []
            return out

    def _accept_loop(self):
        while not self._stopping:
            try:
                raw, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            t = threading.Thread(target=self._serve, args=(raw,), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, raw):
        upstream = conn = None
        try:
            raw.settimeout(10)
            conn = self.server_ctx.wrap_socket(raw, server_side=True)
            conn.settimeout(30)
            while not self._stopping:
                # Wait for a request (bounded, so that stop() is seen); the
                # TLS layer may already hold one.
                if not conn.pending() and not select.select([conn], [], [], 0.5)[0]:
                    continue
                request = _read_message(conn)
                if request is None:
                    return
                rec, stripped = inspect(request)
                with self._lock:
                    refuse = rec["justification"] in self.refused
                    delay = self.delays.get(rec["justification"], 0)
                    self.records.append(rec)
                if delay:
                    time.sleep(delay)
                if refuse:
                    with self._lock:
                        self.refusals += 1
                    conn.sendall(failure_response(
                        rec["op_code"], "the tenant's KMS refuses key access for %s" % rec["justification"]))
                else:
                    if upstream is None:
                        up = socket.create_connection(("127.0.0.1", self.upstream.port), timeout=10)
                        upstream = self.client_ctx.wrap_socket(up, server_hostname="127.0.0.1")
                    upstream.sendall(stripped)
                    reply = _read_message(upstream)
                    if reply is None:
                        return
                    conn.sendall(reply)
        except (ssl.SSLEOFError, ConnectionError):
            pass  # the client (or PyKMIP) closed the connection: normal
        except (OSError, ssl.SSLError, TtlvError) as e:
            with self._lock:
                self.errors.append(repr(e))
        finally:
            for s in (upstream, conn if conn is not None else raw):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass
