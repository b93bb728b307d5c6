"""An independent CSMS for the browser tests, written with the PyPI `ocpp` package
(which validates every payload against the official OCPP 1.6 schemas).

    python tests/web/csms.py PORT LOGFILE

Accepts every charge point at ws://127.0.0.1:PORT/<id> with subprotocol ocpp1.6,
accepts boots and cards, numbers transactions, and appends one JSON line per received
request to LOGFILE ({"cp": id, "action": ..., "payload": {...}}; a BootNotification's
message id is logged as "BootNotificationId"). As a CSMS under test would, it also sends
requests: after a boot it sets MeterValueSampleInterval to 10 s, and after the second
MeterValues of transaction 1 it stops that transaction remotely (the answers are logged
as "<Action>Answer").

Two charge point ids get a scenario of their own:

- an id containing "KEY": after the first boot the CSMS changes AuthorizationKey to
  NEW_KEY, then raises SecurityProfile to 1. From then on a handshake without an
  Authorization header is answered 401 with `WWW-Authenticate: Basic` (a browser presents
  URL credentials only after that), and one with the header is logged as "AuthHeader"
  ({"user": ..., "key_matches": ...}) and let in only with the new key.
- an id containing "RESET": on each of its first RESET_CYCLES connections (logged as
  "Connected"), once the box has said something, the CSMS either resets the box (Reset
  Soft: the box closes the socket and boots again) or closes the socket itself (the box
  reconnects), alternately.
- an id containing "FW": after its first boot the CSMS sends UpdateFirmware for
  www/firmware/evc-1.13.0.fw, served by one of two HTTP file servers the CSMS runs on
  127.0.0.1 (logged at start as "FileServers": {"cors": URL, "plain": URL}): the one
  that sends `Access-Control-Allow-Origin: *`, or, for an id containing "NOCORS", the
  one that sends no CORS header. Once the update ended (Installed, DownloadFailed, ...)
  it sends GetDiagnostics to the same server's /upload/. The file servers log every
  request ("FileRequest": method, path) and every POSTed multipart part ("Upload":
  field, filename, size, the first 300 characters). FirmwareStatusNotification and
  DiagnosticsStatusNotification are logged as they come.
- an id containing "CERT": after its first boot the CSMS installs its own P-256 root CA
  (made with PyPI `cryptography` at start; "CaCertificate": subject, serial, the SHA-256
  of its issuer Name's DER) with
  InstallCertificate, asks GetInstalledCertificateIds, then sends ExtendedTriggerMessage
  SignChargePointCertificate (each answer logged as "<Action>Answer"). It checks the
  SignCertificate's CSR ("CsrChecked": signature_valid, cn, the PEM) and answers Accepted
  when the signature is valid and CN is the charge point id; 3 s later (so the page can
  show the pending CSR) it sends CertificateSigned with a leaf for the CSR's key, signed
  by its CA.
- an id containing "MISTAKE": after its first boot the CSMS makes every kind of mistake
  the box reports, on purpose, with raw frames (logged as "MistakeSent": kind, id): a
  frame that is not OCPP-J, a ChangeAvailability whose connectorId is a string, a CALL
  of an action OCPP 1.6 does not have, a CALLRESULT for an id the box never used, a
  RemoteStopTransaction of a transaction that does not exist; then it triggers three
  Heartbeats and answers the first with a payload of the wrong shape, the second with a
  CALLERROR and the third not at all (the box's CALL times out). The box's answers to
  these raw CALLs are logged as "MistakeAnswer".
- an id containing "HOLD": when the box sends DataTransfer (vendorId "Teltonika",
  messageId "hold-ready"; expert mode's composer sends it once the page holds the CSMS's
  CALLs) the CSMS answers Accepted and sends four CALLs at once, raw and without waiting
  (logged as "HoldSent": id, action): hold-a GetConfiguration HeartbeatInterval, hold-b
  DataTransfer, hold-c ChangeConfiguration HeartbeatInterval=120, hold-d ClearCache.
  Each answer is logged as "HoldAnswer" (id, the frame, ms after it was sent); 12 s
  after sending, each CALL still unanswered is logged as "HoldTimeout".

SecurityEventNotifications are logged as they come.
"""

