"""ReserveNow / CancelReservation (Reservation profile) through the native runner: the
Reserved status, the reserved card starting with the reservationId, refusals, expiry."""

from datetime import datetime, timedelta, timezone

from ocpp.v16 import call

from .runner import EV, HOLD, steps

CP = "CP0000"


def later(seconds):
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat()


def test_the_reserved_card_starts_with_the_reservation_id(csms, evc):
    # The EV comes a minute (6 s at the suite's speed) after the boot: the reservation is made before.
    run = evc().start(csms.url, scenario=steps(
        {"wait": "60s", "do": "plug"}, {"wait": "2s", "do": "tap", "card": "RES-CARD"}, HOLD, ev=EV))
    csms.wait_registered()
    answer = csms.call(CP, call.ReserveNow(connector_id=1, expiry_date=later(3600), id_tag="RES-CARD",
                                           reservation_id=42))
    assert answer == {"status": "Accepted"}
    csms.wait_status("Reserved")
    assert csms.call(CP, call.ReserveNow(connector_id=1, expiry_date=later(3600), id_tag="OTHER",
                                         reservation_id=43)) == {"status": "Occupied"}
    assert csms.call(CP, call.RemoteStartTransaction(id_tag="OTHER")) == {"status": "Rejected"}
    (start,) = csms.wait_for("StartTransaction", timeout=60)
    assert start["reservationId"] == 42 and start["idTag"] == "RES-CARD"
    csms.wait_status("Charging")
    run.stop()


def test_cancel_and_refusals(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    assert csms.call(CP, call.ReserveNow(connector_id=0, expiry_date=later(600), id_tag="A",
                                         reservation_id=1)) == {"status": "Rejected"}
    assert csms.call(CP, call.ReserveNow(connector_id=1, expiry_date=later(600), id_tag="A",
                                         reservation_id=1)) == {"status": "Accepted"}
    csms.wait_status("Reserved")
    assert csms.call(CP, call.CancelReservation(reservation_id=2)) == {"status": "Rejected"}
    assert csms.call(CP, call.CancelReservation(reservation_id=1)) == {"status": "Accepted"}
    csms.wait(lambda: [p["status"] for p in csms.payloads("StatusNotification")
                       if p["connectorId"] == 1][-1] == "Available", what="Available again")
    run.stop()
