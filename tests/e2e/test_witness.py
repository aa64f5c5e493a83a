"""Witnessing end to end (issue 7; docs/audit-log.md, "Witnessing").

`confiance witness` (a minimal C2SP tlog-witness) and a server started with
--witness: the checkpoint the server serves carries the log's signature and
the witness's cosignature, both verified here by an implementation
independent of the server (python3-cryptography, from the C2SP
signed-note and tlog-cosignature specs). Then a split view: the server's
data directory is copied and both copies, same key and same origins, grow
different histories; the witness cosigns one and refuses the other, and
refuses it again when it is submitted directly.
"""

import base64
import hashlib
import os
import pathlib
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

import tlsutil
from conftest import Server, ServerDied, free_port, sanitizer_env
from metricsutil import samples, scrape, value, write_token

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "audit"))
import test_independent_verify as spec  # noqa: E402  (the independent verifier)

LOG_NAME = "s3.witnesstest.example"
WITNESS_NAME = "witness.test.example/w1"


def verify_cosignature(note: str, wkey: str):
    """C2SP tlog-cosignature, Ed25519 cosignature/v1: the timestamp of the
    valid cosignature by `wkey` on `note` (AssertionError/InvalidSignature
    otherwise)."""
    name, key_id_hex, key_b64 = wkey.split("+", 2)
    blob = base64.b64decode(key_b64, validate=True)
    assert blob[0] == 0x04 and len(blob) == 33, "not a cosignature/v1 Ed25519 key"
    key_id = hashlib.sha256(name.encode() + b"\n" + blob).digest()[:4]
    assert key_id.hex() == key_id_hex
    pub = Ed25519PublicKey.from_public_bytes(blob[1:])
    split = note.rindex("\n\n")
    text, sigs = note[: split + 1], note[split + 2:]
    found = None
    for line in sigs.splitlines():
        sig_name, sig_b64 = line[2:].split(" ")
        raw = base64.b64decode(sig_b64, validate=True)
        if sig_name == name and raw[:4] == key_id:
            assert len(raw) == 4 + 8 + 64
            (timestamp,) = struct.unpack(">Q", raw[4:12])
            message = b"cosignature/v1\ntime %d\n" % timestamp + text.encode()
            pub.verify(raw[12:], message)  # raises InvalidSignature
            found = timestamp
    assert found is not None, "no cosignature by %s" % name
    return found


