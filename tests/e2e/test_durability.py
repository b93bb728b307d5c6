"""The offline queue across a CSMS restart, and a runner killed with SIGKILL and started
again on the same state dir: in order, original timestamps, nothing the box had recorded
as acknowledged sent twice,
exactly one StopTransaction."""

import json
import time

from ocpp.v16 import call

from .runner import charging
from .schemas import parse_time


def answered(csms, action):
    """The CALL frames of `action` that the CSMS answered with a CALLRESULT."""
    results = {(f.conn, f.id) for f in csms.frames if not f.incoming and f.type == 3}
    return [f for f in csms.calls(action) if (f.conn, f.id) in results]


def stamp(meter_values):
    return parse_time(meter_values["meterValue"][0]["timestamp"])


def spaced(stamps, low=4.0, high=6.0):
    gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:])]
    return all(low <= g <= high for g in gaps), gaps


def test_offline_queue_is_delivered_in_order_after_a_csms_restart(csms, evc):
    scenario = charging("CARD-Q", {"until": "Charging", "wait": "40s", "do": "unplug"})
    run = evc().start(csms.url, "--config", "MeterValueSampleInterval=5", scenario=scenario)
    tx = csms.wait_transaction()
    csms.wait_for("MeterValues")
    csms.stop()  # the unplug (at about +4 s) and several samples happen while it is down
    time.sleep(6)
    restarted = time.monotonic()
    csms.start()
    (stop,) = csms.wait_for("StopTransaction", timeout=60)
    csms.wait(lambda: csms.statuses()[-1:] == ["Available"], what="Available after the queue")
    summary = run.stop() if run.running() else run.summary()

    assert len(csms.payloads("BootNotification")) == 1, "a reconnect is not a reboot"
    assert len(csms.connections) == 2
    assert stop["transactionId"] == tx and stop["reason"] == "EVDisconnected"
    before = [f for f in answered(csms, "MeterValues") if f.at < restarted]
    queued = [f for f in csms.calls(since=restarted) if f.action in ("MeterValues", "StopTransaction")]
    assert queued[-1].action == "StopTransaction"
    values = [f.payload for f in queued[:-1]]
    assert len(values) >= 3, "samples were taken while the CSMS was down"
    assert all(v["transactionId"] == tx for v in values)

    stamps = [stamp(f.payload) for f in before] + [stamp(v) for v in values]
    ok, gaps = spaced(stamps)
    assert ok, f"original timestamps, one sample every 5 s, none lost or repeated: {gaps}"
    assert parse_time(stop["timestamp"]) >= stamps[-1]
    assert summary["transactions_started"] == summary["transactions_stopped"] == 1


def test_sigkill_mid_transaction_then_restart_stops_it_once_with_power_loss(csms, evc):
    first = evc("first").start(csms.url, "--config", "MeterValueSampleInterval=5", scenario=charging("CARD-K"))
    tx = csms.wait_transaction()
    (start,) = csms.payloads("StartTransaction")
    csms.wait_for("MeterValues", count=2)
    first.kill()
    killed = time.monotonic()
    csms.wait(lambda: csms.connection().closed, what="the connection to drop")
    # What the box had persisted when it died: a message still in its outbox may have been
    # answered a moment before the kill without the box knowing (delivery is at least
    # once); every other answered message must never come again.
    state = json.loads((first.state_dir / "CP0000.json").read_text())
    unconfirmed = [json.loads(c["payload"]) for c in state.get("outbox", []) if c["action"] == "MeterValues"]  # format 2 leaves an empty outbox out

    second = evc("second").start(csms.url, state_dir=first.state_dir)
    (stop,) = csms.wait_for("StopTransaction", timeout=60)
    assert stop["reason"] == "PowerLoss" and stop["transactionId"] == tx
    assert stop["meterStop"] >= start["meterStart"]
    assert parse_time(stop["timestamp"]) >= parse_time(start["timestamp"])
    assert len(csms.payloads("BootNotification")) == 2, "a restart is a power cycle"
    time.sleep(1.5)  # 15 engine seconds for anything that should not come
    second.stop()

    assert len(csms.payloads("StartTransaction")) == 1
    assert len(csms.payloads("StopTransaction")) == 1
    acknowledged = {f.text for f in answered(csms, "MeterValues") if f.at < killed}
    again = [f for f in csms.calls("MeterValues", since=killed)
             if any(f.payload == a.payload for a in answered(csms, "MeterValues") if a.at < killed)
             and f.payload not in unconfirmed]
    assert again == [], f"acknowledged MeterValues sent again: {[f.text for f in again]} of {acknowledged}"


