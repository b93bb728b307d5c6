"""MeterValues: measurands, units, phases, context, the sample interval, StopTransaction's
transactionData, and clock-aligned samples. Timestamps are the charge point's clock, which
runs at --speed like every engine timer, so intervals are checked in its time."""

from datetime import timezone

from ocpp.v16 import call

from .runner import EV, HOLD, charging, steps
from .schemas import parse_time

ALL = ["Energy.Active.Import.Register", "Current.Import", "Current.Offered", "Temperature",
       "Voltage", "Power.Active.Import"]
UNITS = {"Energy.Active.Import.Register": "Wh", "Power.Active.Import": "W", "Current.Import": "A",
         "Current.Offered": "A", "Voltage": "V", "Temperature": "Celsius"}


def samples(meter_value):
    """(measurand, sampled value) pairs, defaults filled in as OCPP defines them."""
    return [(sv.get("measurand", "Energy.Active.Import.Register"), sv) for sv in meter_value["sampledValue"]]


def gaps(values):
    times = [parse_time(v["meterValue"][0]["timestamp"]) for v in values]
    return [(b - a).total_seconds() for a, b in zip(times, times[1:])]


def test_periodic_samples_of_every_measurand(csms, evc):
    run = evc().start(csms.url, "--config", "MeterValueSampleInterval=5",
                      "--config", "MeterValuesSampledData=" + ",".join(ALL),
                      "--config", "StopTxnSampledData=Energy.Active.Import.Register",
                      scenario=charging("CARD-MV"))
    tx = csms.wait_transaction()
    start = csms.payloads("StartTransaction")[0]
    values = csms.wait_for("MeterValues", count=4, timeout=60)[:4]
    energies = []
    for v in values:
        assert v["connectorId"] == 1 and v["transactionId"] == tx
        assert len(v["meterValue"]) == 1
        pairs = samples(v["meterValue"][0])
        names = sorted(m for m, _ in pairs)
        assert names == sorted(ALL + ["Current.Import"] * 2 + ["Voltage"] * 2), names
        for measurand, sv in pairs:
            assert sv.get("context", "Sample.Periodic") == "Sample.Periodic", sv
            assert sv.get("format", "Raw") == "Raw", sv
            assert sv.get("unit", "Wh") == UNITS[measurand], sv
            float(sv["value"])
        by = lambda m: [sv for name, sv in pairs if name == m]
        assert {sv["phase"] for sv in by("Current.Import")} == {"L1", "L2", "L3"}
        assert {sv["phase"] for sv in by("Voltage")} in ({"L1-N", "L2-N", "L3-N"}, {"L1", "L2", "L3"})
        assert float(by("Current.Offered")[0]["value"]) == 32.0
        assert all(0 < float(sv["value"]) <= 32.05 for sv in by("Current.Import"))
        assert all(200 <= float(sv["value"]) <= 260 for sv in by("Voltage"))
        assert float(by("Power.Active.Import")[0]["value"]) > 0
        assert -40 <= float(by("Temperature")[0]["value"]) <= 100
        energies.append(float(by("Energy.Active.Import.Register")[0]["value"]))
    assert energies == sorted(energies) and energies[0] >= start["meterStart"] and energies[-1] > energies[0]
    assert all(4.0 <= g <= 6.0 for g in gaps(values)), gaps(values)

    assert csms.call("CP0000", call.ChangeConfiguration(key="MeterValueSampleInterval", value="10")) == {
        "status": "Accepted"}
    seen = len(csms.payloads("MeterValues"))
    later = csms.wait_for("MeterValues", count=seen + 3, timeout=60)[seen:seen + 3]
    assert all(9.0 <= g <= 11.0 for g in gaps(later)), gaps(later)

    assert csms.call("CP0000", call.RemoteStopTransaction(transaction_id=tx)) == {"status": "Accepted"}
    (stop,) = csms.wait_for("StopTransaction")
    data = stop["transactionData"]
    contexts = [samples(mv)[0][1].get("context", "Sample.Periodic") for mv in data]
    assert contexts[0] == "Transaction.Begin" and contexts[-1] == "Transaction.End", contexts
    assert set(contexts[1:-1]) <= {"Sample.Periodic"}, contexts
    for mv in data:
        assert [m for m, _ in samples(mv)] == ["Energy.Active.Import.Register"], mv
    assert float(samples(data[0])[0][1]["value"]) == start["meterStart"]
    assert float(samples(data[-1])[0][1]["value"]) == stop["meterStop"]
    run.stop()


def test_the_default_samples_the_energy_register_only(csms, evc):
    run = evc().start(csms.url, "--config", "MeterValueSampleInterval=5", scenario=charging("CARD-E"))
    tx = csms.wait_transaction()
    for v in csms.wait_for("MeterValues", count=2, timeout=60):
        assert v["transactionId"] == tx
        (pair,) = samples(v["meterValue"][0])
        assert pair[0] == "Energy.Active.Import.Register" and pair[1].get("unit", "Wh") == "Wh"
    run.stop()


def test_clock_aligned_samples(csms, evc):
    run = evc().start(csms.url, "--config", "ClockAlignedDataInterval=300",
                      "--config", "MeterValuesAlignedData=Energy.Active.Import.Register,Voltage",
                      scenario=steps({"wait": "1s", "do": "plug"}, HOLD, ev=EV), speed=100)
    values = csms.wait_for("MeterValues", count=2, timeout=60)
    for v in values:
        assert "transactionId" not in v, "no transaction runs"
        (mv,) = v["meterValue"]
        assert {m for m, _ in samples(mv)} == {"Energy.Active.Import.Register", "Voltage"}
        assert all(sv.get("context") == "Sample.Clock" for _, sv in samples(mv))
        t = parse_time(mv["timestamp"]).astimezone(timezone.utc)
        seconds = t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6
        assert min(seconds % 300, 300 - seconds % 300) <= 1.0, f"{mv['timestamp']} is not on a 5-minute boundary"
    run.stop()