class Witness:
    def __init__(self, binary, workdir, log_vkey, tls=None, name=WITNESS_NAME, tag="witness"):
        """tls: (certificate file, key file, CA file) to serve HTTPS; its
        files are named after `tag`."""
        self.name = name
        self.port = free_port()
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.port)
        self.key_file = os.path.join(workdir, tag + ".key")
        self.log = open(os.path.join(workdir, tag + ".log"), "wb")
        tls_args = ["--tls-cert", tls[0], "--tls-key", tls[1]] if tls else []
        self.proc = subprocess.Popen(
            [binary, "witness", "--listen", "127.0.0.1:%d" % self.port, "--key-file", self.key_file,
             "--name", name, "--state", os.path.join(workdir, tag + "-state"), "--log", log_vkey]
            + tls_args,
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(self.url + "/", timeout=2, verify=tls[2] if tls else True)
                break
            except requests.ConnectionError:
                assert self.proc.poll() is None, "witness exited"
                assert time.monotonic() < deadline, "witness not listening"
                time.sleep(0.1)
        self.vkey = pathlib.Path(self.key_file + ".pub").read_text().strip()

    def add_checkpoint(self, old, proof, note):
        body = "old %d\n" % old + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + note
        return requests.post(self.url + "/add-checkpoint", data=body.encode(), timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            assert self.proc.wait(timeout=20) == 0
        self.log.close()


def checkpoint(srv):
    resp = srv.request("GET", "/_confiance/log/v1/checkpoint")
    return resp.body.decode() if resp.status == 200 else None


def wait_cosigned(srv, vkey, min_size, *witnesses, timeout=15):
    """The served checkpoint (note, size) once it covers `min_size` entries
    and carries a valid cosignature of every one of `witnesses`."""
    deadline = time.monotonic() + timeout
    while True:
        note = checkpoint(srv)
        if note:
            _, size, _ = spec.parse_checkpoint(spec.open_note(note, vkey))
            if size >= min_size and all(w.name + " " in note for w in witnesses):
                for w in witnesses:
                    verify_cosignature(note, w.vkey)
                return note, size
        assert time.monotonic() < deadline, "not cosigned by all of %r with size >= %d: %r" % (
            [w.name for w in witnesses], min_size, note)
        time.sleep(0.2)


def log_verify(srv, note, entries, *args):
    """`confiance log verify` of `entries` (JSON lines from index 0) under
    checkpoint `note`, with the log key tail_once saved and `args`."""
    work = pathlib.Path(srv.workdir)
    (work / "cp2.note").write_text(note)
    (work / "entries.jsonl").write_text(entries)
    return subprocess.run([srv.binary, "log", "verify", "--key-file", str(work / "log.vkey"), "--checkpoint2",
                           str(work / "cp2.note"), "--entries", str(work / "entries.jsonl"), "--first", "0"]
                          + list(args), capture_output=True, text=True, timeout=60)


@pytest.fixture
def setup(tmp_path):
    srv = Server(str(tmp_path / "s1"), extra_args=["--log-name", LOG_NAME])
    os.makedirs(srv.workdir, exist_ok=True)
    srv.start()
    vkey = srv.request("GET", "/_confiance/log/v1/key").body.decode().strip()
    assert vkey.startswith(LOG_NAME + "+")
    witness = Witness(srv.binary, str(tmp_path), vkey)
    srv.stop_clean()
    srv.extra_args += ["--witness", witness.url, "--witness-key", witness.vkey]
    srv.start()
    started = [srv]
    yield srv, witness, vkey, started, tmp_path
    for s in started:
        if s.alive():
            s.stop_clean()
    witness.stop()


def test_witness_over_https(tmp_path):
    """The witness serves HTTPS (--tls-cert) and the server reaches it with
    --witness https://... trusting the CA of --ca-bundle; without that CA
    nothing is cosigned."""
    pki = tlsutil.Pki(str(tmp_path))
    cert, key = str(tmp_path / "w.pem"), str(tmp_path / "w.key")
    pki.issue("witness", cert, key)
    token_file, token = write_token(str(tmp_path))
    srv = Server(str(tmp_path / "s1"), extra_args=["--log-name", LOG_NAME, "--metrics-token-file", token_file])
    os.makedirs(srv.workdir, exist_ok=True)
    srv.start()
    vkey = srv.request("GET", "/_confiance/log/v1/key").body.decode().strip()
    witness = Witness(srv.binary, str(tmp_path), vkey, tls=(cert, key, pki.ca_file))
    try:
        assert witness.url.startswith("https://")
        srv.stop_clean()
        # Not trusting the witness's CA: checkpoints stay without cosignature.
        srv.extra_args += ["--witness", witness.url, "--witness-key", witness.vkey]
        srv.start()
        srv.client().create_bucket(Bucket="untrusted-witness")
        time.sleep(2.5)  # checkpoints are published every second
        note = checkpoint(srv)
        assert note and WITNESS_NAME not in note, note
        assert "certificate verify failed" in srv.log_tail(200)
        # ... and the operator's metrics count the failures.
        assert value(samples(scrape(srv, token)), "confiance_audit_witness_failures_total",
                     witness=WITNESS_NAME) >= 1
        srv.stop_clean()
        srv.extra_args += ["--ca-bundle", pki.ca_file]
        srv.start()
        srv.client().create_bucket(Bucket="trusted-witness")
        note, size = wait_cosigned(srv, vkey, 2, witness)
        assert abs(verify_cosignature(note, witness.vkey) - time.time()) < 120
        metrics = samples(scrape(srv, token))
        assert ("confiance_audit_witness_failures_total", frozenset({("witness", WITNESS_NAME)})) in metrics
        assert value(metrics, "confiance_audit_witness_failures_total", witness=WITNESS_NAME) == 0
    finally:
        if srv.alive():
            srv.stop_clean()
        witness.stop()


def tail_once(srv, vkey, *args):
    key_file = pathlib.Path(srv.workdir) / "log.vkey"
    key_file.write_text(vkey + "\n")
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **sanitizer_env(), "CONFIANCE_ENDPOINT": srv.endpoint,
           "CONFIANCE_ACCESS_KEY": srv.access_key, "CONFIANCE_SECRET_KEY": srv.secret_key}
    return subprocess.run([srv.binary, "log", "tail", "--once", "--key-file", str(key_file)] + list(args),
                          env=env, capture_output=True, text=True, timeout=60)


def other_witness_key(name=WITNESS_NAME):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    blob = b"\x04" + Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_id = hashlib.sha256(name.encode() + b"\n" + blob).digest()[:4]
    return "%s+%s+%s" % (name, key_id.hex(), base64.b64encode(blob).decode())


def test_served_checkpoint_is_cosigned_by_the_witness(setup):
    srv, witness, vkey, _, _ = setup
    c = srv.client()
    c.create_bucket(Bucket="witnessed")
    for i in range(3):
        c.put_object(Bucket="witnessed", Key="k%d" % i, Body=b"x")
    note, size = wait_cosigned(srv, vkey, 4, witness)
    # Both signatures, each verified independently.
    origin, _, _ = spec.parse_checkpoint(spec.open_note(note, vkey))
    assert origin.startswith(LOG_NAME + "/tenant/")
    assert abs(verify_cosignature(note, witness.vkey) - time.time()) < 120
    assert note.count("\n\u2014 ") == 2, note
    # A cosignature moved onto another checkpoint text does not verify.
    forged = note.replace("\n%d\n" % size, "\n%d\n" % (size + 1), 1)
    with pytest.raises(Exception):
        verify_cosignature(forged, witness.vkey)
    # `log tail --witness-key` prints only under a checkpoint the witness
    # cosigned; under another witness's key it prints nothing.
    out = tail_once(srv, vkey, "--witness-key", witness.vkey)
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) >= size and '"bucket":"witnessed"' in out.stdout
    none = tail_once(srv, vkey, "--witness-key", other_witness_key())
    assert none.returncode == 0, none.stderr
    assert none.stdout == "" and "no checkpoint published and cosigned yet" in none.stderr
    # `log verify --witness-key` checks the cosignature offline: it passes
    # under the witness's key and fails, naming a possible split view,
    # under another witness's key.
    ok = log_verify(srv, note, out.stdout, "--witness-key", witness.vkey)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "cosigned by %s" % WITNESS_NAME in ok.stdout and "%d entries proven included" % size in ok.stdout, ok.stdout
    split = log_verify(srv, note, out.stdout, "--witness-key", witness.vkey, "--witness-key",
                       other_witness_key(WITNESS_NAME + "-2"), "--witness-quorum", "2")
    assert split.returncode == 1, split.stdout + split.stderr
    assert split.stdout.startswith("FAIL: checkpoint 2 is cosigned by 1 of the pinned witnesses, 2 required"), \
        split.stdout
    assert "split view" in split.stdout
    # More traffic: each new checkpoint is cosigned in turn (the witness
    # follows the log with consistency proofs).
    c.put_object(Bucket="witnessed", Key="later", Body=b"y")
    wait_cosigned(srv, vkey, size + 1, witness)
    # The witness refuses what it cannot tie to what it saw: a stale old
    # size gets 409 and the recorded size; a forged signature gets 403.
    resp = witness.add_checkpoint(0, [], note)
    assert resp.status_code == 409
    assert resp.headers["Content-Type"] == "text/x.tlog.size"
    assert int(resp.text) >= size + 1
    assert witness.add_checkpoint(0, [], note.replace("\n\u2014 " + LOG_NAME, "\n\u2014 other", 1)).status_code \
        in (400, 403)


