"""Scenario files: groups of charge points with their own steps, repeat, random cards,
and waits picked from a range by the seed."""

import json

from .runner import EV, toml_value


def test_a_group_follows_its_own_steps(csms, evc):
    scenario = f"""
ev = {{ battery_kwh = 40, soc = "20..40", max_current = 16, phases = 1 }}
[[step]]
wait = "5s"
do = "plug"

[[group]]
cps = "1..1"
[[group.step]]
wait = "5s"
do = "plug"
[[group.step]]
wait = "2s"
do = "tap"
card = "GROUP-CARD"
[[group.step]]
until = "Charging"
wait = "10s"
do = "unplug"
"""
    run = evc().start(csms.url, "--count", 3, scenario=scenario)
    assert run.wait_exit(60) == 0, run.describe()
    starts = [f for f in csms.calls("StartTransaction")]
    assert [(f.cp, f.payload["idTag"]) for f in starts] == [("CP0001", "GROUP-CARD")]
    (stop,) = csms.payloads("StopTransaction", "CP0001")
    assert stop["reason"] == "EVDisconnected"
    for cp in ("CP0000", "CP0002"):
        assert csms.statuses(cp)[-1] == "Preparing", cp
    summary = run.summary()
    assert summary["charge_points"] == 3 and summary["transactions_started"] == 1


def test_repeat_runs_the_steps_again(csms, evc):
    scenario = f"""
repeat = 2
ev = {toml_value(EV)}
[[step]]
wait = "5s"
do = "plug"
[[step]]
wait = "2s"
do = "tap"
cards = ["CARD-A", "CARD-B"]
[[step]]
until = "Charging"
wait = "10s"
do = "unplug"
"""
    run = evc().start(csms.url, scenario=scenario)
    assert run.wait_exit(60) == 0, run.describe()
    starts = csms.payloads("StartTransaction")
    assert len(starts) == 2 and all(s["idTag"] in ("CARD-A", "CARD-B") for s in starts)
    assert [s["reason"] for s in csms.payloads("StopTransaction")] == ["EVDisconnected"] * 2
    summary = run.summary()
    assert summary["transactions_started"] == summary["transactions_stopped"] == 2


def plug_times(csms, evc, seed, name):
    scenario = '[[step]]\nwait = "1s..300s"\ndo = "plug"\n'
    run = evc(name).start(csms.url, "--count", 3, "--seed", seed, scenario=scenario, speed=100)
    assert run.wait_exit(60) == 0, run.describe()
    times = {}
    for line in run.trace():
        frame = json.loads(line["frame"])
        if line["dir"] == "send" and frame[0] == 2 and frame[2] == "StatusNotification" \
                and frame[3]["status"] == "Preparing":
            times[line["cp"]] = line["ms"]
    assert len(times) == 3, times
    return [times[cp] for cp in sorted(times)]


def test_ranges_are_picked_per_charge_point_from_the_seed(csms, evc):
    a = plug_times(csms, evc, 7, "a")
    b = plug_times(csms, evc, 7, "b")
    c = plug_times(csms, evc, 8, "c")
    assert all(1000 <= t <= 310_000 for t in a + c), (a, c)
    assert all(abs(x - y) <= 5000 for x, y in zip(a, b)), f"the same seed, the same waits: {a} vs {b}"
    assert max(a) - min(a) > 5000, f"each charge point picks its own wait: {a}"
    assert any(abs(x - y) > 5000 for x, y in zip(a, c)), f"another seed, other waits: {a} vs {c}"


def test_an_offline_step_keeps_the_stop_until_the_online_step(csms, evc):
    scenario = f"""
ev = {toml_value(EV)}
[[step]]
wait = "2s"
do = "plug"
[[step]]
wait = "1s"
do = "tap"
card = "CARD-A"
[[step]]
until = "Charging"
wait = "5s"
do = "offline"
[[step]]
wait = "10s"
do = "unplug"
[[step]]
wait = "20s"
do = "online"
"""
    run = evc().start(csms.url, scenario=scenario, speed=10)
    assert run.wait_exit(60) == 0, run.describe()
    (start,) = csms.calls("StartTransaction")
    (stop,) = csms.calls("StopTransaction")
    assert stop.conn is not start.conn, "the stop waited for the next connection"
    assert stop.payload["reason"] == "EVDisconnected"
    later = [f for f in csms.calls("StatusNotification") if f.conn is stop.conn]
    assert later and stop.payload["timestamp"] < later[-1].payload["timestamp"], \
        "the stop keeps the time it happened, before the reconnection"
    assert run.summary()["transactions_stopped"] == 1
