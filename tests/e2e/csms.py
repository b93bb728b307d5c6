"""The independent CSMS of the end-to-end suite, written with the PyPI `ocpp` package.

It runs on its own asyncio loop in a background thread, so that tests stay plain
synchronous code: they start it, point `evc run` at `csms.url`, wait for frames and send
requests. It records every frame in both directions and holds each frame from a charge
point to the rules below; every breach lands in `csms.violations`, which the `csms`
fixture requires to be empty at the end of each test:

- the frame is a JSON array CALL / CALLRESULT / CALLERROR of the right shape, with a
  string message id of at most 36 characters, unique per connection for CALLs;
- a CALL is an action a charge point may send, its payload valid against the official
  OCPP 1.6 schema with strict RFC 3339 date-times (`schemas.py`), and it is a
  BootNotification unless the charge point is registered (Accepted);
- a CALLRESULT answers a CALL of ours and is valid against that action's response
  schema; a CALLERROR answers a CALL of ours and uses an OCPP 1.6 error code;
- the `ocpp` package's own handling raised no error (it validates with the same strict
  validators) and the CSMS never had to answer with a CALLERROR (but those a test asks
  for with `Policy.fail`).
"""

import asyncio
import base64
import itertools
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import unquote

import websockets
from ocpp.exceptions import InternalError, OCPPError
from ocpp.routing import on
from ocpp.v16 import ChargePoint as OcppChargePoint
from ocpp.v16 import call_result
from websockets.asyncio.server import serve
from websockets.protocol import State

from . import schemas

# Every problem the ocpp package logs is also recorded as a violation, with the frame.
logging.getLogger("ocpp").setLevel(logging.CRITICAL)

ERROR_CODES_16 = {
    "NotImplemented", "NotSupported", "InternalError", "ProtocolError", "SecurityError",
    "FormationViolation", "PropertyConstraintViolation", "OccurenceConstraintViolation",
    "TypeConstraintViolation", "GenericError",
}
# What a charge point sends. SignedFirmwareStatusNotification is not supported by the product.
CP_ACTIONS = {
    "Authorize", "BootNotification", "DataTransfer", "DiagnosticsStatusNotification",
    "FirmwareStatusNotification", "Heartbeat", "MeterValues", "StartTransaction",
    "StatusNotification", "StopTransaction", "LogStatusNotification",
    "SecurityEventNotification", "SignCertificate",
}


def now(offset=0.0):
    at = datetime.fromtimestamp(time.time() + offset, timezone.utc)
    return at.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def compact(payload):
    """The payload without optional arrays left empty (`"unknownKey": []` means none)."""
    return {k: v for k, v in payload.items() if v != []}


class CallErrorReceived(Exception):
    def __init__(self, code, description):
        super().__init__(f"{code}: {description}")
        self.code, self.description = code, description


@dataclass
class Frame:
    cp: str
    conn: int
    incoming: bool  # sent by the charge point
    text: str
    msg: object  # the parsed JSON (None if it is not JSON)
    at: float  # time.monotonic()
    action: str = None  # for results and errors: the action of the CALL they answer

    @property
    def type(self):
        return self.msg[0] if isinstance(self.msg, list) and self.msg else None

    @property
    def id(self):
        return self.msg[1] if isinstance(self.msg, list) and len(self.msg) > 1 else None

    @property
    def payload(self):
        if self.type == 2:
            return self.msg[3]
        if self.type == 3:
            return self.msg[2]
        return None


@dataclass
class Policy:
    """How the CSMS answers; tests change it at any time."""
    boot: list = field(default_factory=lambda: ["Accepted"])  # answers in turn; the last repeats
    interval: int = 3600  # BootNotification interval
    tags: dict = field(default_factory=dict)  # idTag -> status (default Accepted)
    http_status: int = None  # refuse every handshake with this HTTP status
    password: str = None  # require HTTP Basic auth: user = charge point id, this password
    subprotocol: bool = True  # agree to ocpp1.6
    fail: dict = field(default_factory=dict)  # action -> how many of its next CALLs get a CALLERROR
    hold: set = field(default_factory=set)  # actions whose answers wait while they are in here
    sign_certificate: str = "Rejected"  # the answer to SignCertificate
    clock_offset: float = 0.0  # seconds added to the currentTime of Boot/Heartbeat answers
    delay: float = 0.0  # seconds every CALL waits before it is answered (a slow CSMS)


