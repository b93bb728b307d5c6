"""An independent CSMS for the browser tests, written with the PyPI `ocpp` package
(which validates every payload against the official OCPP 1.6 schemas).

    python tests/web/csms.py PORT LOGFILE

Accepts every charge point at ws://127.0.0.1:PORT/<id> with subprotocol ocpp1.6,
accepts boots and cards, numbers transactions, and appends one JSON line per received
request to LOGFILE ({"action": ..., "payload": {...}}). As a CSMS under test would, it
also sends requests: after a boot it sets MeterValueSampleInterval to 10 s, and after the
second MeterValues of transaction 1 it stops that transaction remotely (the answers are
logged as "<Action>Answer").
"""

import asyncio
import itertools
import json
import logging
import sys
from datetime import datetime, timezone

import websockets
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint as Cp
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus

PORT, LOG = int(sys.argv[1]), sys.argv[2]
ids = itertools.count(1)


def record(action, payload):
    with open(LOG, "a") as f:
        f.write(json.dumps({"action": action, "payload": payload}) + "\n")


def now():
    return datetime.now(timezone.utc).isoformat()


class ChargePoint(Cp):
    @on(Action.boot_notification)
    def on_boot(self, **kw):
        record("BootNotification", kw)
        return call_result.BootNotification(current_time=now(), interval=300, status=RegistrationStatus.accepted)

    @after(Action.boot_notification)
    async def after_boot(self, **kw):
        answer = await self.call(call.ChangeConfiguration(key="MeterValueSampleInterval", value="10"))
        record("ChangeConfigurationAnswer", {"status": answer.status})

    @on(Action.heartbeat)
    def on_heartbeat(self, **kw):
        return call_result.Heartbeat(current_time=now())

    @on(Action.status_notification)
    def on_status(self, **kw):
        record("StatusNotification", kw)
        return call_result.StatusNotification()

    @on(Action.authorize)
    def on_authorize(self, **kw):
        record("Authorize", kw)
        return call_result.Authorize(id_tag_info={"status": AuthorizationStatus.accepted})

    @on(Action.start_transaction)
    def on_start_transaction(self, **kw):
        record("StartTransaction", kw)
        return call_result.StartTransaction(transaction_id=next(ids), id_tag_info={"status": AuthorizationStatus.accepted})

    @on(Action.stop_transaction)
    def on_stop_transaction(self, **kw):
        record("StopTransaction", kw)
        return call_result.StopTransaction()

    @on(Action.meter_values)
    def on_meter_values(self, **kw):
        record("MeterValues", kw)
        return call_result.MeterValues()

    @after(Action.meter_values)
    async def after_meter_values(self, **kw):
        self.samples = getattr(self, "samples", 0) + (kw.get("transaction_id") == 1)
        if self.samples == 2:
            answer = await self.call(call.RemoteStopTransaction(transaction_id=1))
            record("RemoteStopTransactionAnswer", {"status": answer.status})


async def handler(ws):
    cp = ChargePoint(ws.request.path.strip("/"), ws)
    try:
        await cp.start()
    except websockets.exceptions.ConnectionClosed:
        pass


async def main():
    logging.basicConfig(level=logging.WARNING)
    async with websockets.serve(handler, "127.0.0.1", PORT, subprotocols=["ocpp1.6"]):
        print(f"csms: listening on ws://127.0.0.1:{PORT}/", flush=True)
        await asyncio.Future()


asyncio.run(main())
