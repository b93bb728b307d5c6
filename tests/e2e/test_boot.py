"""Boot (Accepted / Pending / Rejected), heartbeat, a fleet, and what a run leaves behind:
the stop on SIGINT/SIGTERM with close frames, the summary, the trace and the state file."""

import json
import signal
import time
from datetime import datetime, timedelta, timezone

import pytest
from ocpp.v16 import call

from .csms import compact
from .schemas import is_rfc3339, parse_time


def test_boot_accepted_then_both_connectors_available(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    csms.wait(lambda: len(csms.payloads("StatusNotification")) >= 2, what="two StatusNotifications")

    conn = csms.connection("CP0000")
    assert conn.path == "/CP0000"
    assert conn.subprotocol == "ocpp1.6"
    assert "ocpp1.6" in [p.strip() for p in conn.offered.split(",")]
    assert conn.authorization is None, "no AuthorizationKey: no credentials"

    (boot,) = csms.payloads("BootNotification")
    assert boot["chargePointVendor"] == "Teltonika"
    assert boot["chargePointModel"]
    assert boot.get("chargePointSerialNumber", "CP0000") == "CP0000"

    first = csms.payloads("StatusNotification")[:2]
    assert sorted((p["connectorId"], p["status"], p["errorCode"]) for p in first) == [
        (0, "Available", "NoError"), (1, "Available", "NoError")]
    assert all(is_rfc3339(p["timestamp"]) for p in first if "timestamp" in p)
    assert csms.calls()[0].action == "BootNotification"

    summary = run.stop()
    assert csms.closed_cleanly(conn), "SIGINT closes the socket with a close frame"
    assert "transactions" in (run.out() + run.err()).lower(), "the summary is printed on SIGINT"
    assert summary["charge_points"] == 1
    assert max(summary["connected"], summary.get("ever_connected", 0)) == 1
    assert summary["transactions_started"] == summary["transactions_stopped"] == 0
    assert summary["callerrors_sent"] == summary["callerrors_received"] == 0
    frames = [f for f in csms.frames if f.cp == "CP0000"]
    assert summary["frames_sent"] == sum(f.incoming for f in frames)
    assert summary["frames_received"] == sum(not f.incoming for f in frames)
    lat = summary["latency_ms"]
    assert 0 <= lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["max"]
    assert summary["elapsed_s"] >= 0

    state = run.state_dir / "CP0000.json"
    assert state.exists(), list(run.state_dir.iterdir())
    json.loads(state.read_text())


def test_trace_has_one_line_per_frame(csms, evc):
    began = datetime.now(timezone.utc)
    run = evc().start(csms.url)
    csms.wait_registered()
    time.sleep(1.0)  # 10 engine seconds
    csms.call("CP0000", call.GetConfiguration(key=["NumberOfConnectors"]))
    run.stop()
    ended = datetime.now(timezone.utc)
    lines = run.trace()
    for line in lines:
        assert set(line) == {"t", "ms", "cp", "dir", "frame"}, line
        assert is_rfc3339(line["t"]), line
        assert isinstance(line["ms"], (int, float)) and line["cp"] == "CP0000", line
        assert line["dir"] in ("send", "recv") and isinstance(line["frame"], str), line
    assert [line["ms"] for line in lines] == sorted(line["ms"] for line in lines)
    assert lines[-1]["ms"] - lines[0]["ms"] >= 5000, "a second at --speed 10 is ten engine seconds"
    sent = [json.loads(line["frame"]) for line in lines if line["dir"] == "send"]
    received = [json.loads(line["frame"]) for line in lines if line["dir"] == "recv"]
    assert sent == [f.msg for f in csms.frames if f.incoming]
    assert received == [f.msg for f in csms.frames if not f.incoming]
    # "t" is the wall time when the frame went by ("ms" is the engine's time, which runs at --speed).
    stamps = [parse_time(line["t"]) for line in lines]
    assert all(began - timedelta(seconds=1) <= t <= ended + timedelta(seconds=1) for t in stamps), \
        f"trace times {stamps[0]} … {stamps[-1]} are not the wall time of a run from {began} to {ended}"
    assert stamps == sorted(stamps), "wall time never goes back"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_ends_the_run_cleanly(csms, evc, sig):
    run = evc().start(csms.url)
    csms.wait_registered()
    summary = run.stop(sig)
    assert csms.closed_cleanly(csms.connection())
    assert summary["charge_points"] == 1


def test_boot_pending_is_retried_after_the_interval_and_nothing_else_is_sent(csms, evc):
    csms.policy.boot = ["Pending", "Pending", "Accepted"]
    csms.policy.interval = 20  # engine seconds: 2 s at --speed 10
    run = evc().start(csms.url)
    csms.wait_for("BootNotification")
    # While Pending the CSMS may read (and change) the configuration.
    answer = csms.call("CP0000", call.GetConfiguration(key=["NumberOfConnectors"]))
    assert compact(answer) == {"configurationKey": [{"key": "NumberOfConnectors", "readonly": True, "value": "1"}]}
    csms.wait_for("BootNotification", count=3, timeout=40)
    csms.wait_registered()
    boots = csms.calls("BootNotification")
    assert boots[1].at - boots[0].at > 1.0, "the retry waits for the interval"
    before = [f.action for f in csms.calls() if f.at < boots[2].at]
    assert set(before) == {"BootNotification"}, before
    csms.wait(lambda: len(csms.payloads("StatusNotification")) >= 2)
    run.stop()


def test_boot_rejected_gets_no_answers_and_boots_again(csms, evc):
    csms.policy.boot = ["Rejected", "Accepted"]
    csms.policy.interval = 40  # 4 s at --speed 10
    run = evc().start(csms.url)
    csms.wait_for("BootNotification")
    with pytest.raises(TimeoutError):
        csms.call("CP0000", call.GetConfiguration(key=["NumberOfConnectors"]), timeout=1.5)
    csms.wait_for("BootNotification", count=2, timeout=40)
    csms.wait_registered()
    boots = csms.calls("BootNotification")
    assert {f.action for f in csms.calls() if f.at < boots[1].at} == {"BootNotification"}
    assert [f for f in csms.frames if f.incoming and f.type in (3, 4)] == [], "no answer while Rejected"
    run.stop()


def test_heartbeat_interval_comes_from_the_boot_answer(csms, evc):
    csms.policy.interval = 2
    run = evc().start(csms.url)
    csms.wait_registered()
    assert csms.wait_for("Heartbeat", count=3)[:3] == [{}, {}, {}]
    answer = csms.call("CP0000", call.GetConfiguration(key=["HeartbeatInterval"]))
    assert answer["configurationKey"] == [{"key": "HeartbeatInterval", "readonly": False, "value": "2"}]
    assert csms.call("CP0000", call.ChangeConfiguration(key="HeartbeatInterval", value="3600")) == {
        "status": "Accepted"}
    time.sleep(0.5)
    count = len(csms.payloads("Heartbeat"))
    time.sleep(2.0)  # 20 engine seconds: no heartbeat is due for an hour
    assert len(csms.payloads("Heartbeat")) <= count + 1
    run.stop()


def test_speed_makes_every_timer_faster(csms, evc):
    csms.policy.interval = 40  # 2 s at --speed 20; 40 s at --speed 1
    run = evc().start(csms.url, speed=20)
    csms.wait_registered()
    csms.wait_for("Heartbeat", count=2, timeout=20)
    run.stop()


def test_a_fleet_gets_its_ids_from_the_pattern(csms, evc):
    run = evc().start(csms.url, "--count", 3, "--first", 5, "--id", "EVC-{00}")
    for cp in ("EVC-05", "EVC-06", "EVC-07"):
        csms.wait_registered(cp)
    assert {c.path for c in csms.connections} == {"/EVC-05", "/EVC-06", "/EVC-07"}
    summary = run.stop()
    assert all(csms.closed_cleanly(c) for c in csms.connections)
    assert summary["charge_points"] == 3
    assert max(summary["connected"], summary.get("ever_connected", 0)) == 3
    assert {p.name for p in run.state_dir.iterdir()} >= {"EVC-05.json", "EVC-06.json", "EVC-07.json"}


def test_the_url_path_is_kept(csms, evc):
    run = evc().start(csms.url + "ocpp/v16/")
    csms.wait_registered()
    assert csms.connection().path == "/ocpp/v16/CP0000"
    run.stop()


def test_duration_ends_the_run(csms, evc):
    run = evc().start(csms.url, "--duration", "2s")
    csms.wait_registered()
    assert run.wait_exit(30) == 0, run.describe()
    assert run.summary()["charge_points"] == 1
    assert csms.closed_cleanly(csms.connection())
