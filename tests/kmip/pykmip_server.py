"""A real PyKMIP server (Debian python3-pykmip) for the KMIP tests: fresh
CA, server and client certificates in a temporary directory, a generated
server config, `pykmip-server` on a free 127.0.0.1 port, and helpers to
read which operations the server's own log says it processed.

Used by tests/kmip/run_with_pykmip.py (the C++ contract test) and by
tests/e2e/test_kmip.py (the server end to end).
"""

import datetime
import sys
import os
import re
import shutil
import signal
import socket
import subprocess
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PYKMIP_SERVER = "/usr/bin/pykmip-server"
CLIENT_CN = "confiance-test-client"
START_TIMEOUT = 30.0


class Unavailable(Exception):
    """pykmip-server is not installed or cannot run at all here."""


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write_key(path, key):
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    os.chmod(path, 0o600)


def _write_cert(path, cert):
    with open(path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def _issue(ca_key, ca_name, cn, eku, san_ip=None, is_ca=False, key=None):
    key = key or ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.utcnow()
    b = (x509.CertificateBuilder()
         .subject_name(_name(cn)).issuer_name(ca_name)
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(minutes=5))
         .not_valid_after(now + datetime.timedelta(days=2))
         .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None),
                        critical=True))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    if san_ip:
        import ipaddress
        b = b.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address(san_ip))]), critical=False)
    return key, b.sign(ca_key or key, hashes.SHA256())