@dataclass
class Connection:
    cp: str
    number: int
    path: str
    subprotocol: str
    offered: str
    authorization: str
    client_cn: str = None  # common name of the client certificate (TLS)
    client_cert: bytes = None  # the client certificate as DER (TLS)
    closed: bool = False
    close_frame_from_cp: bool = None  # the charge point sent (or answered) a close frame
    close_code: int = None


class _ChargePoint(OcppChargePoint):
    """One connection, as the `ocpp` package sees it, with recording and checks."""

    def __init__(self, cp_id, ws, csms, conn):
        super().__init__(cp_id, ws, response_timeout=30)
        self.csms, self.conn = csms, conn
        self.waiters = {}  # message id -> Future of the answer to a raw send
        self.seen_ids = set()

    async def route_message(self, raw_msg):
        frame = self.csms._record(self, raw_msg, incoming=True)
        answers = frame.type in (3, 4) and isinstance(frame.id, str)
        waiter = self.waiters.pop(frame.id, None) if answers else None
        if waiter is not None:
            if not waiter.done():
                waiter.set_result(frame)
            return
        if frame.type == 2 and self.csms.policy.delay > 0:
            await asyncio.sleep(self.csms.policy.delay)
        await super().route_message(raw_msg)

    async def _handle_call(self, msg):
        try:
            return await super()._handle_call(msg)
        except OCPPError as e:
            self.csms.violation(f"{self.id}: the ocpp package refused {msg.action}: {e!r}")
            raise

    async def _send(self, message):
        self.csms._record(self, message, incoming=False)
        await super()._send(message)

    async def send_raw(self, text, reply_id, timeout):
        """Sends `text` as it is; waits for the frame answering `reply_id` unless it is None."""
        future = asyncio.get_running_loop().create_future()
        if reply_id is not None:
            self.waiters[reply_id] = future
        try:
            self.csms._record(self, text, incoming=False, raw=True)
            await self._connection.send(text)
            if reply_id is not None:
                return await asyncio.wait_for(future, timeout)
        finally:
            self.waiters.pop(reply_id, None)

    async def _policy(self, action):
        """Applies Policy.hold and Policy.fail to a CALL of `action`."""
        policy = self.csms.policy
        while action in policy.hold and self._connection.state is State.OPEN:
            await asyncio.sleep(0.02)
        if policy.fail.get(action, 0) > 0:
            policy.fail[action] -= 1
            self.csms.intended_errors += 1
            raise InternalError(description=f"the test CSMS fails this {action} on purpose")

    # ---- what a charge point sends ----------------------------------------------------

    @on("BootNotification")
    def on_boot(self, **kw):
        status = self.csms._next_boot()
        self.csms.registration[self.id] = status
        return call_result.BootNotification(current_time=now(self.csms.policy.clock_offset), interval=self.csms.policy.interval,
                                            status=status)

    @on("Heartbeat")
    def on_heartbeat(self, **kw):
        return call_result.Heartbeat(current_time=now(self.csms.policy.clock_offset))

    @on("StatusNotification")
    def on_status(self, **kw):
        return call_result.StatusNotification()

    @on("Authorize")
    async def on_authorize(self, id_tag, **kw):
        await self._policy("Authorize")
        return call_result.Authorize(id_tag_info={"status": self.csms.policy.tags.get(id_tag, "Accepted")})

    @on("StartTransaction")
    async def on_start(self, id_tag, connector_id, meter_start, timestamp, **kw):
        await self._policy("StartTransaction")
        status = self.csms.policy.tags.get(id_tag, "Accepted")
        # A StartTransaction sent again (its answer was lost) gets the same id.
        key = (self.id, connector_id, id_tag, meter_start, timestamp)
        if key not in self.csms.started:
            self.csms.started[key] = next(self.csms.transaction_ids)
        return call_result.StartTransaction(transaction_id=self.csms.started[key],
                                            id_tag_info={"status": status})

    @on("StopTransaction")
    async def on_stop(self, id_tag=None, **kw):
        await self._policy("StopTransaction")
        if id_tag is None:
            return call_result.StopTransaction()
        return call_result.StopTransaction(id_tag_info={"status": self.csms.policy.tags.get(id_tag, "Accepted")})

    @on("MeterValues")
    async def on_meter_values(self, **kw):
        await self._policy("MeterValues")
        return call_result.MeterValues()

    @on("DataTransfer")
    def on_data_transfer(self, **kw):
        return call_result.DataTransfer(status="UnknownVendorId")

    @on("DiagnosticsStatusNotification")
    def on_diagnostics(self, **kw):
        return call_result.DiagnosticsStatusNotification()

    @on("FirmwareStatusNotification")
    def on_firmware(self, **kw):
        return call_result.FirmwareStatusNotification()

    @on("SecurityEventNotification")
    def on_security_event(self, **kw):
        return call_result.SecurityEventNotification()

    @on("LogStatusNotification")
    def on_log_status(self, **kw):
        return call_result.LogStatusNotification()

    @on("SignCertificate")
    def on_sign_certificate(self, **kw):
        return call_result.SignCertificate(status=self.csms.policy.sign_certificate)