def test_witness_refuses_a_split_view(setup):
    srv, witness, vkey, started, tmp_path = setup
    c = srv.client()
    c.create_bucket(Bucket="split")
    c.put_object(Bucket="split", Key="common", Body=b"x")
    _, size = wait_cosigned(srv, vkey, 2, witness)
    # The same data directory twice: one log key, the same origins.
    srv.stop_clean()
    copy_dir = str(tmp_path / "copy-data")
    shutil.copytree(srv.data_dir, copy_dir)
    twin = Server(str(tmp_path / "s2"), extra_args=list(srv.extra_args), data_dir=copy_dir)
    os.makedirs(twin.workdir, exist_ok=True)
    srv.start()
    twin.start()
    started.append(twin)
    # Each copy grows its own history by one entry.
    srv.client().put_object(Bucket="split", Key="only-on-the-first", Body=b"1")
    twin.client().put_object(Bucket="split", Key="only-on-the-second", Body=b"2")
    deadline = time.monotonic() + 15
    while True:
        notes = [checkpoint(s) for s in (srv, twin)]
        sizes = [spec.parse_checkpoint(spec.open_note(n, vkey))[1] if n else 0 for n in notes]
        cosigned = [n is not None and WITNESS_NAME in n and sz > size for n, sz in zip(notes, sizes)]
        if any(cosigned) and min(sizes) > size:
            break
        assert time.monotonic() < deadline, (notes, sizes)
        time.sleep(0.2)
    time.sleep(2.5)  # time for the other copy to try, and be refused
    notes = [checkpoint(s) for s in (srv, twin)]
    heads = [spec.parse_checkpoint(spec.open_note(n, vkey)) for n in notes]
    assert heads[0][0] == heads[1][0] and heads[0][1] == heads[1][1] == size + 1
    assert heads[0][2] != heads[1][2], "the two copies should have forked"
    cosigned = [WITNESS_NAME in n for n in notes]
    assert cosigned.count(True) == 1, notes
    winner, loser = (0, 1) if cosigned[0] else (1, 0)
    verify_cosignature(notes[winner], witness.vkey)
    loser_srv = (srv, twin)[loser]
    log_text = pathlib.Path(loser_srv.log_path).read_text(errors="replace")
    assert "not cosigned" in log_text and "409" in log_text, log_text[-3000:]
    # Submitted directly, the other branch is refused too: same size as the
    # recorded head, another root.
    plain = notes[loser]
    resp = witness.add_checkpoint(size + 1, [], plain)
    assert resp.status_code == 409, resp.text
    assert "split view" in resp.text


