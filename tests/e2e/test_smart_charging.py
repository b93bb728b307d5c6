"""Smart Charging through the native runner: the product's limits answered exactly, the
composite schedule, and the offered current following the profiles (metered as
Current.Offered, drawn by the emulated EV, paused below 6 A)."""

import time

from ocpp.v16 import call

from .runner import EV, HOLD, charging, steps

CP = "CP0000"


def profile(pid, purpose="TxDefaultProfile", level=0, periods=((0, 10.0),), unit="A", **extra):
    return {"chargingProfileId": pid, "stackLevel": level, "chargingProfilePurpose": purpose,
            "chargingProfileKind": "Relative", **extra,
            "chargingSchedule": {"chargingRateUnit": unit, "chargingSchedulePeriod": [
                {"startPeriod": s, "limit": a} for s, a in periods]}}


def set_profile(csms, connector, p):
    return csms.call(CP, call.SetChargingProfile(connector_id=connector, cs_charging_profiles=p))["status"]


def test_the_limits_and_the_composite_schedule(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    assert set_profile(csms, 1, profile(1, level=6)) == "Rejected"
    six = [(i * 60, 6.0 + i) for i in range(6)]
    assert set_profile(csms, 1, profile(1, periods=six)) == "Rejected"
    assert set_profile(csms, 1, profile(1, unit="W", periods=[(0, 7000.0)])) == "Rejected"
    assert set_profile(csms, 1, profile(1, purpose="TxProfile")) == "Rejected"
    assert set_profile(csms, 2, profile(1)) == "Rejected"
    assert set_profile(csms, 1, profile(1, level=5, periods=six[:5])) == "Accepted"
    for pid in range(2, 10):
        connector, level = (0, pid - 2) if pid < 8 else (1, pid - 8)
        assert set_profile(csms, connector, profile(pid, level=level, periods=[(0, 16.0)])) == "Accepted"
    assert set_profile(csms, 1, profile(10, level=2)) == "Rejected"  # a 10th
    for args in [dict(connector_id=2, duration=60), dict(connector_id=1, duration=86_401),
                 dict(connector_id=1, duration=60, charging_rate_unit="W")]:
        assert csms.call(CP, call.GetCompositeSchedule(**args)) == {"status": "Rejected"}, args
    answer = csms.call(CP, call.GetCompositeSchedule(connector_id=1, duration=600))
    assert answer["status"] == "Accepted" and answer["connectorId"] == 1
    assert answer["chargingSchedule"]["chargingRateUnit"] == "A"
    # Without a transaction a Relative schedule is shown as if one started now.
    assert answer["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 6.0}, {"startPeriod": 60, "limit": 7.0}, {"startPeriod": 120, "limit": 8.0},
        {"startPeriod": 180, "limit": 9.0}, {"startPeriod": 240, "limit": 10.0}]
    assert csms.call(CP, call.ClearChargingProfile(id=1)) == {"status": "Accepted"}
    assert csms.call(CP, call.ClearChargingProfile(id=1)) == {"status": "Unknown"}
    assert csms.call(CP, call.ClearChargingProfile(connector_id=0)) == {"status": "Accepted"}
    run.stop()


def test_the_offered_current_follows_the_profiles(csms, evc):
    run = evc().start(csms.url, "--config", "MeterValueSampleInterval=5",
                      "--config", "MeterValuesSampledData=Current.Offered,Current.Import",
                      scenario=charging("CARD-S"))
    csms.wait_registered()
    assert set_profile(csms, 0, profile(1, periods=[(0, 10.0)])) == "Accepted"
    tx = csms.wait_transaction()
    csms.wait_status("Charging")

    def sampled(since):
        values = csms.wait_for("MeterValues", where=lambda p: p.get("transactionId") == tx, since=since)
        return {(v.get("measurand"), v.get("phase")): v["value"]
                for v in values[-1]["meterValue"][0]["sampledValue"]}

    values = sampled(time.monotonic())
    assert values[("Current.Offered", None)] == "10.0"
    assert values[("Current.Import", "L1")] == "10.0"
    # A TxProfile of 0 A pauses the transaction; clearing it resumes at 10 A.
    paused = profile(2, purpose="TxProfile", level=1, periods=[(0, 0.0)], transactionId=tx)
    since = time.monotonic()
    assert set_profile(csms, 1, paused) == "Accepted"
    csms.wait_status("SuspendedEVSE", since=since)
    since = time.monotonic()
    assert csms.call(CP, call.ClearChargingProfile(charging_profile_purpose="TxProfile")) == {"status": "Accepted"}
    csms.wait_status("Charging", since=since)
    assert sampled(time.monotonic())[("Current.Offered", None)] == "10.0"
    run.stop()


def test_a_remote_start_brings_its_tx_profile(csms, evc):
    run = evc().start(csms.url, "--config", "MeterValueSampleInterval=5",
                      "--config", "MeterValuesSampledData=Current.Offered",
                      scenario=steps({"wait": "5s", "do": "plug"}, HOLD, ev=EV))
    csms.wait_registered()
    csms.wait_status("Preparing")
    refused = profile(9, purpose="TxProfile", unit="W", periods=[(0, 7000.0)])
    assert csms.call(CP, call.RemoteStartTransaction(id_tag="REMOTE-9", charging_profile=refused)) == {
        "status": "Rejected"}
    answer = csms.call(CP, call.RemoteStartTransaction(
        id_tag="REMOTE-9", connector_id=1, charging_profile=profile(9, purpose="TxProfile", periods=[(0, 13.0)])))
    assert answer == {"status": "Accepted"}
    tx = csms.wait_transaction()
    values = csms.wait_for("MeterValues", where=lambda p: p.get("transactionId") == tx)
    offered = [v["value"] for v in values[-1]["meterValue"][0]["sampledValue"]
               if v.get("measurand") == "Current.Offered"]
    assert offered == ["13.0"]
    run.stop()