class Csms:
    def __init__(self, port=0, ssl=None):
        self.port = port
        self.ssl = ssl  # an ssl.SSLContext: serve wss://
        self.policy = Policy()
        self.frames = []
        self.violations = []
        self.connections = []
        self.handshakes = []  # (path, headers as a dict) of every HTTP request
        self.registration = {}  # charge point id -> the last BootNotification answer
        self.cps = {}  # charge point id -> its current connection's _ChargePoint
        self.transaction_ids = itertools.count(1001)
        self.started = {}  # (cp, connector, idTag, meterStart, timestamp) -> transaction id
        self.intended_errors = 0  # CALLERRORs Policy.fail asked for, not yet sent
        self._boots = 0
        self._conn_numbers = itertools.count(1)
        self._server = None
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    # ---- lifecycle ------------------------------------------------------------------

    def _run(self, coro, timeout=30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def url(self):
        return f"{'wss' if self.ssl else 'ws'}://127.0.0.1:{self.port}/"

    def start(self):
        async def go():
            protocols = ["ocpp1.6"] if self.policy.subprotocol else None
            return await serve(self._handler, "127.0.0.1", self.port, subprotocols=protocols,
                               process_request=self._process_request, ping_interval=None,
                               max_size=2**22, ssl=self.ssl)
        self._server = self._run(go())
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self):
        """Closes every connection (with a close frame) and stops listening."""
        if self._server is not None:
            server, self._server = self._server, None

            async def go():
                server.close()
                await server.wait_closed()
            self._run(go())

    def close(self):
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)

    # ---- the server -------------------------------------------------------------------

    def _process_request(self, connection, request):
        headers = {k.lower(): v for k, v in request.headers.raw_items()}
        self.handshakes.append((request.path, headers))
        p = self.policy
        if p.http_status:
            response = connection.respond(p.http_status, f"refused with {p.http_status}\n")
            if p.http_status == 401:
                response.headers["WWW-Authenticate"] = 'Basic realm="OCPP"'
            return response
        if p.password is not None:
            cp_id = unquote(request.path.rsplit("/", 1)[-1])
            token = base64.b64encode(f"{cp_id}:{p.password}".encode()).decode()
            if headers.get("authorization") != f"Basic {token}":
                response = connection.respond(401, "bad or missing credentials\n")
                response.headers["WWW-Authenticate"] = 'Basic realm="OCPP"'
                return response
        return None

    async def _handler(self, ws):
        path = ws.request.path
        cp_id = unquote(path.rsplit("/", 1)[-1])
        info = Connection(cp_id, next(self._conn_numbers), path, ws.subprotocol,
                          ws.request.headers.get("Sec-WebSocket-Protocol"),
                          ws.request.headers.get("Authorization"))
        peer = ws.transport.get_extra_info("peercert") or {}
        info.client_cn = dict(x[0] for x in peer.get("subject", ())).get("commonName")
        tls = ws.transport.get_extra_info("ssl_object")
        info.client_cert = tls.getpeercert(binary_form=True) if tls is not None else None
        self.connections.append(info)
        cp = _ChargePoint(cp_id, ws, self, info.number)
        self.cps[cp_id] = cp
        try:
            await cp.start()
        except websockets.ConnectionClosed:
            pass
        finally:
            info.closed = True
            info.close_frame_from_cp = ws.protocol.close_rcvd is not None
            info.close_code = ws.close_code
            for waiter in cp.waiters.values():
                if not waiter.done():
                    waiter.set_exception(ConnectionError(f"{cp_id} disconnected"))

    def _next_boot(self):
        answers = self.policy.boot
        status = answers[min(self._boots, len(answers) - 1)]
        self._boots += 1
        return status

    # ---- recording and checks ---------------------------------------------------------

    def violation(self, text):
        self.violations.append(text)

    def _record(self, cp, text, incoming, raw=False):
        try:
            msg = json.loads(text)
        except ValueError:
            msg = None
        frame = Frame(cp.id, cp.conn, incoming, text, msg, time.monotonic())
        if frame.type == 2 and isinstance(frame.msg[2], str):
            frame.action = frame.msg[2]
        elif frame.type in (3, 4):
            asked = [f for f in self.frames if f.conn == cp.conn and f.incoming != incoming
                     and f.type == 2 and f.id == frame.id]
            frame.action = asked[-1].action if asked else None
        self.frames.append(frame)
        if incoming:
            self._check(cp, frame)
        elif frame.type == 4 and not raw and self.intended_errors > 0:
            self.intended_errors -= 1
        elif frame.type == 4 and not raw:
            self.violation(f"{cp.id}: the CSMS had to answer with a CALLERROR: {text}")
        return frame

    def _check(self, cp, f):
        bad = lambda why: self.violation(f"{cp.id}: {why}: {f.text[:300]}")
        m = f.msg
        if not isinstance(m, list) or not m or m[0] not in (2, 3, 4):
            return bad("not an OCPP-J frame")
        if len(m) != {2: 4, 3: 3, 4: 5}[m[0]]:
            return bad("wrong number of elements")
        if not isinstance(m[1], str) or not 1 <= len(m[1]) <= 36:
            return bad("message id must be a string of 1-36 characters")
        if f.type == 2:
            if not isinstance(m[2], str) or m[2] not in CP_ACTIONS:
                return bad("not an action a charge point sends")
            if m[1] in cp.seen_ids:
                bad("message id used twice on one connection")
            cp.seen_ids.add(m[1])
            if not isinstance(m[3], dict):
                return bad("payload is not an object")
            for e in schemas.errors(m[2], "req", m[3]):
                bad(e)
            if m[2] != "BootNotification" and self.registration.get(cp.id) != "Accepted":
                bad(f"sent while not registered (last boot answer {self.registration.get(cp.id)})")
        elif f.action is None and m[1] not in cp.waiters:
            bad("answers no CALL of ours")
        elif f.type == 3:
            if f.action is None:
                return bad("CALLRESULT to a frame that was not a CALL")
            for e in schemas.errors(f.action, "conf", m[2]):
                bad(e)
        else:
            if m[2] not in ERROR_CODES_16:
                bad("not an OCPP 1.6 error code")
            if not isinstance(m[3], str) or not isinstance(m[4], dict):
                bad("CALLERROR description must be a string, details an object")

    # ---- what tests use ---------------------------------------------------------------

    def calls(self, action=None, cp=None, since=0.0):
        """CALL frames from charge points, oldest first."""
        return [f for f in list(self.frames) if f.incoming and f.type == 2 and f.at >= since
                and (action is None or f.action == action) and (cp is None or f.cp == cp)]

    def payloads(self, action, cp=None, since=0.0):
        return [f.payload for f in self.calls(action, cp, since)]

    def wait(self, condition, timeout=30, what="a condition"):
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                tail = "\n".join(("<- " if f.incoming else "-> ") + f.text[:200] for f in self.frames[-25:])
                raise AssertionError(f"timed out after {timeout} s waiting for {what}; last frames:\n{tail}")
            time.sleep(0.05)

    def wait_for(self, action, cp=None, count=1, where=None, since=0.0, timeout=30):
        """Waits until `count` CALLs of `action` (matching `where(payload)`) arrived;
        returns their payloads."""
        def found():
            hits = [p for p in self.payloads(action, cp, since) if where is None or where(p)]
            return hits if len(hits) >= count else None
        return self.wait(found, timeout, f"{count} x {action}")

    def answers(self, action, cp=None):
        """Payloads of the CSMS's CALLRESULTs to CALLs of `action`, oldest first."""
        return [f.payload for f in list(self.frames) if not f.incoming and f.type == 3
                and f.action == action and (cp is None or f.cp == cp)]

    def statuses(self, cp="CP0000", connector=1, since=0.0):
        """The statuses a connector reported, in order."""
        return [p["status"] for p in self.payloads("StatusNotification", cp, since)
                if p["connectorId"] == connector]

    def wait_status(self, status, cp="CP0000", connector=1, since=0.0, timeout=30):
        self.wait(lambda: status in self.statuses(cp, connector, since), timeout,
                  f"{cp} connector {connector} to report {status}")

    def wait_transaction(self, cp="CP0000", count=1, timeout=30):
        """Waits for the `count`-th StartTransaction to be answered; returns its id."""
        self.wait(lambda: len(self.answers("StartTransaction", cp)) >= count, timeout,
                  f"StartTransaction #{count} of {cp}")
        return self.answers("StartTransaction", cp)[count - 1]["transactionId"]

    def wait_connected(self, cp="CP0000", timeout=30):
        return self.wait(lambda: cp in self.cps and not self.connection(cp).closed,
                         timeout, f"{cp} to connect")

    def wait_registered(self, cp="CP0000", timeout=30):
        self.wait(lambda: self.registration.get(cp) == "Accepted" and self.calls("StatusNotification", cp),
                  timeout, f"{cp} to register")

    def connection(self, cp="CP0000"):
        return [c for c in self.connections if c.cp == cp][-1]

    def closed_cleanly(self, conn, timeout=10):
        """Waits until the CSMS has seen `conn` close (a runner that has exited may be a
        moment ahead of this side's bookkeeping); whether the charge point sent a close frame."""
        self.wait(lambda: conn.closed, timeout, f"the CSMS to see {conn.cp}'s connection close")
        return conn.close_frame_from_cp

    def call(self, cp, request, timeout=15):
        """Sends a request (an `ocpp.v16.call` object) through the `ocpp` package, which
        checks it and the answer against the schemas, and returns the answer's payload as
        it came on the wire; raises CallErrorReceived for a CALLERROR."""
        uid = str(uuid.uuid4())
        target = self.cps[cp]

        async def go():
            try:
                await asyncio.wait_for(target.call(request, suppress=True, unique_id=uid), timeout)
            except OCPPError as e:
                self.violation(f"{cp}: the ocpp package refused the answer to {type(request).__name__}: {e!r}")
                raise
        self._run(go(), timeout + 5)
        answers = [f for f in list(self.frames) if f.incoming and f.conn == target.conn
                   and f.type in (3, 4) and f.id == uid]
        return self.answer(answers[-1])

    @staticmethod
    def answer(frame):
        if frame.type == 4:
            raise CallErrorReceived(frame.msg[2], frame.msg[3])
        return frame.payload

    def send(self, cp, text, reply_id="", timeout=15, wait=True):
        """Sends a text frame as it is and returns the frame that answers `reply_id`
        (default: the id in the text); with wait=False it returns at once."""
        if reply_id == "":
            reply_id = json.loads(text)[1]
        if not wait:
            reply_id = None
        return self._run(self.cps[cp].send_raw(text, reply_id, timeout), timeout + 5)