def test_two_witnesses_both_cosign_and_one_down_leaves_the_other(tmp_path):
    """--witness twice: the served checkpoint carries the log's signature
    and both cosignatures (verified independently), `log verify` accepts it
    with a quorum of 2; with one witness stopped, the other still cosigns
    each new checkpoint on its own, the failures are counted, and a quorum
    of 2 then fails while 1 passes. Mismatched flags refuse to start."""
    token_file, token = write_token(str(tmp_path))
    srv = Server(str(tmp_path / "s1"), extra_args=["--log-name", LOG_NAME, "--metrics-token-file", token_file])
    os.makedirs(srv.workdir, exist_ok=True)
    srv.start()
    vkey = srv.request("GET", "/_confiance/log/v1/key").body.decode().strip()
    srv.stop_clean()
    names = (WITNESS_NAME, "witness.test.example/w2")
    witnesses = [Witness(srv.binary, str(tmp_path), vkey, name=n, tag="w%d" % i) for i, n in enumerate(names)]
    os.makedirs(tmp_path / "bad")
    try:
        with pytest.raises(ServerDied):
            Server(str(tmp_path / "bad"), extra_args=["--log-name", LOG_NAME, "--witness", witnesses[0].url,
                                                      "--witness", witnesses[1].url, "--witness-key",
                                                      witnesses[0].vkey], data_dir=srv.data_dir).start()
        assert "2 --witness but 1 --witness-key" in (tmp_path / "bad" / "server-1.log").read_text()
        for w in witnesses:
            srv.extra_args += ["--witness", w.url, "--witness-key", w.vkey]
        srv.start()
        c = srv.client()
        c.create_bucket(Bucket="two-witnesses")
        c.put_object(Bucket="two-witnesses", Key="k", Body=b"x")

        note, size = wait_cosigned(srv, vkey, 2, *witnesses)
        for w in witnesses:
            assert abs(verify_cosignature(note, w.vkey) - time.time()) < 120
        assert note.count("\n\u2014 ") == 3, note  # the log's signature and two cosignatures
        out = tail_once(srv, vkey)
        assert out.returncode == 0, out.stderr
        pinned = [a for w in witnesses for a in ("--witness-key", w.vkey)]
        both = log_verify(srv, note, "".join(out.stdout.splitlines(keepends=True)[:size]), *pinned)
        assert both.returncode == 0, both.stdout + both.stderr
        assert all("%s" % w.name in both.stdout for w in witnesses), both.stdout

        # The second witness goes away: the first keeps cosigning alone.
        witnesses[1].stop()
        c.put_object(Bucket="two-witnesses", Key="later", Body=b"y")
        note, later_size = wait_cosigned(srv, vkey, size + 1, witnesses[0])
        assert witnesses[1].name + " " not in note, note
        metrics = samples(scrape(srv, token))
        assert value(metrics, "confiance_audit_witness_failures_total", witness=witnesses[1].name) >= 1
        assert "witness %s: checkpoint of" % witnesses[1].name in srv.log_tail(400)
        # `log tail` with both witnesses pinned waits for a quorum: all by
        # default (nothing printed), one when told.
        waiting = tail_once(srv, vkey, *pinned)
        assert waiting.returncode == 0 and waiting.stdout == "", waiting.stdout + waiting.stderr
        assert "no checkpoint published and cosigned yet" in waiting.stderr
        out = tail_once(srv, vkey, *pinned, "--witness-quorum", "1")
        assert out.returncode == 0, out.stderr
        assert len(out.stdout.splitlines()) >= later_size
        entries = "".join(out.stdout.splitlines(keepends=True)[:later_size])
        alone = log_verify(srv, note, entries, *pinned)
        assert alone.returncode == 1, alone.stdout + alone.stderr
        assert "cosigned by 1 of the pinned witnesses, 2 required" in alone.stdout, alone.stdout
        quorum = log_verify(srv, note, entries, *pinned, "--witness-quorum", "1")
        assert quorum.returncode == 0, quorum.stdout + quorum.stderr
    finally:
        if srv.alive():
            srv.stop_clean()
        for w in witnesses:
            w.stop()


