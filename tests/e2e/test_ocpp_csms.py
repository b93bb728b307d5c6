"""A second, independent CSMS: the PyPI `ocpp-csms` package (aiohttp), with an
`authenticate` hook that checks the Basic auth password against --auth-key (security
profile 1). The charge point boots and runs one transaction. `ocpp-csms` validates through
the `ocpp` package, whose validators `schemas.install()` made strict; its warnings are
collected, and every frame in the runner's trace is checked against the schemas too."""

import asyncio
import json
import logging
import threading

import pytest
from ocpp_csms import (BootEvent, CentralSystem, RegistrationStatus, TransactionStartedEvent,
                       TransactionStoppedEvent)

from . import schemas
from .runner import charging

KEY = "evc-playground-e2e-key-0123456789"  # 33 characters


class Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


@pytest.fixture
def central_system():
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    run = lambda coro: asyncio.run_coroutine_threadsafe(coro, loop).result(30)
    seen = []

    async def authenticate(cp_id, password):
        seen.append((cp_id, password))
        return password == KEY

    cs = CentralSystem(host="127.0.0.1", port=0, authenticate=authenticate, ping_interval=None)
    warnings = Warnings()
    logging.getLogger("ocpp_csms").addHandler(warnings)
    run(cs.async_start())
    cs.seen, cs.warnings, cs.events = seen, warnings.records, []
    cs.add_listener(cs.events.append)
    yield cs
    run(cs.async_stop())
    logging.getLogger("ocpp_csms").removeHandler(warnings)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def test_profile_1_boot_and_one_transaction(central_system, evc):
    cs = central_system
    url = f"ws://127.0.0.1:{cs.port}/"
    scenario = charging("CARD-CS", {"until": "Charging", "wait": "20s", "do": "tap", "card": "CARD-CS"},
                        {"wait": "2s", "do": "unplug"}, hold=False)
    run = evc().start(url, "--auth-key", KEY, "--config", "MeterValueSampleInterval=5", scenario=scenario)
    assert run.wait_exit(60) == 0, run.describe()

    assert ("CP0000", KEY) in cs.seen and all(s == ("CP0000", KEY) for s in cs.seen)
    cp = cs.charge_points["CP0000"]
    assert cp.registration_status == RegistrationStatus.ACCEPTED
    assert cp.boot.vendor == "Teltonika"
    kinds = [type(e) for e in cs.events]
    assert kinds.count(BootEvent) == 1
    (started,) = [e.transaction for e in cs.events if isinstance(e, TransactionStartedEvent)]
    (stopped,) = [e.transaction for e in cs.events if isinstance(e, TransactionStoppedEvent)]
    assert started.id_tag == "CARD-CS" and started.connector_id == 1
    assert stopped.transaction_id == started.transaction_id
    assert stopped.stop_reason == "Local" and stopped.meter_stop > started.meter_start
    assert cs.warnings == []

    sent = [json.loads(line["frame"]) for line in run.trace() if line["dir"] == "send"]
    calls = {m[1]: m[2] for m in sent if m[0] == 2}
    answers = [json.loads(line["frame"]) for line in run.trace() if line["dir"] == "recv"]
    errors = [e for m in sent if m[0] == 2 for e in schemas.errors(m[2], "req", m[3])]
    assert errors == []
    assert [m for m in answers if m[0] == 4] == [], "ocpp-csms answered everything"
    assert {calls[m[1]] for m in answers if m[0] == 3} >= {"BootNotification", "StartTransaction", "StopTransaction"}
    summary = run.summary()
    assert summary["transactions_started"] == summary["transactions_stopped"] == 1


def test_a_wrong_key_is_refused(central_system, evc):
    run = evc().start(f"ws://127.0.0.1:{central_system.port}/", "--auth-key", "x" * 32)
    assert run.wait_exit(30) == 3, run.describe()
    assert "401" in run.err()
    assert central_system.seen == [("CP0000", "x" * 32)]