def test_queued_messages_survive_a_sigkill_while_offline(csms, evc):
    first = evc("first").start(csms.url, "--config", "MeterValueSampleInterval=5", scenario=charging("CARD-O"))
    tx = csms.wait_transaction()
    csms.wait_for("MeterValues")
    online = [stamp(f.payload) for f in answered(csms, "MeterValues")]
    csms.stop()
    time.sleep(2.5)  # about five samples queue up
    first.kill()
    csms.start()
    second = evc("second").start(csms.url, state_dir=first.state_dir)
    (stop,) = csms.wait_for("StopTransaction", timeout=60)
    assert stop["reason"] == "PowerLoss" and stop["transactionId"] == tx
    time.sleep(1.0)
    second.stop()

    later = [f for f in csms.calls() if f.conn > 1 and f.action in ("MeterValues", "StopTransaction")]
    assert later[-1].action == "StopTransaction" and len(csms.payloads("StopTransaction")) == 1
    values = [f.payload for f in later[:-1]]
    assert all(v["transactionId"] == tx for v in values)
    stamps = online + [stamp(v) for v in values]
    ok, gaps = spaced(stamps)
    assert ok, f"queued samples keep their original timestamps, in order: {gaps}"
    if values:
        assert parse_time(stop["timestamp"]) >= stamps[-1]
    assert len(csms.payloads("StartTransaction")) == 1


def test_configuration_survives_a_restart_and_config_options_win(csms, evc):
    first = evc("first").start(csms.url)
    csms.wait_registered()
    for key, value in (("CpoName", "Kept"), ("MeterValueSampleInterval", "30"), ("LocalPreAuthorize", "0")):
        assert csms.call("CP0000", call.ChangeConfiguration(key=key, value=value)) == {"status": "Accepted"}
    first.stop()
    second = evc("second").start(csms.url, "--config", "MeterValueSampleInterval=5", state_dir=first.state_dir)
    csms.wait_for("BootNotification", count=2)
    csms.wait(lambda: csms.registration.get("CP0000") == "Accepted" and not csms.connection().closed)
    answer = csms.call("CP0000", call.GetConfiguration(key=["CpoName", "MeterValueSampleInterval", "LocalPreAuthorize"]))
    assert {kv["key"]: kv["value"] for kv in answer["configurationKey"]} == {
        "CpoName": "Kept", "MeterValueSampleInterval": "5", "LocalPreAuthorize": "0"}
    second.stop()


def test_after_the_first_connection_refusals_are_retried(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    csms.stop()
    csms.policy.http_status = 401
    csms.start()
    csms.wait(lambda: len(csms.handshakes) >= 2, timeout=60, what="a reconnect attempt")
    assert run.running(), "once connected, a refused handshake is retried, not fatal\n" + run.describe()
    csms.policy.http_status = None
    csms.wait(lambda: len(csms.connections) == 2 and not csms.connection().closed, timeout=60,
              what="the reconnect once the CSMS lets it in")
    assert len(csms.payloads("BootNotification")) == 1
    run.stop()


def test_sigkill_while_start_transaction_awaits_its_answer(csms, evc):
    """It was persisted before it was sent: after the restart it is sent again as it was,
    and the transaction the CSMS knows by then is stopped with PowerLoss."""
    csms.policy.hold = {"StartTransaction"}
    first = evc("first").start(csms.url, scenario=charging("CARD-H"))
    (start,) = csms.wait_for("StartTransaction")
    first.kill()
    csms.policy.hold = set()
    second = evc("second").start(csms.url, state_dir=first.state_dir)
    (stop,) = csms.wait_for("StopTransaction", timeout=60)
    starts = csms.payloads("StartTransaction")
    assert starts == [start, start], "the same StartTransaction, original timestamp"
    tx = csms.answers("StartTransaction")[-1]["transactionId"]
    assert stop["transactionId"] == tx and stop["reason"] == "PowerLoss"
    time.sleep(1.0)
    second.stop()
    assert len(csms.payloads("StopTransaction")) == 1


def test_transaction_messages_are_retried_after_a_callerror(csms, evc):
    csms.policy.fail = {"StopTransaction": 2}
    run = evc().start(csms.url, "--config", "TransactionMessageRetryInterval=5", "--config",
                      "TransactionMessageAttempts=3",
                      scenario=charging("CARD-F", {"until": "Charging", "wait": "5s", "do": "unplug"}))
    stops = csms.wait_for("StopTransaction", count=3, timeout=60)
    assert stops[0] == stops[1] == stops[2], "the same message each time"
    assert len(csms.answers("StopTransaction")) == 1
    time.sleep(1.0)
    summary = run.stop()
    assert len(csms.payloads("StopTransaction")) == 3
    assert summary["callerrors_received"] == 2


def test_a_transaction_message_is_dropped_after_its_attempts(csms, evc):
    csms.policy.fail = {"MeterValues": 100}
    run = evc().start(csms.url, "--config", "TransactionMessageRetryInterval=5", "--config",
                      "TransactionMessageAttempts=2", "--config", "MeterValueSampleInterval=10",
                      scenario=charging("CARD-D"))
    first = csms.wait_for("MeterValues", count=2, timeout=60)[0]
    time.sleep(2.0)  # 20 engine seconds: a third attempt would have come 10 s after the second
    same = [p for p in csms.payloads("MeterValues") if p == first]
    assert len(same) == 2, f"TransactionMessageAttempts=2: {len(same)} attempts"
    summary = run.stop(code=4)  # a message was lost: the run says so and exits 4
    assert summary["messages_lost"] >= 1, summary
    assert any("MeterValues" in lost for lost in summary["lost"]), summary
    assert "a transaction message was lost" in run.err(), run.describe()