class SilentWitness:
    """Accepts connections and reads requests, never answers: a witness
    that hangs (each request of the server then waits for its timeout)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(0.1)
            self.connections.append(conn)

    def close(self):
        self.sock.close()
        for c in self.connections:
            c.close()


def test_a_silent_witness_holds_back_neither_checkpoints_nor_another_witness(tmp_path):
    """A witness that never answers (the server waits 10 s per request)
    beside a working one: each write's checkpoint is still published and
    cosigned by the working witness within seconds, round after round, and
    the server still stops promptly."""
    srv = Server(str(tmp_path / "s1"), extra_args=["--log-name", LOG_NAME])
    os.makedirs(srv.workdir, exist_ok=True)
    srv.start()
    vkey = srv.request("GET", "/_confiance/log/v1/key").body.decode().strip()
    srv.stop_clean()
    witness = Witness(srv.binary, str(tmp_path), vkey)
    silent = SilentWitness()
    try:
        srv.extra_args += ["--witness", silent.url, "--witness-key", other_witness_key("silent.example/w0"),
                           "--witness", witness.url, "--witness-key", witness.vkey]
        srv.start()
        c = srv.client()
        c.create_bucket(Bucket="silent")
        _, size = wait_cosigned(srv, vkey, 1, witness, timeout=8)
        for i in range(3):
            c.put_object(Bucket="silent", Key="k%d" % i, Body=b"x")
            started = time.monotonic()
            _, size = wait_cosigned(srv, vkey, size + 1, witness, timeout=5)
            assert time.monotonic() - started < 5
        assert silent.connections, "the server never tried the silent witness"
        started = time.monotonic()
        srv.stop_clean()
        assert time.monotonic() - started < 15, "the silent witness held the shutdown up"
    finally:
        if srv.alive():
            srv.stop_clean()
        silent.close()
        witness.stop()