def make_certs(d, client_cn=CLIENT_CN):
    """CA, server (127.0.0.1) and client certs in `d`; returns their paths.
    Also a second CA + client ("rogue") that the server must refuse."""
    paths = {}
    ca_key, ca = _issue(None, _name("confiance-test-kmip-ca"),
                        "confiance-test-kmip-ca", None, is_ca=True)
    ca_name = ca.subject
    srv_key, srv = _issue(ca_key, ca_name, "127.0.0.1",
                          [ExtendedKeyUsageOID.SERVER_AUTH], san_ip="127.0.0.1")
    cli_key, cli = _issue(ca_key, ca_name, client_cn,
                          [ExtendedKeyUsageOID.CLIENT_AUTH])
    rca_key, rca = _issue(None, _name("rogue-ca"), "rogue-ca", None,
                          is_ca=True)
    rcli_key, rcli = _issue(rca_key, rca.subject, client_cn,
                            [ExtendedKeyUsageOID.CLIENT_AUTH])
    for name, key, cert in (("ca", ca_key, ca), ("server", srv_key, srv),
                            ("client", cli_key, cli),
                            ("rogue-ca", rca_key, rca),
                            ("rogue-client", rcli_key, rcli)):
        _write_key(os.path.join(d, name + ".key"), key)
        _write_cert(os.path.join(d, name + ".crt"), cert)
        paths[name + "_key"] = os.path.join(d, name + ".key")
        paths[name + "_cert"] = os.path.join(d, name + ".crt")
    return paths


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PyKmipServer:
    """One pykmip-server process on 127.0.0.1 with fresh certificates.

    REQUIRES: a writable `workdir` (deleted by the caller)."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.port = None
        self.proc = None
        self.certs = None
        self.log_path = os.path.join(workdir, "pykmip.log")
        self.stdout_path = os.path.join(workdir, "pykmip.stdout")
        self.db_path = os.path.join(workdir, "pykmip.db")
        self.config_path = os.path.join(workdir, "server.conf")

    @property
    def endpoint(self):
        return "127.0.0.1:%d" % self.port

    def start(self):
        if not os.access(PYKMIP_SERVER, os.X_OK):
            raise Unavailable("%s is not installed (Debian python3-pykmip)" %
                              PYKMIP_SERVER)
        os.makedirs(self.workdir, exist_ok=True)
        self.certs = make_certs(self.workdir)
        self.port = free_port()
        policy_dir = os.path.join(self.workdir, "policies")
        os.makedirs(policy_dir, exist_ok=True)
        with open(self.config_path, "w") as f:
            f.write("[server]\n"
                    "hostname=127.0.0.1\n"
                    "port=%d\n"
                    "certificate_path=%s\n"
                    "key_path=%s\n"
                    "ca_path=%s\n"
                    "auth_suite=TLS1.2\n"
                    "policy_path=%s\n"
                    "enable_tls_client_auth=True\n"
                    "logging_level=INFO\n"
                    "database_path=%s\n" % (
                        self.port, self.certs["server_cert"],
                        self.certs["server_key"], self.certs["ca_cert"],
                        policy_dir, self.db_path))
        return self._spawn("wb")

    def restart(self):
        """Starts the stopped server again with the same certificates, port
        and database (its keys survive): a KMS that was down comes back."""
        return self._spawn("ab")

    def _spawn(self, stdout_mode):
        """Runs the server on the written configuration and waits until it
        answers; its output goes to stdout_path (truncated or appended)."""
        out = open(self.stdout_path, stdout_mode)
        self.proc = subprocess.Popen(
            [PYKMIP_SERVER, "-f", self.config_path, "-l", self.log_path],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        out.close()
        self._wait_ready()
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise Unavailable("pykmip-server exited with %s:\n%s" % (
                    self.proc.returncode, self.output_tail()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise Unavailable("pykmip-server not listening after %ss:\n%s" % (
            START_TIMEOUT, self.output_tail()))

    def output_tail(self, n=40):
        text = ""
        for p in (self.stdout_path, self.log_path):
            try:
                with open(p, "rb") as f:
                    text += f.read().decode("utf-8", "replace")
            except OSError:
                pass
        return "\n".join(text.splitlines()[-n:])

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)

    # ------------------------------------------------------------ log
    def operations(self):
        """Every operation the server's own log says it processed, in order
        (its engine logs "Processing operation: <Name>" for each)."""
        with open(self.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        return re.findall(r"Processing operation: (\w+)", text)

    # --------------------------------------------------------- client
    def client(self):
        """A PyKMIP ProxyKmipClient with the test client certificate (the
        key owner: PyKMIP's default policy lets only the creator's CN act).
        Used by the tests to act "as the KMS administrator": revoke,
        destroy, inspect. Never used by Confiance itself."""
        from kmip.pie.client import ProxyKmipClient
        from kmip.core import enums
        return ProxyKmipClient(
            hostname="127.0.0.1", port=self.port,
            cert=self.certs["client_cert"], key=self.certs["client_key"],
            ca=self.certs["ca_cert"], ssl_version="PROTOCOL_SSLv23",
            kmip_version=enums.KMIPVersion.KMIP_1_2)


def env_for(server):
    """The environment variables the C++ KMIP tests read."""
    c = server.certs
    return {
        "CONFIANCE_KMIP_ENDPOINT": server.endpoint,
        "CONFIANCE_KMIP_CA": c["ca_cert"],
        "CONFIANCE_KMIP_CERT": c["client_cert"],
        "CONFIANCE_KMIP_KEY": c["client_key"],
        "CONFIANCE_KMIP_ROGUE_CERT": c["rogue-client_cert"],
        "CONFIANCE_KMIP_ROGUE_KEY": c["rogue-client_key"],
        "CONFIANCE_KMIP_SERVER_LOG": server.log_path,
    }


def cleanup(workdir):
    shutil.rmtree(workdir, ignore_errors=True)


def main(argv):
    """`pykmip_server.py serve WORKDIR`: starts a server, writes
    WORKDIR/env.sh (shell assignments of env_for()), and runs until SIGTERM
    or SIGINT (for bench/kmip_overhead.sh)."""
    if len(argv) != 3 or argv[1] != "serve":
        print("usage: pykmip_server.py serve WORKDIR", file=sys.stderr)
        return 2
    srv = PyKmipServer(argv[2]).start()
    with open(os.path.join(argv[2], "env.sh"), "w") as f:
        for k, v in env_for(srv).items():
            f.write("%s=%s\n" % (k, v))
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    try:
        while not stop and srv.proc.poll() is None:
            time.sleep(0.2)
    finally:
        srv.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
