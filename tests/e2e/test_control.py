"""The control channel (`evc run --control ADDR`, docs/control.md): a test drives one
charge point of a fleet over a local WebSocket and checks what the CSMS saw. Also an
example of how a test kit uses it: every wait is a request that answers when its
condition holds (generous timeouts, no sleeps)."""

import itertools
import json
import re
import socket
import time

from websockets.sync.client import connect

from .test_cli_errors import exits


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Control:
    """A client of the control channel: `request` sends one request and returns its
    reply; stream messages that arrive meanwhile are kept in `stream`."""

    def __init__(self, url):
        self.ws = connect(url, open_timeout=10)
        self.ids = itertools.count(1)
        self.stream = []

    def send_raw(self, text, timeout=60):
        self.ws.send(text)
        return self.receive(lambda m: "id" in m, timeout)

    def receive(self, condition, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, "no reply from the control channel"
            message = json.loads(self.ws.recv(timeout=left))
            if "event" in message:
                self.stream.append(message)
                if condition(message):
                    return message
            elif condition(message):
                return message

    def request(self, verb, **fields):
        """`timeout` (seconds) goes into the request; the reply may take 30 s more."""
        rid = next(self.ids)
        self.ws.send(json.dumps({"id": rid, "verb": verb, **fields}))
        wait = fields.get("timeout", 30) + 30
        return self.receive(lambda m: m.get("id") == rid and "event" not in m, wait)

    def ok(self, verb, **fields):
        reply = self.request(verb, **fields)
        assert reply["ok"] is True, reply
        return reply

    def close(self):
        self.ws.close()


def start(csms, evc, *extra):
    port = free_port()
    run = evc().start(csms.url, "--count", "2", "--control", f"127.0.0.1:{port}", *extra)
    deadline = time.monotonic() + 60
    while "control channel on ws://" not in run.err():
        assert run.running() and time.monotonic() < deadline, run.describe()
        time.sleep(0.05)
    (url,) = re.findall(r"control channel on (ws://\S+/)", run.err())
    assert url == f"ws://127.0.0.1:{port}/"
    return run, Control(url)


def test_drive_one_charge_point_of_two(csms, evc):
    run, ctl = start(csms, evc)
    csms.wait_registered("CP0000")
    csms.wait_registered("CP0001")

    listed = ctl.ok("list")["cps"]
    assert [c["cp"] for c in listed] == ["CP0000", "CP0001"]
    assert all(c["registration"] == "Accepted" and c["link"] == "open" for c in listed), listed

    sub = ctl.ok("subscribe", cp="CP0001")
    assert sub["cp"] == "CP0001"
    assert ctl.ok("plug", cp="CP0001")["plugged"] is True
    ctl.ok("wait_status", cp="CP0001", status="Preparing", timeout=60)
    ctl.ok("tap", cp="CP0001", idTag="CARD-7")
    charging = ctl.ok("wait_status", cp="CP0001", status="Charging", timeout=60)
    assert charging["transaction"]["idTag"] == "CARD-7"

    (start_tx,) = csms.wait_for("StartTransaction", cp="CP0001")
    assert start_tx["idTag"] == "CARD-7" and start_tx["connectorId"] == 1
    assert csms.payloads("StartTransaction", cp="CP0000") == [], "only CP0001 was plugged"
    assert ctl.ok("status", cp="CP0000")["status"] == "Available"

    # The trace: the StartTransaction CALL as sent, with its sequence number and times.
    frames = ctl.ok("trace", cp="CP0001")["frames"]
    starts = [f for f in frames if f.get("action") == "StartTransaction"]
    assert len(starts) == 1 and starts[0]["dir"] == "send", frames
    assert json.loads(starts[0]["frame"])[3]["idTag"] == "CARD-7"
    assert all(f["t"].endswith("Z") and isinstance(f["ms"], int) for f in frames)
    seqs = [f["seq"] for f in frames]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # wait_frame with `since` finds a frame already sent.
    found = ctl.ok("wait_frame", cp="CP0001", action="StartTransaction", since=0, timeout=60)
    assert found["frame"]["seq"] == starts[0]["seq"]

    # The stream carried the status changes and the frames of CP0001 only.
    def charging_notice(m):
        return m.get("event") == "status" and m.get("status") == "Charging"

    if not any(charging_notice(m) for m in ctl.stream):
        ctl.receive(charging_notice, timeout=60)
    assert all(m["cp"] == "CP0001" and m["sub"] == sub["id"] for m in ctl.stream)
    assert any(m["event"] == "frame" and m.get("action") == "StartTransaction" for m in ctl.stream)

    # The EV pauses and resumes; the box's speed changes.
    ctl.ok("pause", cp="CP0001")
    ctl.ok("wait_status", cp="CP0001", status="SuspendedEV", timeout=60)
    ctl.ok("resume", cp="CP0001")
    ctl.ok("wait_status", cp="CP0001", status="Charging", timeout=60)
    assert ctl.ok("speed", cp="CP0001", speed=20)["speed"] == 20
    assert ctl.ok("status", cp="CP0000")["speed"] == 10, "only CP0001's speed changed"

    since = ctl.ok("status", cp="CP0001")["last_seq"]
    ctl.ok("unplug", cp="CP0001")
    stop = ctl.ok("wait_frame", cp="CP0001", action="StopTransaction", dir="send", since=since, timeout=60)
    assert json.loads(stop["frame"]["frame"])[3]["reason"] == "EVDisconnected"
    ctl.ok("wait_status", cp="CP0001", status="Available", timeout=60)
    (stop_tx,) = csms.wait_for("StopTransaction", cp="CP0001")
    assert stop_tx["reason"] == "EVDisconnected"

    # Bad requests: a specific error each, and the channel goes on.
    def error(reply):
        assert reply["ok"] is False, reply
        return reply["error"]["code"]

    assert error(ctl.send_raw("{nope")) == "bad_json"
    assert ctl.send_raw("{nope")["id"] is None
    assert error(ctl.send_raw('{"verb": "list"}')) == "missing_field"
    assert error(ctl.request("fly", cp="CP0001")) == "unknown_verb"
    assert error(ctl.request("plug", cp="CP9999")) == "unknown_cp"
    assert error(ctl.request("tap", cp="CP0001")) == "missing_field"
    assert error(ctl.request("fault", cp="CP0001", fault="Rain")) == "bad_field"
    assert error(ctl.request("unplug", cp="CP0001")) == "not_possible"
    assert error(ctl.request("wait_status", cp="CP0000", status="Charging", timeout=0.2)) == "timeout"
    assert "CP9999" in ctl.request("plug", cp="CP9999")["error"]["message"]
    assert ctl.ok("unsubscribe", cp="CP0001")["was_subscribed"] is True
    assert ctl.ok("status", cp="CP0001")["status"] == "Available"

    ctl.close()
    run.stop()


def test_a_fault_and_a_dropped_link(csms, evc):
    run, ctl = start(csms, evc)
    csms.wait_registered("CP0001")
    ctl.ok("fault", cp="CP0001", fault="HighTemperature")
    faulted = ctl.ok("wait_status", cp="CP0001", status="Faulted", timeout=60)
    assert faulted["error"] == "HighTemperature"
    ctl.ok("clear", cp="CP0001", fault="HighTemperature")
    ctl.ok("wait_status", cp="CP0001", status="Available", timeout=60)
    boots = len(csms.calls("BootNotification", cp="CP0001"))
    connections = len([c for c in csms.connections if c.cp == "CP0001"])
    ctl.ok("drop", cp="CP0001")
    csms.wait(lambda: len([c for c in csms.connections if c.cp == "CP0001"]) > connections,
              timeout=120, what="CP0001 to reconnect after the drop")
    assert len(csms.calls("BootNotification", cp="CP0001")) == boots, "a dropped link is no reboot"
    ctl.ok("wait_status", cp="CP0001", status="Available", timeout=60)

    # A factory reset: the box boots again, from its defaults.
    ctl.ok("reset", cp="CP0001")
    csms.wait_for("BootNotification", cp="CP0001", count=boots + 1, timeout=120)
    csms.wait(lambda: ctl.ok("status", cp="CP0001")["registration"] == "Accepted",
              timeout=120, what="CP0001 accepted after the reset")
    assert len(csms.calls("BootNotification", cp="CP0000")) == 1, "only CP0001 was reset"
    ctl.close()
    run.stop()


def test_only_loopback_unless_asked(evc, csms):
    run = evc().start(csms.url, "--control", "0.0.0.0:9")
    exits(run, 2, r"not a loopback address", r"--control-any-address")
    run = evc("bad").start(csms.url, "--control", "nowhere")
    exits(run, 2, r"--control nowhere")


def test_a_short_trace_and_a_stream_made_again(csms, evc):
    """`--control-trace N` keeps the last N frames; with 0 nothing is kept, yet the
    stream and `wait_frame` still see every new frame, and a stream ended by
    `unsubscribe` can be made again."""
    run, ctl = start(csms, evc, "--control-trace", "3")
    csms.wait_registered("CP0000")
    ctl.ok("plug", cp="CP0000")
    ctl.ok("tap", cp="CP0000", idTag="CARD-3")
    ctl.ok("wait_status", cp="CP0000", status="Charging", timeout=60)
    kept = ctl.ok("trace", cp="CP0000")
    assert len(kept["frames"]) == 3, kept
    assert kept["first_seq"] == kept["last_seq"] - 2 > 1, kept
    assert [f["seq"] for f in kept["frames"]] == list(range(kept["first_seq"], kept["last_seq"] + 1))
    ctl.close()
    run.stop()

    since = time.monotonic()
    run, ctl = start(csms, evc, "--control-trace", "0")
    # This run's own boot (the CSMS still holds the first run's), so that no boot-time
    # StatusNotification is still to come when the wait below goes out.
    csms.wait_status("Available", cp="CP0001", since=since, timeout=60)
    for _ in range(2):
        sub = ctl.ok("subscribe", cp="CP0001", events=False)
        assert ctl.ok("status", cp="CP0001")["last_seq"] > 0
        # Nothing is kept, so the wait goes out before the plug that makes the frame.
        ctl.ws.send(json.dumps({"id": "w", "verb": "wait_frame", "cp": "CP0001",
                                "action": "StatusNotification", "dir": "send", "timeout": 60}))
        ctl.ws.send(json.dumps({"id": "p", "verb": "plug", "cp": "CP0001"}))
        replies = {}
        while len(replies) < 2:
            m = ctl.receive(lambda m: m.get("id") in ("w", "p") and "event" not in m, timeout=90)
            replies[m["id"]] = m
        assert replies["p"]["ok"] is True and replies["w"]["ok"] is True, replies
        assert json.loads(replies["w"]["frame"]["frame"])[3]["status"] == "Preparing"
        def streamed(m):
            return m.get("sub") == sub["id"] and m.get("action") == "StatusNotification"

        if not any(streamed(m) for m in ctl.stream):
            ctl.receive(streamed, timeout=60)
        ctl.stream.clear()
        assert ctl.ok("trace", cp="CP0001")["frames"] == []
        assert ctl.ok("unsubscribe", cp="CP0001")["was_subscribed"] is True
        ctl.ok("unplug", cp="CP0001")
        ctl.ok("wait_status", cp="CP0001", status="Available", timeout=60)
    ctl.close()
    run.stop()


def test_the_csms_s_mistakes_are_streamed(csms, evc):
    """Each mistake of the CSMS reaches a subscriber as a `csms_mistake` event with its
    kind, action and message id; a correct request is not one."""
    run, ctl = start(csms, evc)
    csms.wait_registered("CP0001")
    ctl.ok("subscribe", cp="CP0001", frames=False)
    csms.send("CP0001", '[2,"e2e-ok","GetConfiguration",{}]', reply_id="e2e-ok")
    csms.send("CP0001", '[2,"e2e-schema","ChangeAvailability",{"connectorId":"one","type":"Operative"}]',
              reply_id="e2e-schema")
    csms.send("CP0001", '[2,"e2e-stop","RemoteStopTransaction",{"transactionId":999}]', reply_id="e2e-stop")
    csms.send("CP0001", '[3,"e2e-nobody",{}]', wait=False)

    def mistake(mid):
        def found(m):
            return m.get("event") == "csms_mistake" and m.get("messageId") == mid
        return next((m for m in ctl.stream if found(m)), None) or ctl.receive(found, timeout=60)

    schema = mistake("e2e-schema")
    assert schema["kind"] == "schema-violation" and schema["action"] == "ChangeAvailability", schema
    assert "connectorId" in schema["detail"], schema
    stop = mistake("e2e-stop")
    assert stop["kind"] == "senseless-request" and "999" in stop["detail"], stop
    nobody = mistake("e2e-nobody")
    assert nobody["kind"] == "unknown-or-late-answer" and nobody["action"] is None, nobody
    kinds = [m["messageId"] for m in ctl.stream if m.get("event") == "csms_mistake"]
    assert "e2e-ok" not in kinds and all(m["cp"] == "CP0001" for m in ctl.stream), ctl.stream
    ctl.close()
    # The run's summary counts them per kind, for the whole fleet.
    counts = run.stop()["csms_mistakes"]
    assert counts["schema-violation"] == 1 and counts["senseless-request"] == 1, counts
    assert counts["unknown-or-late-answer"] == 1 and sum(counts.values()) == 3, counts
