"""The Security extension's certificates end to end (OCPP 1.6 Security Whitepaper ed. 2):
InstallCertificate / GetInstalledCertificateIds of a CentralSystemRootCertificate, the
box's CSR (SignCertificate) and CertificateSigned, the enrolment that ends in a mutual-TLS
reconnect with the new certificate, and a SecurityProfile raise that falls back. The
CSMS's side (CAs, hashes, signing) is PyPI `cryptography`, independent of the engine."""

import ssl
import time
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ocpp.v16 import call

from . import pki
from .csms import Csms, compact

CP = "CP0000"
KEY = "0123456789abcdef0123456789abcdef"


def install(csms, pem, kind="CentralSystemRootCertificate"):
    return csms.call(CP, call.InstallCertificate(certificate_type=kind, certificate=pem))["status"]


def installed(csms, kind="CentralSystemRootCertificate"):
    return compact(csms.call(CP, call.GetInstalledCertificateIds(certificate_type=kind)))


def trigger(csms, message, **kw):
    return csms.call(CP, call.ExtendedTriggerMessage(requested_message=message, **kw))["status"]


def signed(csms, chain_pem):
    return csms.call(CP, call.CertificateSigned(certificate_chain=chain_pem))["status"]


def next_csr(csms, since, timeout=30):
    """The CSR of the first SignCertificate after `since`, parsed and checked."""
    (payload,) = csms.wait_for("SignCertificate", CP, since=since, timeout=timeout)[:1]
    csr = x509.load_pem_x509_csr(payload["csr"].encode())
    assert csr.is_signature_valid
    key = csr.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp256r1"
    return csr


def subject(csr, oid):
    return [a.value for a in csr.subject.get_attributes_for_oid(oid)]


