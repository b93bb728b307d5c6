"""CSMS requests: Reset (soft, hard), ChangeAvailability, UnlockConnector on both variants,
DataTransfer, ClearCache, the local list, and actions the product does not support or
OCPP does not know."""

import json

import pytest
from ocpp.v16 import call

from .csms import CallErrorReceived
from .runner import charging

CP = "CP0000"


@pytest.mark.parametrize("kind, reason", [("Soft", "SoftReset"), ("Hard", "HardReset")])
def test_reset_during_a_transaction(csms, evc, kind, reason):
    run = evc().start(csms.url, scenario=charging("CARD-R"))
    tx = csms.wait_transaction()
    csms.wait_status("Charging")
    first = csms.connection(CP)
    assert csms.call(CP, call.Reset(type=kind)) == {"status": "Accepted"}
    (stop,) = csms.wait_for("StopTransaction")
    assert stop["transactionId"] == tx and stop["reason"] == reason
    csms.wait_for("BootNotification", count=2)
    csms.wait(lambda: first.closed, what="the first connection to close")
    assert first.close_frame_from_cp, "a reset closes the socket with a close frame"
    assert len(csms.connections) == 2
    run.stop()
    assert len(csms.payloads("StopTransaction")) == 1
    assert len(csms.payloads("StartTransaction")) == 1


def test_reset_when_idle_reboots(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    assert csms.call(CP, call.Reset(type="Hard")) == {"status": "Accepted"}
    csms.wait_for("BootNotification", count=2)
    csms.wait(lambda: len([p for p in csms.payloads("StatusNotification") if p["connectorId"] == 1]) >= 2)
    assert csms.payloads("StopTransaction") == []
    run.stop()


def test_change_availability(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    change = lambda connector, kind: csms.call(CP, call.ChangeAvailability(connector_id=connector, type=kind))
    assert change(1, "Inoperative") == {"status": "Accepted"}
    csms.wait_status("Unavailable")
    assert csms.call(CP, call.RemoteStartTransaction(id_tag="X", connector_id=1)) == {"status": "Rejected"}
    assert change(1, "Operative") == {"status": "Accepted"}
    csms.wait(lambda: csms.statuses()[-1] == "Available", what="connector 1 Available again")
    assert change(2, "Inoperative") == {"status": "Rejected"}

    assert change(0, "Inoperative") == {"status": "Accepted"}
    csms.wait(lambda: csms.statuses(connector=0)[-1:] == ["Unavailable"] and csms.statuses()[-1] == "Unavailable",
              what="both connectors Unavailable")
    assert change(0, "Operative") == {"status": "Accepted"}
    csms.wait(lambda: csms.statuses(connector=0)[-1:] == ["Available"] and csms.statuses()[-1] == "Available",
              what="both connectors Available")
    run.stop()


def test_change_availability_during_a_transaction_is_scheduled(csms, evc):
    run = evc().start(csms.url, scenario=charging("CARD-A"))
    tx = csms.wait_transaction()
    csms.wait_status("Charging")
    assert csms.call(CP, call.ChangeAvailability(connector_id=1, type="Inoperative")) == {"status": "Scheduled"}
    assert "Unavailable" not in csms.statuses()
    assert csms.call(CP, call.RemoteStopTransaction(transaction_id=tx)) == {"status": "Accepted"}
    csms.wait_for("StopTransaction")
    csms.wait_status("Unavailable")
    run.stop()


def test_unlock_connector_tethered_is_not_supported(csms, evc):
    run = evc().start(csms.url, "--variant", "tethered")
    csms.wait_registered()
    assert csms.call(CP, call.UnlockConnector(connector_id=1)) == {"status": "NotSupported"}
    run.stop()


def test_unlock_connector_socket(csms, evc):
    run = evc().start(csms.url, "--variant", "socket", scenario=charging("CARD-U"))
    tx = csms.wait_transaction()
    csms.wait_status("Charging")
    assert csms.call(CP, call.UnlockConnector(connector_id=1)) == {"status": "Unlocked"}
    (stop,) = csms.wait_for("StopTransaction")
    assert stop["transactionId"] == tx and stop["reason"] == "UnlockCommand"
    assert csms.call(CP, call.UnlockConnector(connector_id=1)) == {"status": "Unlocked"}
    run.stop()


def test_default_variant_is_tethered(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    assert csms.call(CP, call.UnlockConnector(connector_id=1)) == {"status": "NotSupported"}
    run.stop()


def test_data_transfer_clear_cache_and_local_list(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    assert csms.call(CP, call.DataTransfer(vendor_id="Teltonika", message_id="Anything")) == {
        "status": "UnknownMessageId"}
    assert csms.call(CP, call.DataTransfer(vendor_id="SomeoneElse")) == {"status": "UnknownVendorId"}
    assert csms.call(CP, call.ClearCache()) == {"status": "Accepted"}
    assert csms.call(CP, call.GetLocalListVersion()) == {"listVersion": 0}
    entries = [{"idTag": "LIST-1", "idTagInfo": {"status": "Accepted"}}, {"idTag": "LIST-2", "idTagInfo": {"status": "Blocked"}}]
    answer = csms.call(CP, call.SendLocalList(list_version=7, update_type="Full", local_authorization_list=entries))
    assert answer == {"status": "Accepted"}
    assert csms.call(CP, call.GetLocalListVersion()) == {"listVersion": 7}
    run.stop()


def call_error(csms, action, payload):
    text = json.dumps([2, f"m-{action}", action, payload])
    frame = csms.send(CP, text)
    assert frame.type == 4, f"{action} was answered with {frame.text}"
    return frame.msg[2]


def test_unsupported_and_unknown_actions(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    # Not supported by the product (Security whitepaper / signed firmware): known, NotSupported.
    with pytest.raises(CallErrorReceived) as error:
        csms.call(CP, call.DeleteCertificate(certificate_hash_data={
            "hashAlgorithm": "SHA256", "issuerNameHash": "a" * 64, "issuerKeyHash": "b" * 64, "serialNumber": "01"}))
    assert error.value.code == "NotSupported"
    with pytest.raises(CallErrorReceived) as error:
        csms.call(CP, call.SignedUpdateFirmware(request_id=1, firmware={
            "location": "https://example.com/fw.bin", "retrieveDateTime": "2030-01-01T00:00:00Z",
            "signingCertificate": "-----BEGIN CERTIFICATE-----", "signature": "c2ln"}))
    assert error.value.code == "NotSupported"
    # ... whatever the payload.
    assert call_error(csms, "DeleteCertificate", {"junk": 1}) == "NotSupported"
    # A known action only a charge point sends.
    assert call_error(csms, "Heartbeat", {}) == "NotSupported"
    assert call_error(csms, "BootNotification", {"chargePointVendor": "X", "chargePointModel": "Y"}) == "NotSupported"
    # Not an OCPP 1.6 action at all.
    assert call_error(csms, "FooBar", {}) == "NotImplemented"
    assert call_error(csms, "GetVariables", {"getVariableData": []}) == "NotImplemented"
    # Still fine afterwards.
    assert csms.call(CP, call.ClearCache()) == {"status": "Accepted"}
    run.stop()
