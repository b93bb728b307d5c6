"""The CSMS's own checks, without a charge point: strict date-times inside the `ocpp`
package, and the frame rules a misbehaving charge point would break."""

import asyncio
import json

import pytest
import websockets
from ocpp.exceptions import OCPPError
from ocpp.messages import Call, _validate_payload

from .csms import Csms


def status(timestamp):
    return {"connectorId": 1, "errorCode": "NoError", "status": "Available", "timestamp": timestamp}


@pytest.mark.parametrize("timestamp", ["2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123+02:00"])
def test_the_ocpp_package_accepts_rfc3339(timestamp):
    _validate_payload(Call("1", "StatusNotification", status(timestamp)), "1.6")


@pytest.mark.parametrize("timestamp", ["2024-05-01 10:00:00", "2024-05-01T10:00:00", "yesterday",
                                       "2024-13-01T10:00:00Z"])
def test_the_ocpp_package_refuses_other_date_times(timestamp):
    with pytest.raises(OCPPError):
        _validate_payload(Call("1", "StatusNotification", status(timestamp)), "1.6")


def fake_charge_point(url, frames):
    """Connects as CP0000, sends `frames`, and returns the CSMS's answers."""
    async def go():
        async with websockets.connect(url + "CP0000", subprotocols=["ocpp1.6"]) as ws:
            answers = []
            for frame in frames:
                await ws.send(frame)
                answers.append(json.loads(await ws.recv()))
            return answers
    return asyncio.run(go())


def test_a_breach_is_recorded():
    csms = Csms().start()
    try:
        boot = json.dumps([2, "1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}])
        bad = json.dumps([2, "2", "StatusNotification", status("2024-05-01 10:00:00")])
        before_boot = json.dumps([2, "3", "Heartbeat", {}])
        answers = fake_charge_point(csms.url, [boot, bad, bad])
        assert answers[0][0] == 3 and answers[0][2]["status"] == "Accepted"
        text = "\n".join(csms.violations)
        assert "timestamp: '2024-05-01 10:00:00' is not a 'date-time'" in text, text
        assert "message id used twice" in text, text
        csms.violations.clear()
        csms.policy.boot = ["Pending"]
        answers = fake_charge_point(csms.url, [boot, before_boot])
        assert any("while not registered" in v for v in csms.violations), csms.violations
    finally:
        csms.close()