import asyncio
import base64
import email.parser
import email.policy
import hashlib
import http.server
import itertools
import json
import logging
import pathlib
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from http import HTTPStatus

import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as Cp
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus, ResetType

PORT, LOG = int(sys.argv[1]), sys.argv[2]
NEW_KEY = "CSMS-set-key-0123456789abcdefABCDEF"
RESET_CYCLES = 30
ids = itertools.count(1)
# Charge point id -> the key its handshakes must carry (after SecurityProfile 1).
required_key = {}
connections = {}
FIRMWARE = pathlib.Path(__file__).resolve().parents[2] / "www" / "firmware"
# "cors" / "plain" -> the file server's base URL.
files = {}
# Charge points the CSMS already sent an UpdateFirmware.
updating = set()
# Charge points the CSMS already gave its root CA.
certifying = set()
mistaken = set()


def make_ca():
    """A P-256 root CA, valid from yesterday for ten years."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "csms.py Test Root CA"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "EVC Playground Test CSMS")])
    start = datetime.now(timezone.utc) - timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


CA_KEY, CA = make_ca()


def sign_leaf(csr):
    """A certificate for the CSR's subject and key, signed by the CA, valid for a year."""
    start = datetime.now(timezone.utc) - timedelta(days=1)
    return (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(CA.subject)
            .public_key(csr.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(CA_KEY, hashes.SHA256()))


def record(cp, action, payload):
    with open(LOG, "a") as f:
        f.write(json.dumps({"cp": cp, "action": action, "payload": payload}) + "\n")


def now():
    return datetime.now(timezone.utc).isoformat()


class FileServer(http.server.BaseHTTPRequestHandler):
    """Serves www/firmware/ (by file name) and takes multipart POSTs."""

    cors = False

    def log_message(self, *args):
        pass

    def start(self, status, length, kind="application/octet-stream"):
        self.send_response(status)
        if self.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def serve(self, body):
        record("-", "FileRequest", {"cors": self.cors, "method": self.command, "path": self.path})
        path = FIRMWARE / self.path.rstrip("/").rsplit("/", 1)[-1]
        if not path.is_file():
            self.start(404, 0, "text/plain")
            return
        data = path.read_bytes()
        self.start(200, len(data))
        if body:
            self.wfile.write(data)

    def do_GET(self):
        self.serve(True)

    def do_HEAD(self):
        self.serve(False)

    def do_POST(self):
        record("-", "FileRequest", {"cors": self.cors, "method": "POST", "path": self.path})
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        head = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + data)
        for part in message.iter_parts() if message.is_multipart() else []:
            content = part.get_payload(decode=True) or b""
            record("-", "Upload", {
                "cors": self.cors,
                "field": part.get_param("name", header="content-disposition"),
                "filename": part.get_filename(),
                "size": len(content),
                "head": content[:300].decode(errors="replace"),
            })
        self.start(201, 0, "text/plain")


def file_servers():
    for name, cors in (("cors", True), ("plain", False)):
        handler = type(f"FileServer_{name}", (FileServer,), {"cors": cors})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        files[name] = f"http://127.0.0.1:{server.server_address[1]}/"
        threading.Thread(target=server.serve_forever, daemon=True).start()
    record("-", "FileServers", files)


