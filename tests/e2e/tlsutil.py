"""Certificates for the HTTPS tests: a throwaway CA (Python `cryptography`,
from Debian) and server certificates it issues for 127.0.0.1 and
localhost."""

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _write(path, data, mode=0o644):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


class Pki:
    """A CA and server certificates it issues for 127.0.0.1 and localhost."""

    def __init__(self, directory):
        self.dir = directory
        self.ca_key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        self.ca_cert = (x509.CertificateBuilder()
                        .subject_name(_name("confiance test CA"))
                        .issuer_name(_name("confiance test CA"))
                        .public_key(self.ca_key.public_key())
                        .serial_number(x509.random_serial_number())
                        .not_valid_before(now - datetime.timedelta(minutes=5))
                        .not_valid_after(now + datetime.timedelta(days=365))
                        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                        .sign(self.ca_key, hashes.SHA256()))
        self.ca_file = os.path.join(directory, "ca.pem")
        _write(self.ca_file, self.ca_cert.public_bytes(serialization.Encoding.PEM))

    def issue(self, cn, cert_path, key_path, days=1):
        """A certificate valid until `days` from now (negative: expired)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (x509.CertificateBuilder()
                .subject_name(_name(cn))
                .issuer_name(self.ca_cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(min(now - datetime.timedelta(minutes=5),
                                      now + datetime.timedelta(days=days - 1)))
                .not_valid_after(now + datetime.timedelta(days=days))
                .add_extension(x509.SubjectAlternativeName([
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.DNSName("localhost")]), critical=False)
                .sign(self.ca_key, hashes.SHA256()))
        _write(cert_path, cert.public_bytes(serialization.Encoding.PEM))
        _write(key_path, key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()), mode=0o600)
        return cert
