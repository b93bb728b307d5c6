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
"""

import asyncio
import base64
import itertools
import json
import logging
import sys
from datetime import datetime, timezone
from http import HTTPStatus

import websockets
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


def record(cp, action, payload):
    with open(LOG, "a") as f:
        f.write(json.dumps({"cp": cp, "action": action, "payload": payload}) + "\n")


def now():
    return datetime.now(timezone.utc).isoformat()


class ChargePoint(Cp):
    def log(self, action, payload):
        record(self.id, action, payload)

    async def route_message(self, raw_msg):
        self.heard.set()
        msg = json.loads(raw_msg)
        if isinstance(msg, list) and len(msg) == 4 and msg[0] == 2 and msg[2] == "BootNotification":
            self.log("BootNotificationId", {"id": msg[1]})
        return await super().route_message(raw_msg)

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
    async with websockets.serve(handler, "127.0.0.1", PORT, subprotocols=["ocpp1.6"], process_request=check_auth):
        print(f"csms: listening on ws://127.0.0.1:{PORT}/", flush=True)
        await asyncio.Future()


asyncio.run(main())