def test_an_installed_root_is_identified_by_its_hashes_and_survives_a_restart(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    assert installed(csms) == {"status": "NotFound"}, "nothing is installed at first"
    root = pki.make_ca()
    since = time.monotonic()
    assert install(csms, root.pem) == "Accepted"
    csms.wait_for("SecurityEventNotification", since=since,
                  where=lambda p: p["type"] == "ReconfigurationOfSecurityParameters")
    answer = installed(csms)
    assert answer == {"status": "Accepted", "certificateHashData": [pki.hash_data(root.cert)]}
    assert installed(csms, "ManufacturerRootCertificate") == {"status": "NotFound"}

    run.stop()
    evc("again").start(csms.url, state_dir=run.state_dir)
    csms.wait_for("BootNotification", count=2)
    csms.wait(lambda: not csms.connection().closed and csms.connection().number > 1, what="the second run")
    csms.wait_registered()
    assert installed(csms) == answer, "the root is durable"


def test_roots_that_are_not_valid_cas_are_rejected(csms, evc):
    evc().start(csms.url)
    csms.wait_registered()
    now = pki.utcnow()
    expired = pki.make_ca("expired", not_before=now - timedelta(days=30), not_after=now - timedelta(days=1))
    not_ca = pki.make_ca("not a CA", ca=False)
    issued = pki.make_ca("issuer")
    leaf = issued.sign(ec.generate_private_key(ec.SECP256R1()).public_key(), "a leaf")
    for what, pem in [("garbage", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"),
                      ("expired", expired.pem), ("not a CA", not_ca.pem), ("not self-signed", pki.pem(leaf))]:
        assert install(csms, pem) == "Rejected", what
    assert install(csms, pki.make_ca("manufacturer").pem, "ManufacturerRootCertificate") == "Rejected"
    assert installed(csms) == {"status": "NotFound"}
    assert installed(csms, "ManufacturerRootCertificate") == {"status": "NotFound"}


def test_a_new_root_replaces_the_installed_one(csms, evc):
    """The store holds one root (the engine's choice: a CSMS must be able to renew it)."""
    evc().start(csms.url)
    csms.wait_registered()
    first, second = pki.make_ca("first"), pki.make_ca("second")
    assert install(csms, first.pem) == "Accepted"
    assert install(csms, second.pem) == "Accepted"
    assert installed(csms)["certificateHashData"] == [pki.hash_data(second.cert)]


def test_the_csr_names_the_box_and_the_cpo_and_certificate_signed_checks_key_and_chain(csms, evc):
    evc().start(csms.url)
    csms.wait_registered()
    csms.policy.sign_certificate = "Accepted"
    root = pki.make_ca("CSMS root")
    assert install(csms, root.pem) == "Accepted"

    since = time.monotonic()
    assert csms.call(CP, call.ChangeConfiguration(key="CpoName", value="Acme CPO")) == {"status": "Accepted"}
    csr = next_csr(csms, since)
    assert subject(csr, NameOID.COMMON_NAME) == [CP]
    assert csms.payloads("BootNotification")[0]["chargePointSerialNumber"] == CP
    assert subject(csr, NameOID.ORGANIZATION_NAME) == ["Acme CPO"]

    first_csr = csr
    since = time.monotonic()
    assert trigger(csms, "SignChargePointCertificate") == "Accepted"
    csr = next_csr(csms, since)
    assert subject(csr, NameOID.ORGANIZATION_NAME) == ["Acme CPO"]
    assert pki.public_point(csr.public_key()) != pki.public_point(first_csr.public_key()), "a new key each time"
    assert signed(csms, pki.pem(root.sign(first_csr.public_key(), CP, "Acme CPO"))) == "Rejected", \
        "the newer CSR's key replaced the older one"

    other_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert signed(csms, pki.pem(root.sign(other_key, CP, "Acme CPO"))) == "Rejected", "a leaf for another key"
    stranger = pki.make_ca("another CA")
    assert signed(csms, pki.pem(stranger.sign(csr.public_key(), CP, "Acme CPO"))) == "Rejected", \
        "a chain that does not reach the installed root"
    assert signed(csms, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") == "Rejected"
    leaf = root.sign(csr.public_key(), CP, "Acme CPO")
    assert signed(csms, pki.pem(leaf)) == "Accepted"


# The product contract: SecurityEventNotification is sent only for these six types.
CONTRACT_EVENTS = {"ReconfigurationOfSecurityParameters", "SettingSystemTime", "SecurityLogWasCleared",
                   "StartupOfTheDevice", "ResetOrReboot", "FirmwareUpdated"}


def only_contract_events(csms):
    sent = {p["type"] for p in csms.payloads("SecurityEventNotification")}
    assert sent <= CONTRACT_EVENTS, sent - CONTRACT_EVENTS


def test_a_rejected_certificate_signed_raises_no_event_beyond_the_contract(csms, evc):
    """The whitepaper (A02, OCTT TC_077) has an InvalidChargePointCertificate event here;
    the product sends only its six types (contract), so the refusal is in its security
    log only, and the next message still comes."""
    evc().start(csms.url)
    csms.wait_registered()
    csms.policy.sign_certificate = "Accepted"
    assert install(csms, pki.make_ca("CSMS root").pem) == "Accepted"
    since = time.monotonic()
    assert trigger(csms, "SignChargePointCertificate") == "Accepted"
    csr = next_csr(csms, since)
    since = time.monotonic()
    assert signed(csms, pki.pem(pki.make_ca("another CA").sign(csr.public_key(), CP))) == "Rejected"
    assert trigger(csms, "Heartbeat") == "Accepted"
    csms.wait_for("Heartbeat", since=since, timeout=15)
    only_contract_events(csms)


def test_certificate_signed_accepts_a_chain_through_a_sub_ca(csms, evc):
    evc().start(csms.url)
    csms.wait_registered()
    csms.policy.sign_certificate = "Accepted"
    root = pki.make_ca("CSMS root")
    sub_key = ec.generate_private_key(ec.SECP256R1())
    sub = pki.Ca(_sub_ca(root, sub_key), sub_key)
    assert install(csms, root.pem) == "Accepted"
    since = time.monotonic()
    assert trigger(csms, "SignChargePointCertificate") == "Accepted"
    csr = next_csr(csms, since)
    assert signed(csms, pki.pem(sub.sign(csr.public_key(), CP))) == "Rejected", "the sub-CA is missing"
    assert signed(csms, pki.pem(sub.sign(csr.public_key(), CP), sub.cert)) == "Accepted"


def _sub_ca(root, key):
    from cryptography.hazmat.primitives import hashes
    now = pki.utcnow()
    return (x509.CertificateBuilder().subject_name(pki.name("CSMS sub-CA")).issuer_name(root.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=10))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(root.key, hashes.SHA256()))


def test_certificate_signed_without_a_csr_or_a_root_is_rejected(csms, evc):
    evc().start(csms.url)
    csms.wait_registered()
    root = pki.make_ca()
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    assert signed(csms, pki.pem(root.sign(key, CP))) == "Rejected", "no CSR was sent"


# ---- TLS: the enrolment that ends in a mutual-TLS reconnect ----------------------------


@pytest.fixture(scope="module")
def csms_ca(tmp_path_factory):
    """The CSMS's CA (cryptography), its server certificate and a factory client certificate."""
    d = tmp_path_factory.mktemp("csms-pki")
    ca = pki.make_ca("e2e CSMS CA")
    (d / "ca.pem").write_text(ca.pem)
    server = pki.write_server_files(ca, d)
    client = pki.write_client_files(ca, d)
    return d, ca, server, client


def server_context(cert, key, client_ca=None):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if client_ca:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(client_ca)
    return context


@pytest.fixture
def tls_csms(csms_ca):
    d, ca, (cert, key), _ = csms_ca
    servers = []

    def make(client_certificates):
        context = server_context(cert, key, d / "ca.pem" if client_certificates else None)
        servers.append(Csms(ssl=context).start())
        return servers[-1]

    yield make
    for server in servers:
        server.close()
        assert server.violations == [], "\n".join(server.violations)


def test_enrolment_ends_in_a_reconnect_with_the_new_client_certificate(tls_csms, csms_ca, evc):
    d, ca, _, (client_pem, client_key, factory) = csms_ca
    csms = tls_csms(client_certificates=True)
    args = ["--ca", d / "ca.pem", "--cert", client_pem, "--key", client_key, "--security-profile", 3]
    run = evc().start(csms.url, *args, log="debug")
    csms.wait_registered()
    first = csms.connection()
    assert x509.load_der_x509_certificate(first.client_cert).serial_number == factory.serial_number

    assert install(csms, ca.pem) == "Accepted"
    csms.policy.sign_certificate = "Accepted"
    since = time.monotonic()
    assert trigger(csms, "SignChargePointCertificate") == "Accepted"
    csr = next_csr(csms, since)
    leaf = ca.sign(csr.public_key(), CP)
    assert signed(csms, pki.pem(leaf)) == "Accepted"

    csms.wait(lambda: csms.connection().number > first.number and not csms.connection().closed,
              timeout=60, what="the reconnect that presents the new certificate")
    presented = x509.load_der_x509_certificate(csms.connection().client_cert)
    assert presented.serial_number == leaf.serial_number
    assert pki.public_point(presented.public_key()) == pki.public_point(csr.public_key())
    assert first.closed
    assert len(csms.payloads("BootNotification")) == 1, "a reconnect, not a reboot"
    answer = compact(csms.call(CP, call.GetConfiguration(key=["SecurityProfile"])))
    assert answer["configurationKey"][0]["value"] == "3"

    # The certificate and its key are durable: the next run presents them, not the factory's.
    run.stop()
    second = evc("again").start(csms.url, *args, state_dir=run.state_dir, log="debug")
    csms.wait_for("BootNotification", count=2)
    again = x509.load_der_x509_certificate(csms.connection().client_cert)
    assert again.serial_number == leaf.serial_number
    second.stop()
    # The key went into TLS twice and is nowhere else than the state.
    found = pki.keys_in_state(run.state_dir, {"certified": csr.public_key()})
    for r in (run, second):
        pki.assert_keys_absent(found, pki.runner_texts(r, csms), public=[ca.cert])


def test_a_raise_to_profile_3_that_cannot_connect_falls_back_to_2(tls_csms, csms_ca, evc):
    """The CSMS wants Basic auth (profile 2) and refuses a handshake without it, which
    profile 3 does not send: after the engine's failed attempts the box goes back to 2."""
    d, ca, *_ = csms_ca
    csms = tls_csms(client_certificates=False)
    csms.policy.password = KEY
    run = evc().start(csms.url, "--ca", d / "ca.pem", "--auth-key", KEY, "--security-profile", 2)
    csms.wait_registered()
    first = csms.connection()
    change = lambda: csms.call(CP, call.ChangeConfiguration(key="SecurityProfile", value="3"))["status"]
    assert change() == "Rejected", "profile 2-3 needs a CentralSystemRootCertificate installed first"
    assert install(csms, ca.pem) == "Accepted"
    since = time.monotonic()
    assert change() == "Accepted"
    csms.wait_for("SecurityEventNotification", since=since,
                  where=lambda p: p["type"] == "ReconfigurationOfSecurityParameters"
                  and "raised from 2 to 3" in p.get("techInfo", ""))
    (event,) = csms.wait_for("SecurityEventNotification", since=since, timeout=120,
                             where=lambda p: p["type"] == "ReconfigurationOfSecurityParameters"
                             and "back to 2" in p.get("techInfo", ""))
    refused = [h for p, h in csms.handshakes[1:] if "authorization" not in h]
    assert len(refused) >= 1, "profile 3 was tried (no Basic auth) before the fall-back"
    assert csms.connection().number > first.number and csms.connection().authorization is not None
    answer = compact(csms.call(CP, call.GetConfiguration(key=["SecurityProfile"])))
    assert answer["configurationKey"][0]["value"] == "2"
    assert run.running()


def switch_server_certificate(csms, ca, directory):
    """The CSMS goes down and comes back on the same port with a server certificate of `ca`."""
    directory.mkdir(parents=True, exist_ok=True)
    csms.stop()
    csms.ssl = server_context(*pki.write_server_files(ca, directory))
    csms.start()


def test_the_box_trusts_the_root_the_csms_installed(tls_csms, csms_ca, evc, tmp_path):
    """The runner starts trusting the factory CA (--ca); the CSMS installs a new root and
    moves to a server certificate under it: the box reconnects, trusting that root."""
    d, *_ = csms_ca
    csms = tls_csms(client_certificates=False)
    csms.policy.password = KEY
    evc().start(csms.url, "--ca", d / "ca.pem", "--auth-key", KEY, "--security-profile", 2)
    csms.wait_registered()
    first = csms.connection()
    new_root = pki.make_ca("renewed CSMS root")
    assert install(csms, new_root.pem) == "Accepted"
    switch_server_certificate(csms, new_root, tmp_path / "renewed")
    csms.wait(lambda: csms.connection().number > first.number and not csms.connection().closed,
              timeout=60, what="a connection to the server under the installed root")
    assert len(csms.payloads("BootNotification")) == 1


def test_a_server_certificate_that_does_not_verify_is_refused_and_the_box_comes_back(tls_csms, csms_ca, evc,
                                                                                     tmp_path):
    """The whitepaper's InvalidCentralSystemCertificate event is not one of the product's
    six (contract): the refused server certificate is in the runner's output, the box
    reconnects to the genuine server and sends no event beyond the contract."""
    d, ca, *_ = csms_ca
    csms = tls_csms(client_certificates=False)
    csms.policy.password = KEY
    run = evc().start(csms.url, "--ca", d / "ca.pem", "--auth-key", KEY, "--security-profile", 2)
    csms.wait_registered()
    first = csms.connection()
    switch_server_certificate(csms, pki.make_ca("an impostor"), tmp_path / "impostor")
    csms.wait(lambda: "certificate" in run.err().lower() and first.closed, timeout=60,
              what="a refused server certificate")
    since = time.monotonic()
    switch_server_certificate(csms, ca, tmp_path / "genuine")
    csms.wait(lambda: csms.connection().number > first.number and not csms.connection().closed,
              timeout=60, what="the reconnect to the genuine server")
    assert trigger(csms, "Heartbeat") == "Accepted"
    csms.wait_for("Heartbeat", since=since, timeout=15)
    only_contract_events(csms)


# ---- the configuration keys of the whitepaper's certificates ---------------------------

CERTIFICATE_KEYS = ["AdditionalRootCertificateCheck", "CertificateStoreMaxLength", "CpoName", "SecurityProfile"]


def certificate_keys(csms):
    answer = compact(csms.call(CP, call.GetConfiguration(key=CERTIFICATE_KEYS)))
    assert "unknownKey" not in answer, answer
    return {kv["key"]: (kv["readonly"], kv.get("value")) for kv in answer["configurationKey"]}


def test_the_certificate_configuration_keys_are_there(shared):
    keys = certificate_keys(shared)
    assert keys["CertificateStoreMaxLength"][1] == "1", "one root is kept"
    assert keys["CpoName"][0] is False and keys["SecurityProfile"][0] is False


def test_the_certificate_keys_take_only_the_contracts_values(shared):
    """The product contract: AdditionalRootCertificateCheck 0 (range "0"),
    CertificateStoreMaxLength 1 (range "1"); any other value is Rejected."""
    keys = certificate_keys(shared)
    assert keys["AdditionalRootCertificateCheck"][1] == "0"
    assert keys["CertificateStoreMaxLength"][1] == "1"
    for key, bad in [("AdditionalRootCertificateCheck", "1"), ("CertificateStoreMaxLength", "2")]:
        answer = shared.call(CP, call.ChangeConfiguration(key=key, value=bad))
        assert answer["status"] == "Rejected", (key, answer)
    assert certificate_keys(shared)["CertificateStoreMaxLength"][1] == "1"
