"""Status changes, Authorize, local (plug + card) and remote transactions, and how they stop."""

from ocpp.v16 import call

from .runner import EV, HOLD, charging, steps
from .schemas import is_rfc3339, parse_time


def collapse(items):
    """Consecutive repeats removed."""
    return [x for i, x in enumerate(items) if i == 0 or items[i - 1] != x]


def test_local_transaction_plug_tap_tap_unplug(csms, evc):
    scenario = charging("CARD-1",
                        {"until": "Charging", "timeout": "60s", "wait": "20s", "do": "tap", "card": "CARD-1"},
                        {"wait": "5s", "do": "unplug"}, hold=False)
    run = evc().start(csms.url, "--config", "MeterValueSampleInterval=5", scenario=scenario)
    assert run.wait_exit(60) == 0, "the run ends by itself when the scenario is done\n" + run.describe()
    summary = run.summary()

    assert csms.payloads("Authorize") == [{"idTag": "CARD-1"}]
    (start,) = csms.payloads("StartTransaction")
    assert set(start) == {"connectorId", "idTag", "meterStart", "timestamp"}
    assert start["connectorId"] == 1 and start["idTag"] == "CARD-1" and start["meterStart"] >= 0
    (tx,) = [a["transactionId"] for a in csms.answers("StartTransaction")]
    (stop,) = csms.payloads("StopTransaction")
    assert stop["transactionId"] == tx
    assert stop["reason"] == "Local" and stop["idTag"] == "CARD-1"
    assert stop["meterStop"] > start["meterStart"], "20 s at 32 A charge something"
    assert parse_time(stop["timestamp"]) > parse_time(start["timestamp"])
    values = csms.payloads("MeterValues")
    assert values and all(v["transactionId"] == tx and v["connectorId"] == 1 for v in values)

    assert collapse(csms.statuses()) == ["Available", "Preparing", "Charging", "Finishing", "Available"]
    assert all(p["errorCode"] == "NoError" for p in csms.payloads("StatusNotification"))
    order = [f.action for f in csms.calls() if f.action in ("Authorize", "StartTransaction", "StopTransaction")]
    assert order == ["Authorize", "StartTransaction", "StopTransaction"]

    assert summary["transactions_started"] == summary["transactions_stopped"] == 1
    assert abs(summary["energy_wh"] - (stop["meterStop"] - start["meterStart"])) <= 1, summary


def test_unplugging_stops_with_ev_disconnected(csms, evc):
    scenario = charging("CARD-2", {"until": "Charging", "wait": "10s", "do": "unplug"})
    run = evc().start(csms.url, scenario=scenario)
    (stop,) = csms.wait_for("StopTransaction")
    assert stop["reason"] == "EVDisconnected"
    assert stop["transactionId"] == csms.answers("StartTransaction")[0]["transactionId"]
    csms.wait(lambda: csms.statuses()[-1] == "Available", what="Available after unplugging")
    run.stop()


def test_a_blocked_card_starts_nothing(csms, evc):
    csms.policy.tags = {"BLOCKED": "Blocked"}
    scenario = steps({"wait": "10s", "do": "plug"}, {"wait": "2s", "do": "tap", "card": "BLOCKED"},
                     {"wait": "10s", "do": "tap", "card": "GOOD"}, HOLD, ev=EV)
    run = evc().start(csms.url, scenario=scenario)
    csms.wait_for("StartTransaction")
    assert csms.payloads("Authorize")[:2] == [{"idTag": "BLOCKED"}, {"idTag": "GOOD"}]
    assert [p["idTag"] for p in csms.payloads("StartTransaction")] == ["GOOD"]
    csms.wait_status("Charging")
    assert collapse(csms.statuses()) == ["Available", "Preparing", "Charging"]
    run.stop()


def test_remote_start_and_stop(csms, evc):
    run = evc().start(csms.url, scenario=steps({"wait": "10s", "do": "plug"}, HOLD, ev=EV))
    csms.wait_status("Preparing")
    cp = "CP0000"
    assert csms.call(cp, call.RemoteStartTransaction(id_tag="REMOTE-1", connector_id=1)) == {"status": "Accepted"}
    tx = csms.wait_transaction()
    assert csms.payloads("Authorize") == [{"idTag": "REMOTE-1"}], "AuthorizeRemoteTxRequests is 1"
    (start,) = csms.payloads("StartTransaction")
    assert start["idTag"] == "REMOTE-1" and start["connectorId"] == 1 and is_rfc3339(start["timestamp"])
    csms.wait_status("Charging")

    assert csms.call(cp, call.RemoteStartTransaction(id_tag="REMOTE-1", connector_id=1)) == {"status": "Rejected"}
    assert csms.call(cp, call.RemoteStopTransaction(transaction_id=tx + 100)) == {"status": "Rejected"}
    assert csms.call(cp, call.RemoteStopTransaction(transaction_id=tx)) == {"status": "Accepted"}
    (stop,) = csms.wait_for("StopTransaction")
    assert stop["transactionId"] == tx and stop["reason"] == "Remote"
    csms.wait_status("Finishing")

    # Without AuthorizeRemoteTxRequests the idTag is not authorized first.
    assert csms.call(cp, call.ChangeConfiguration(key="AuthorizeRemoteTxRequests", value="0")) == {
        "status": "Accepted"}
    assert csms.call(cp, call.RemoteStartTransaction(id_tag="REMOTE-2")) == {"status": "Accepted"}
    tx2 = csms.wait_transaction(count=2)
    assert tx2 != tx
    assert [p["idTag"] for p in csms.payloads("Authorize")] == ["REMOTE-1"]
    assert csms.payloads("StartTransaction")[1]["idTag"] == "REMOTE-2"
    assert csms.call(cp, call.RemoteStartTransaction(id_tag="REMOTE-3", connector_id=2)) == {"status": "Rejected"}
    summary = run.stop()
    assert summary["transactions_started"] == 2


def test_pause_resume_and_a_fault(csms, evc):
    scenario = charging("CARD-3",
                        {"until": "Charging", "wait": "5s", "do": "pause"},
                        {"wait": "5s", "do": "resume"},
                        {"wait": "5s", "do": "fault", "fault": "GroundFailure"},
                        {"wait": "5s", "do": "clear", "fault": "GroundFailure"})
    run = evc().start(csms.url, scenario=scenario)
    csms.wait(lambda: collapse(csms.statuses()).count("Charging") >= 2 and csms.statuses()[-1] != "Faulted"
              and "Faulted" in csms.statuses(), what="pause, resume, fault and clear")
    seen = collapse(csms.statuses())
    assert seen[:5] == ["Available", "Preparing", "Charging", "SuspendedEV", "Charging"], seen
    assert seen[5] == "Faulted", seen
    (fault,) = [p for p in csms.payloads("StatusNotification") if p["status"] == "Faulted"]
    assert fault["errorCode"] == "GroundFailure" and fault["connectorId"] == 1
    assert all(p["errorCode"] == "NoError" for p in csms.payloads("StatusNotification") if p is not fault)
    run.stop()
