"""wss://: security profile 2 (Basic auth over TLS, the CSMS's CA given with --ca) and
profile 3 (a client certificate with --cert/--key). Certificates are made with the
openssl command for each run."""

import base64
import shutil
import ssl
import subprocess

import pytest
from ocpp.v16 import call

from .csms import Csms, compact

KEY = "0123456789abcdef0123456789abcdef"

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A CA, a server certificate for 127.0.0.1 and a client certificate for CP0000."""
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=e2e test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    for name, cn, ext in (("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"),
                          ("client", "CP0000", "extendedKeyUsage=clientAuth\n")):
        (d / f"{name}.ext").write_text(ext + "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n")
        openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", f"{name}.pem", "-days", "2", "-extfile", f"{name}.ext", cwd=d)
    return d


def tls_csms(pki, client_certificates):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(pki / "server.pem", pki / "server.key")
    if client_certificates:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(pki / "ca.pem")
    return Csms(ssl=context).start()


@pytest.fixture
def tls(pki):
    servers = []

    def make(client_certificates=False):
        servers.append(tls_csms(pki, client_certificates))
        return servers[-1]

    yield make
    for server in servers:
        server.close()
        assert server.violations == [], "\n".join(server.violations)


def security_profile(csms):
    answer = compact(csms.call("CP0000", call.GetConfiguration(key=["SecurityProfile"])))
    return answer["configurationKey"][0]["value"]


def test_profile_2_basic_auth_over_tls(tls, pki, evc):
    csms = tls()
    csms.policy.password = KEY
    run = evc().start(csms.url, "--ca", pki / "ca.pem", "--auth-key", KEY, "--security-profile", 2)
    csms.wait_registered()
    conn = csms.connection()
    assert conn.authorization == "Basic " + base64.b64encode(f"CP0000:{KEY}".encode()).decode()
    assert security_profile(csms) == "2"
    run.stop()
    assert csms.closed_cleanly(conn)


def test_profile_3_client_certificate(tls, pki, evc):
    csms = tls(client_certificates=True)
    run = evc().start(csms.url, "--ca", pki / "ca.pem", "--cert", pki / "client.pem", "--key", pki / "client.key",
                      "--security-profile", 3)
    csms.wait_registered()
    assert csms.connection().client_cn == "CP0000"
    assert security_profile(csms) == "3"
    run.stop()


def test_an_unknown_server_certificate_is_refused(tls, evc):
    csms = tls()
    run = evc().start(csms.url)
    assert run.wait_exit(30) == 3, run.describe()
    assert "certificate" in run.err().lower()
    assert csms.connections == []


def test_a_missing_client_certificate_is_refused(tls, pki, evc):
    csms = tls(client_certificates=True)
    run = evc().start(csms.url, "--ca", pki / "ca.pem")
    assert run.wait_exit(30) == 3, run.describe()
    assert csms.connections == []
