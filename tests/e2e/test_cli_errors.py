"""How `evc run` fails: exit 2 for bad input (URL, scenario, state file, --config), exit 3
when the first connection fails (unreachable, HTTP 401/403/404/500, no ocpp1.6), each with
a message naming the problem; --keep-trying waits for the CSMS instead."""

import re
import socket
import time

import pytest

from .csms import Csms
from .runner import steps


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exits(run, code, *patterns, timeout=30):
    got = run.wait_exit(timeout)
    err = run.err()
    assert got == code, f"exit {got}, expected {code}\n{run.describe()}"
    for pattern in patterns:
        assert re.search(pattern, err, re.IGNORECASE), f"stderr does not match {pattern!r}:\n{err}"
    return err


@pytest.mark.parametrize("url, pattern", [
    ("ws://127.0.0.1:9/ocpp", r"end|trailing|slash"),
    ("ws://127.0.0.1:9", r"end|trailing|slash"),
    ("http://127.0.0.1:9/", r"ws://|wss://|scheme"),
    ("127.0.0.1:9/", r"ws://|wss://|scheme|url"),
])
def test_bad_url(evc, url, pattern):
    exits(evc().start(url), 2, pattern)


def test_unreachable_csms(evc):
    exits(evc().start(f"ws://127.0.0.1:{free_port()}/"), 3, r"refused|unreachable")


@pytest.mark.parametrize("status", [401, 403, 404, 500])
def test_handshake_refused_with_http_status(csms, evc, status):
    csms.policy.http_status = status
    exits(evc().start(csms.url), 3, str(status))
    assert csms.connections == []


def test_csms_without_ocpp16(evc):
    csms = Csms()
    csms.policy.subprotocol = False
    csms.start()
    try:
        exits(evc().start(csms.url), 3, r"ocpp1\.6")
    finally:
        csms.close()
    assert csms.calls() == [], "nothing is sent on a connection without the subprotocol"


def test_keep_trying_waits_for_the_csms(evc):
    port = free_port()
    run = evc().start(f"ws://127.0.0.1:{port}/", "--keep-trying")
    time.sleep(2.0)
    assert run.running(), run.describe()
    csms = Csms(port).start()
    try:
        csms.wait_registered(timeout=60)
        run.stop()
    finally:
        csms.close()
    assert csms.violations == []


@pytest.mark.parametrize("scenario, pattern", [
    ("[[step]\ndo = 'plug'\n", r"scenario\.toml|toml|scenario"),
    ('[[step]]\ndo = "dance"\n', r"dance"),
    ('[[step]]\nwait = "5 parsecs"\ndo = "plug"\n', r"parsecs|wait|duration"),
    ('[[step]]\ndo = "fault"\nfault = "Gremlins"\n', r"Gremlins"),
    ('speed = "fast"\n', r"speed"),
    ('[[step]]\ndo = "csms"\naction = "Reset"\npayload = \'{"type": "Soft"}\'\n', r"demo CSMS"),
])
def test_bad_scenario(csms, evc, scenario, pattern):
    exits(evc().start(csms.url, scenario=scenario), 2, pattern)
    assert csms.connections == []


def test_missing_scenario_file(csms, evc, tmp_path):
    exits(evc().start(csms.url, "--scenario", tmp_path / "nowhere.toml"), 2, r"nowhere\.toml")


def test_corrupt_state_file(csms, evc):
    run = evc()
    run.state_dir.mkdir(parents=True)
    (run.state_dir / "CP0000.json").write_text('{"format": 1, "outbox": [')
    exits(run.start(csms.url), 2, r"CP0000\.json")
    assert csms.connections == []
    assert (run.state_dir / "CP0000.json").read_text() == '{"format": 1, "outbox": [', "left as it was"


@pytest.mark.parametrize("setting, pattern", [
    ("HeartbeatInterval=59", "HeartbeatInterval"),
    ("MeterValueSampleInterval=4", "MeterValueSampleInterval"),
    ("NoSuchKey=1", "NoSuchKey"),
    ("NumberOfConnectors=2", "NumberOfConnectors"),
    ("MeterValuesSampledData=Voltage,SoC", "MeterValuesSampledData"),
    ("AuthorizationKey=Secr3tValue", "AuthorizationKey"),
    ("HeartbeatInterval", "HeartbeatInterval"),
])
def test_refused_config(csms, evc, setting, pattern):
    err = exits(evc().start(csms.url, "--config", setting), 2, pattern)
    assert csms.connections == []
    if setting.startswith("AuthorizationKey"):
        assert "Secr3tValue" not in err, "the AuthorizationKey is never shown"


@pytest.mark.parametrize("args", [("--variant", "bogus"), ("--security-profile", "4"), ("--speed", "fast"),
                                  ("--progress", "sometimes"), ("--duration", "soon")])
def test_bad_options(csms, evc, args):
    exits(evc().start(csms.url, *args), 2)
    assert csms.connections == []


def test_a_scenario_run_ends_by_itself_with_exit_0(csms, evc):
    run = evc().start(csms.url, scenario=steps({"wait": "1s", "do": "plug"}, {"wait": "1s", "do": "unplug"}))
    assert run.wait_exit(30) == 0, run.describe()
    assert run.summary()["charge_points"] == 1
    assert csms.closed_cleanly(csms.connection())
