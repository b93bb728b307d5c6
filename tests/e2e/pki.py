"""The CSMS's side of the Security extension's PKI, with PyPI `cryptography` (independent
of the engine's `chargepoint::pki`): CAs, leaves signed for a CSR's key, a TLS server
certificate, and the whitepaper's certificateHashData computed from a certificate."""

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def utcnow():
    return datetime.now(timezone.utc)


def name(cn, org=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def pem(*certs):
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


@dataclass
class Ca:
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def pem(self):
        return pem(self.cert)

    def sign(self, public_key, cn, org=None, days=30, client=True, server_ip=None):
        """A leaf for `public_key`, issued by this CA."""
        b = (x509.CertificateBuilder().subject_name(name(cn, org)).issuer_name(self.cert.subject)
             .public_key(public_key).serial_number(x509.random_serial_number())
             .not_valid_before(utcnow() - timedelta(minutes=5))
             .not_valid_after(utcnow() + timedelta(days=days))
             .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
             .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                            critical=True))
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        b = b.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        if server_ip:
            b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(server_ip))]),
                                critical=False)
        return b.sign(self.key, hashes.SHA256())


def make_ca(cn="e2e CSMS root", not_before=None, not_after=None, ca=True):
    """A self-signed P-256 certificate, a CA unless ca=False; valid now unless told."""
    key = ec.generate_private_key(ec.SECP256R1())
    not_before = not_before or utcnow() - timedelta(minutes=5)
    not_after = not_after or utcnow() + timedelta(days=30)
    b = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(name(cn))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                            critical=True)
    return Ca(b.sign(key, hashes.SHA256()), key)


def hash_data(cert, issuer_public_key=None):
    """certificateHashData (SHA256) of `cert`: hashes of its issuer's name (DER) and of the
    issuer's public key bits, and its serial in hex. A root is its own issuer."""
    issuer_key = issuer_public_key or cert.public_key()
    key_bits = issuer_key.public_bytes(serialization.Encoding.X962,
                                       serialization.PublicFormat.UncompressedPoint)
    return {"hashAlgorithm": "SHA256",
            "issuerNameHash": hashlib.sha256(cert.issuer.public_bytes()).hexdigest(),
            "issuerKeyHash": hashlib.sha256(key_bits).hexdigest(),
            "serialNumber": format(cert.serial_number, "x")}


def public_point(key):
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def write_server_files(ca, directory):
    """A TLS server certificate for 127.0.0.1 from `ca`: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = ca.sign(key.public_key(), "127.0.0.1", client=False, server_ip="127.0.0.1")
    cert_path, key_path = directory / "server.pem", directory / "server.key"
    cert_path.write_text(pem(cert))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def write_client_files(ca, directory, cn="CP0000"):
    """An initial client certificate (the factory's) for `cn`: (cert path, key path, cert)."""
    key = ec.generate_private_key(ec.SECP256R1())
    cert = ca.sign(key.public_key(), cn)
    cert_path, key_path = directory / "client.pem", directory / "client.key"
    cert_path.write_text(pem(cert))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path, cert


# ---- the box's private key: where it is, and where it must not be ----------------------

HEX64 = re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])")


def keys_in_state(state_dir, wanted):
    """Finds the private keys of `wanted` (name -> public key) among the 64-hex-digit runs
    of the state dir's files: name -> (path, secret hex). Every one must be there, all in
    one file."""
    points = {public_point(k): n for n, k in wanted.items()}
    found = {}
    for path in (p for p in state_dir.rglob("*") if p.is_file()):
        for h in set(HEX64.findall(path.read_text(errors="replace"))):
            try:
                point = public_point(ec.derive_private_key(int(h, 16), ec.SECP256R1()).public_key())
            except ValueError:
                continue
            if point in points:
                found[points[point]] = (path, h)
    assert set(found) == set(wanted), f"the keys in the state dir: {sorted(found)} of {sorted(wanted)}"
    holders = {path for path, _ in found.values()}
    assert len(holders) == 1, f"one state file holds the keys: {sorted(map(str, holders))}"
    return found


def runner_texts(run, csms):
    """What a runner left outside its state (trace, stdout, stderr) and every frame the CSMS saw."""
    texts = {"trace": run.trace_path.read_text() if run.trace_path.exists() else "",
             "stdout": run.out(), "stderr": run.err(), "frames": "\n".join(f.text for f in csms.frames)}
    assert texts["trace"] and texts["frames"], "something was recorded"
    return texts


def private_key_forms(secret_hex):
    """The forms a key could leak in: its hex, and the lines of its PEM bodies."""
    key = ec.derive_private_key(int(secret_hex, 16), ec.SECP256R1())
    forms = [secret_hex.lower(), secret_hex.upper()]
    for fmt in (serialization.PrivateFormat.PKCS8, serialization.PrivateFormat.TraditionalOpenSSL):
        body = key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()
        forms += [line for line in body.splitlines() if line and not line.startswith("-----")]
    return forms


def assert_keys_absent(found, texts, public=()):
    """No key of `found` in any of `texts` (name -> text), no "PRIVATE KEY" and no
    64-hex-digit run but the public hashes of the certificates `public`."""
    public_hex = {v for c in public for k, v in hash_data(c).items() if k.endswith("Hash")}
    for name, text in texts.items():
        assert "PRIVATE KEY" not in text, f"a private key's PEM in {name}"
        stray = {h.lower() for h in HEX64.findall(text)} - public_hex
        assert stray == set(), f"64-hex-digit runs in {name}: {sorted(stray)[:3]}"
        for kind, (_, secret) in found.items():
            leaked = [f for f in private_key_forms(secret) if f in text]
            assert leaked == [], f"the {kind} key in {name}"
