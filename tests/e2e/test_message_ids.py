"""Message ids never repeat (defect 11, the runner's side): the engine draws a per-boot
prefix from the entropy the runner gives it, fresh at every start of the process, so two
runs on the same state dir and the connections of one run never reuse an id."""

from ocpp.v16 import call


def call_ids(csms):
    return [f.id for f in csms.calls(cp="CP0000")]


def test_ids_differ_across_runs_on_one_state_dir_and_across_a_reconnect(csms, evc):
    first = evc("first").start(csms.url, "--keep-trying")
    csms.wait_registered()
    csms.stop()  # the link drops; the charge point reconnects once the CSMS is back
    csms.start()
    csms.wait(lambda: len(csms.connections) >= 2 and not csms.connection().closed,
              what="the second connection")
    answer = csms.call("CP0000", call.TriggerMessage(requested_message="Heartbeat"))
    assert answer == {"status": "Accepted"}
    csms.wait_for("Heartbeat")
    first.stop()
    before = call_ids(csms)
    assert len(before) == len(set(before)), f"an id repeated across the reconnect: {before}"

    second = evc("second").start(csms.url, state_dir=first.state_dir)
    csms.wait_for("BootNotification", count=2)
    second.stop()
    boots = [f.id for f in csms.calls("BootNotification", cp="CP0000")]
    assert len(boots) == 2 and boots[0] != boots[1], boots
    ids = call_ids(csms)
    assert len(ids) == len(set(ids)), f"the second run reused an id of the first: {ids}"