class ChargePoint(Cp):
    def log(self, action, payload):
        record(self.id, action, payload)

    async def route_message(self, raw_msg):
        self.heard.set()
        msg = json.loads(raw_msg)
        if isinstance(msg, list) and len(msg) == 4 and msg[0] == 2 and msg[2] == "BootNotification":
            self.log("BootNotificationId", {"id": msg[1]})
        if "HOLD" in self.id and isinstance(msg, list) and msg[0] in (3, 4) and str(msg[1]) in self.hold_sent:
            sent = self.hold_sent.pop(str(msg[1]))
            self.log("HoldAnswer", {"id": msg[1], "frame": msg, "after_ms": int((time.monotonic() - sent) * 1000)})
            return None
        if "HOLD" in self.id and isinstance(msg, list) and len(msg) == 4 and msg[0] == 2 \
                and msg[2] == "DataTransfer" and msg[3].get("messageId") == "hold-ready":
            await self._connection.send(json.dumps([3, msg[1], {"status": "Accepted"}]))
            asyncio.ensure_future(self.send_held_calls())
            return None
        if "MISTAKE" in self.id:
            if isinstance(msg, list) and msg[0] in (3, 4) and str(msg[1]).startswith("mk-"):
                self.log("MistakeAnswer", {"frame": msg})
                return None
            if isinstance(msg, list) and msg[0] == 2 and msg[2] == "Heartbeat" and self.heartbeats < 3:
                self.heartbeats += 1
                if self.heartbeats == 1:
                    await self.mistake("wrong-answer-shape", msg[1], [3, msg[1], {"time": "now"}])
                elif self.heartbeats == 2:
                    await self.mistake("error-answer", msg[1], [4, msg[1], "GenericError", "on purpose", {}])
                else:
                    self.log("MistakeSent", {"kind": "answer-timeout", "id": msg[1]})
                return None
        return await super().route_message(raw_msg)

    async def send_held_calls(self):
        """Four CALLs at once for the page to hold; unanswered ones time out after 12 s."""
        calls = [
            ("hold-a", "GetConfiguration", {"key": ["HeartbeatInterval"]}),
            ("hold-b", "DataTransfer", {"vendorId": "hold", "messageId": "by-hand"}),
            ("hold-c", "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "120"}),
            ("hold-d", "ClearCache", {}),
        ]
        for mid, action, payload in calls:
            self.hold_sent[mid] = time.monotonic()
            self.log("HoldSent", {"id": mid, "action": action})
            await self._connection.send(json.dumps([2, mid, action, payload]))
        await asyncio.sleep(12)
        for mid in list(self.hold_sent):
            self.hold_sent.pop(mid)
            self.log("HoldTimeout", {"id": mid})

    async def mistake(self, kind, mid, frame):
        """Sends one mistake, raw (a frame the `ocpp` package would not let through)."""
        self.log("MistakeSent", {"kind": kind, "id": mid})
        await self._connection.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def make_mistakes(self):
        await self.mistake("malformed-frame", None, "this is not an OCPP-J frame")
        await self.mistake("schema-violation", "mk-schema",
                           [2, "mk-schema", "ChangeAvailability", {"connectorId": "one", "type": "Inoperative"}])
        await self.mistake("unsupported-call", "mk-coffee", [2, "mk-coffee", "MakeCoffee", {}])
        await self.mistake("unknown-or-late-answer", "mk-nobody", [3, "mk-nobody", {}])
        await self.mistake("senseless-request", "mk-stop", [2, "mk-stop", "RemoteStopTransaction", {"transactionId": 999}])
        for n in range(3):
            await asyncio.sleep(1)
            await self._connection.send(json.dumps([2, f"mk-trigger-{n}", "TriggerMessage", {"requestedMessage": "Heartbeat"}]))

    @on(Action.boot_notification)
    def on_boot(self, **kw):
        self.log("BootNotification", kw)
        return call_result.BootNotification(current_time=now(), interval=300, status=RegistrationStatus.accepted)

    @after(Action.boot_notification)
    async def after_boot(self, **kw):
        answer = await self.call(call.ChangeConfiguration(key="MeterValueSampleInterval", value="10"))
        self.log("ChangeConfigurationAnswer", {"status": answer.status})
        if "KEY" in self.id and self.id not in required_key:
            answer = await self.call(call.ChangeConfiguration(key="AuthorizationKey", value=NEW_KEY))
            self.log("AuthorizationKeyAnswer", {"status": answer.status})
            answer = await self.call(call.ChangeConfiguration(key="SecurityProfile", value="1"))
            self.log("SecurityProfileAnswer", {"status": answer.status})
            if answer.status == "Accepted":
                required_key[self.id] = NEW_KEY
        if "FW" in self.id and self.id not in updating:
            updating.add(self.id)
            base = files["plain" if "NOCORS" in self.id else "cors"]
            await self.call(call.UpdateFirmware(location=base + "firmware/evc-1.13.0.fw", retrieve_date=now()))
            self.log("UpdateFirmwareSent", {"location": base + "firmware/evc-1.13.0.fw"})
        if "MISTAKE" in self.id and self.id not in mistaken:
            mistaken.add(self.id)
            await self.make_mistakes()
        if "CERT" in self.id and self.id not in certifying:
            certifying.add(self.id)
            pem = CA.public_bytes(serialization.Encoding.PEM).decode()
            answer = await self.call(call.InstallCertificate(certificate_type="CentralSystemRootCertificate", certificate=pem))
            self.log("InstallCertificateAnswer", {"status": answer.status})
            answer = await self.call(call.GetInstalledCertificateIds(certificate_type="CentralSystemRootCertificate"))
            self.log("GetInstalledCertificateIdsAnswer", {"status": answer.status, "certificate_hash_data": answer.certificate_hash_data})
            answer = await self.call(call.ExtendedTriggerMessage(requested_message="SignChargePointCertificate"))
            self.log("ExtendedTriggerMessageAnswer", {"status": answer.status})

    def check_csr(self, pem):
        """Whether the CSR's signature is valid and its CN is this charge point's id."""
        try:
            csr = x509.load_pem_x509_csr(pem.encode())
            valid = csr.is_signature_valid
            cn = [a.value for a in csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        except ValueError as e:
            self.log("CsrChecked", {"signature_valid": False, "error": str(e), "csr": pem})
            return None
        self.log("CsrChecked", {"signature_valid": valid, "cn": cn, "subject": csr.subject.rfc4514_string(), "csr": pem})
        return csr if valid and cn == [self.id] else None

    @on(Action.sign_certificate)
    def on_sign_certificate(self, csr, **kw):
        self.csr = self.check_csr(csr)
        return call_result.SignCertificate(status="Accepted" if self.csr else "Rejected")

    @after(Action.sign_certificate)
    async def after_sign_certificate(self, **kw):
        if self.csr is None:
            return
        await asyncio.sleep(3)
        leaf = sign_leaf(self.csr)
        self.log("LeafCertificate", {"subject": leaf.subject.rfc4514_string(), "serial": format(leaf.serial_number, "x")})
        answer = await self.call(call.CertificateSigned(certificate_chain=leaf.public_bytes(serialization.Encoding.PEM).decode()))
        self.log("CertificateSignedAnswer", {"status": answer.status})

    @on(Action.security_event_notification)
    def on_security_event(self, **kw):
        self.log("SecurityEventNotification", kw)
        return call_result.SecurityEventNotification()

    @on(Action.firmware_status_notification)
    def on_firmware_status(self, **kw):
        self.log("FirmwareStatusNotification", kw)
        return call_result.FirmwareStatusNotification()

    @after(Action.firmware_status_notification)
    async def after_firmware_status(self, **kw):
        if kw["status"] in ("Installed", "DownloadFailed", "InstallationFailed"):
            base = files["plain" if "NOCORS" in self.id else "cors"]
            answer = await self.call(call.GetDiagnostics(location=base + "upload/"))
            self.log("GetDiagnosticsAnswer", {"file_name": answer.file_name})

    @on(Action.diagnostics_status_notification)
    def on_diagnostics_status(self, **kw):
        self.log("DiagnosticsStatusNotification", kw)
        return call_result.DiagnosticsStatusNotification()

    async def cycle(self, n):
        """Resets the box or closes its socket, once it has said something."""
        await self.heard.wait()
        await asyncio.sleep(0.3)
        if n % 2:
            answer = await self.call(call.Reset(type=ResetType.soft))
            self.log("ResetAnswer", {"status": answer.status})
            if answer.status == "Accepted":
                return
        self.log("ClosedByCsms", {})
        await self._connection.close()

    @on(Action.heartbeat)
    def on_heartbeat(self, **kw):
        return call_result.Heartbeat(current_time=now())

    @on(Action.status_notification)
    def on_status(self, **kw):
        self.log("StatusNotification", kw)
        return call_result.StatusNotification()

    @on(Action.log_status_notification)
    def on_log_status(self, **kw):
        self.log("LogStatusNotification", kw)
        return call_result.LogStatusNotification()

    @on(Action.authorize)
    def on_authorize(self, **kw):
        self.log("Authorize", kw)
        return call_result.Authorize(id_tag_info={"status": AuthorizationStatus.accepted})

    @on(Action.start_transaction)
    def on_start_transaction(self, **kw):
        self.log("StartTransaction", kw)
        return call_result.StartTransaction(transaction_id=next(ids), id_tag_info={"status": AuthorizationStatus.accepted})

    @on(Action.stop_transaction)
    def on_stop_transaction(self, **kw):
        self.log("StopTransaction", kw)
        return call_result.StopTransaction()

    @on(Action.meter_values)
    def on_meter_values(self, **kw):
        self.log("MeterValues", kw)
        return call_result.MeterValues()

    @after(Action.meter_values)
    async def after_meter_values(self, **kw):
        self.samples = getattr(self, "samples", 0) + (kw.get("transaction_id") == 1)
        if self.samples == 2:
            answer = await self.call(call.RemoteStopTransaction(transaction_id=1))
            self.log("RemoteStopTransactionAnswer", {"status": answer.status})


def unauthorized(connection):
    response = connection.respond(HTTPStatus.UNAUTHORIZED, "Basic auth required\n")
    response.headers["WWW-Authenticate"] = 'Basic realm="ocpp"'
    return response


def check_auth(connection, request):
    cp = request.path.strip("/")
    key = required_key.get(cp)
    if key is None:
        return None
    header = request.headers.get("Authorization")
    if header is None:
        record(cp, "Unauthorized", {})
        return unauthorized(connection)
    user, key_matches = None, False
    if header.startswith("Basic "):
        try:
            user, _, sent = base64.b64decode(header[6:]).decode().partition(":")
            key_matches = user == cp and sent == key
        except ValueError:
            pass
    record(cp, "AuthHeader", {"user": user, "key_matches": key_matches})
    return None if key_matches else unauthorized(connection)


async def handler(ws):
    cp = ChargePoint(ws.request.path.strip("/"), ws)
    cp.heard = asyncio.Event()
    cp.heartbeats = 0
    cp.hold_sent = {}
    n = connections[cp.id] = connections.get(cp.id, 0) + 1
    record(cp.id, "Connected", {"n": n})
    if "RESET" in cp.id and n <= RESET_CYCLES:
        asyncio.ensure_future(cp.cycle(n))
    try:
        await cp.start()
    except websockets.exceptions.ConnectionClosed:
        pass


async def main():
    logging.basicConfig(level=logging.WARNING)
    file_servers()
    record("-", "CaCertificate", {"subject": CA.subject.rfc4514_string(), "serial": format(CA.serial_number, "x"),
                                  "issuer_name_hash": hashlib.sha256(CA.issuer.public_bytes()).hexdigest()})
    async with websockets.serve(handler, "127.0.0.1", PORT, subprotocols=["ocpp1.6"], process_request=check_auth):
        print(f"csms: listening on ws://127.0.0.1:{PORT}/", flush=True)
        await asyncio.Future()


asyncio.run(main())
