"""Independent verification of Confiance's transparency log formats.

An implementation written from the specifications alone -- RFC 9162
section 2.1 (Merkle hashing, inclusion and consistency proofs), C2SP
signed-note (Ed25519 via Debian's python3-cryptography), C2SP
tlog-checkpoint and tlog-tiles -- checks a log written by our C++ code
(tests/audit/tlog_export.cc). It shares no code with the server: if the
formats drift from the specs, this test fails even when our own reader
agrees with our own writer.

Then `confiance log verify` judges the same files: intact (exit 0) and
with one entry altered (exit 1, the reason names the entry).
"""
import base64
import hashlib
import json
import os
import pathlib
import shutil
import struct
import subprocess

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

N, SIZE1 = 300, 123


# ---- RFC 9162 2.1 ----
def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves):
    """MTH(D[n]) by its recursive definition, over leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def verify_inclusion(index, size, leaf, proof, root):
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1, size2, proof, root1, root2):
    if size1 == size2:
        return not proof and root1 == root2
    if size1 == 0 or size1 > size2 or not proof:
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


# ---- C2SP signed-note, tlog-checkpoint, tlog-tiles ----
def parse_vkey(vkey: str):
    name, hash_hex, key_b64 = vkey.split("+", 2)
    blob = base64.b64decode(key_b64, validate=True)
    assert blob[0] == 0x01 and len(blob) == 33, "not an Ed25519 verifier key"
    key_hash = hashlib.sha256(name.encode() + b"\n" + blob).digest()[:4]
    assert key_hash.hex() == hash_hex, "key hash does not match the key"
    return name, key_hash, Ed25519PublicKey.from_public_bytes(blob[1:])


def open_note(note: str, vkey: str) -> str:
    name, key_hash, pub = parse_vkey(vkey)
    split = note.rindex("\n\n")
    text, sigs = note[: split + 1], note[split + 2:]
    found = False
    for line in sigs.splitlines():
        assert line.startswith("\u2014 "), "signature line must start with an em dash"
        sig_name, sig_b64 = line[2:].split(" ")
        raw = base64.b64decode(sig_b64, validate=True)
        if sig_name == name and raw[:4] == key_hash:
            pub.verify(raw[4:], text.encode())  # raises InvalidSignature
            found = True
    assert found, "no signature by the pinned key"
    return text


def parse_checkpoint(text: str):
    lines = text.split("\n")
    assert lines[-1] == "", "checkpoint must end in a newline"
    origin, size, root = lines[0], int(lines[1]), base64.b64decode(lines[2], validate=True)
    assert str(size) == lines[1] and len(root) == 32
    return origin, size, root


def tile_index(n: int) -> str:
    parts = [f"{n % 1000:03d}"]
    n //= 1000
    while n > 0:
        parts.insert(0, f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(parts)


def tile_path(level, index, width):
    p = f"tile/{level}/{tile_index(index)}"
    return p if width == 256 else f"{p}.p/{width}"


def bundle_path(index, width):
    p = f"tile/entries/{tile_index(index)}"
    return p if width == 256 else f"{p}.p/{width}"


def read_bundle(data: bytes):
    out, i = [], 0
    while i < len(data):
        (n,) = struct.unpack(">H", data[i:i + 2])
        out.append(data[i + 2:i + 2 + n])
        assert len(out[-1]) == n, "truncated entry"
        i += 2 + n
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("tlog")
    subprocess.run([os.environ["TLOG_EXPORT"], str(out), str(N), str(SIZE1)], check=True)
    return out


def test_checkpoints_are_c2sp_signed_notes(exported):
    vkey = (exported / "verifier_key").read_text().strip()
    for name, size in (("checkpoint1", SIZE1), ("checkpoint2", N)):
        note = (exported / name).read_text()
        origin, got_size, _ = parse_checkpoint(open_note(note, vkey))
        assert origin == "s3.export.test/tenant/acme"
        assert got_size == size
    # A flipped byte in the text breaks the signature.
    note = (exported / "checkpoint2").read_text().replace("acme", "acmf", 1)
    with pytest.raises(InvalidSignature):
        open_note(note, vkey)


def test_tiles_entries_and_proofs_follow_rfc9162(exported):
    vkey = (exported / "verifier_key").read_text().strip()
    _, size1, root1 = parse_checkpoint(open_note((exported / "checkpoint1").read_text(), vkey))
    _, size2, root2 = parse_checkpoint(open_note((exported / "checkpoint2").read_text(), vkey))
    # Entry bundles: 256 then 44 entries; their leaf hashes are level-0 tiles.
    entries = read_bundle((exported / bundle_path(0, 256)).read_bytes())
    entries += read_bundle((exported / bundle_path(1, 44)).read_bytes())
    assert len(entries) == N
    assert entries == (exported / "entries.jsonl").read_bytes().splitlines()
    leaves = [leaf_hash(e) for e in entries]
    tile0 = (exported / tile_path(0, 0, 256)).read_bytes() + (exported / tile_path(0, 1, 44)).read_bytes()
    assert tile0 == b"".join(leaves)
    # Level-1 tile: the root of the first complete 256-leaf subtree.
    assert (exported / tile_path(1, 0, 1)).read_bytes() == mth(leaves[:256])
    # Roots recomputed from the entries match the signed checkpoints.
    assert mth(leaves[:size1]) == root1
    assert mth(leaves[:size2]) == root2
    proofs = json.loads((exported / "proofs.json").read_text())
    for p in proofs["inclusion"]:
        proof = [base64.b64decode(h) for h in p["proof"]]
        assert verify_inclusion(p["index"], p["size"], leaves[p["index"]], proof, root2)
        assert not verify_inclusion(p["index"], p["size"], leaf_hash(b"forged"), proof, root2)
    c = proofs["consistency"]
    cproof = [base64.b64decode(h) for h in c["proof"]]
    assert verify_consistency(c["size1"], c["size2"], cproof, root1, root2)
    assert not verify_consistency(c["size1"], c["size2"], cproof, root2, root1)


def run_verify(directory: pathlib.Path):
    return subprocess.run(
        [os.environ["CONFIANCE_BIN"], "log", "verify", "--key-file", str(directory / "verifier_key"),
         "--checkpoint1", str(directory / "checkpoint1"), "--checkpoint2", str(directory / "checkpoint2"),
         "--dir", str(directory)],
        capture_output=True, text=True, timeout=60)


def test_confiance_log_verify_cli(exported, tmp_path):
    ok = run_verify(exported)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.startswith("OK: log s3.export.test/tenant/acme")
    assert f"{N} entries proven included" in ok.stdout

    tampered = tmp_path / "tampered"
    shutil.copytree(exported, tampered)
    bundle = tampered / bundle_path(1, 44)
    data = bundle.read_bytes()
    bundle.write_bytes(data.replace(b"key-270", b"key-999"))
    bad = run_verify(tampered)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert bad.stdout.startswith("FAIL: entry 270 is not in the log"), bad.stdout

    # JSON lines with a line removed: every later entry moves up one index.
    lines = (exported / "entries.jsonl").read_text().splitlines(keepends=True)
    (tampered / "cut.jsonl").write_text("".join(lines[:10] + lines[11:]))
    cut = subprocess.run(
        [os.environ["CONFIANCE_BIN"], "log", "verify", "--key-file", str(exported / "verifier_key"),
         "--checkpoint2", str(exported / "checkpoint2"), "--entries", str(tampered / "cut.jsonl"),
         "--dir", str(exported)], capture_output=True, text=True, timeout=60)
    assert cut.returncode == 1, cut.stdout + cut.stderr
    assert "FAIL: entry 10 is not in the log" in cut.stdout
