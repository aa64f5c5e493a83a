#!/usr/bin/env python3
"""Runs a KMIP test binary against a real PyKMIP server.

    run_with_pykmip.py BINARY [ARGS...]

Starts pykmip-server on 127.0.0.1 with fresh CA/server/client certificates
(tests/kmip/pykmip_server.py), runs BINARY with CONFIANCE_KMIP_* in its
environment, then reads the server's own log and fails unless it processed
Encrypt and Decrypt and never a Get (key material must never leave the
KMS). Exit 77 (CTest: skipped) only if pykmip-server is not installed.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import pykmip_server  # noqa: E402

SKIP = 77


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    if not os.access(pykmip_server.PYKMIP_SERVER, os.X_OK):
        print("SKIP: %s not installed (Debian python3-pykmip; "
              "scripts/install-deps.sh)" % pykmip_server.PYKMIP_SERVER)
        return SKIP
    workdir = tempfile.mkdtemp(prefix="confiance-pykmip-")
    server = pykmip_server.PyKmipServer(workdir)
    try:
        try:
            server.start()
        except pykmip_server.Unavailable as e:
            # Installed but not starting is a failure, not a skip.
            print("FAIL: pykmip-server did not start: %s" % e)
            return 1
        env = dict(os.environ)
        env.update(pykmip_server.env_for(server))
        rc = subprocess.call(argv[1:], env=env, timeout=600)
        ops = server.operations()
        counts = {op: ops.count(op) for op in sorted(set(ops))}
        print("PyKMIP processed: %s" % counts)
        problems = []
        if "Get" in counts:
            problems.append("the KMS received %d Get operation(s): key "
                            "material must never leave it" % counts["Get"])
        for needed in ("Encrypt", "Decrypt"):
            if needed not in counts:
                problems.append("the KMS never processed %s" % needed)
        for p in problems:
            print("FAIL: " + p)
        if rc != 0:
            print("FAIL: %s exited with %d; PyKMIP log tail:\n%s" % (
                argv[1], rc, server.output_tail(30)))
        return 1 if (rc != 0 or problems) else 0
    finally:
        server.stop()
        pykmip_server.cleanup(workdir)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
