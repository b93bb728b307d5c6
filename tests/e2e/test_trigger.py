"""TriggerMessage (Remote Trigger profile): Accepted, then the requested message, built
from the state now; connectors that do not exist are Rejected."""

import pytest
from ocpp.v16 import call

from .runner import charging

CP = "CP0000"


@pytest.mark.parametrize("message", ["Heartbeat", "BootNotification", "DiagnosticsStatusNotification",
                                     "FirmwareStatusNotification", "MeterValues", "StatusNotification"])
def test_the_requested_message_follows_the_answer(csms, evc, message):
    run = evc().start(csms.url)
    csms.wait_registered()
    csms.wait_for("StatusNotification", count=2)
    before = len(csms.payloads(message))
    assert csms.call(CP, call.TriggerMessage(requested_message=message)) == {"status": "Accepted"}
    # Without a connector a StatusNotification comes for the box (0) and the connector (1).
    expected = 2 if message == "StatusNotification" else 1
    csms.wait_for(message, count=before + expected)
    if message in ("DiagnosticsStatusNotification", "FirmwareStatusNotification"):
        assert csms.payloads(message)[-1] == {"status": "Idle"}
    if message == "MeterValues":
        values = csms.payloads(message)[-1]["meterValue"][0]["sampledValue"]
        assert all(v["context"] == "Trigger" for v in values)
    run.stop()


def test_meter_values_of_the_running_transaction(csms, evc):
    run = evc().start(csms.url, scenario=charging("CARD-T"))
    tx = csms.wait_transaction()
    csms.wait_status("Charging")
    before = len(csms.payloads("MeterValues"))
    answer = csms.call(CP, call.TriggerMessage(requested_message="MeterValues", connector_id=1))
    assert answer == {"status": "Accepted"}
    csms.wait_for("MeterValues", count=before + 1)
    triggered = [p for p in csms.payloads("MeterValues")
                 if p["meterValue"][0]["sampledValue"][0].get("context") == "Trigger"]
    assert triggered and triggered[-1]["transactionId"] == tx and triggered[-1]["connectorId"] == 1
    run.stop()


@pytest.mark.parametrize("connector", [2, 5])
def test_a_connector_that_does_not_exist_is_rejected(csms, evc, connector):
    run = evc().start(csms.url)
    csms.wait_registered()
    answer = csms.call(CP, call.TriggerMessage(requested_message="StatusNotification", connector_id=connector))
    assert answer == {"status": "Rejected"}
    run.stop()
