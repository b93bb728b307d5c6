"""The Security extension's messages end to end (OCPP 1.6 Security Whitepaper ed. 2):
GetLog to a real HTTP server with its LogStatusNotifications, SecurityEventNotification
at the moments the whitepaper names (and delivered after the CSMS was down),
ExtendedTriggerMessage for every message it names, and the box's private key never
leaving its state file."""

import time
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from ocpp.v16 import call

from . import pki
from .files import FtpFiles, HttpFiles, free_port
from .test_firmware import pack, update, wait_final

CP = "CP0000"
KEY = "0123456789abcdef0123456789abcdef"
SLACK = timedelta(seconds=5)  # between a moment seen by the test and the box's timestamp of it


def utc(offset=0.0):
    return datetime.now(timezone.utc) + timedelta(seconds=offset)


def parse(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


@pytest.fixture
def http(tmp_path):
    server = HttpFiles(tmp_path / "www")
    yield server
    server.close()


def events(csms, kind, since=0.0):
    return [f for f in csms.calls("SecurityEventNotification", CP, since) if f.payload["type"] == kind]


def wait_event(csms, kind, since=0.0, timeout=30):
    csms.wait(lambda: events(csms, kind, since), timeout, f"SecurityEventNotification {kind}")
    return events(csms, kind, since)[0]


def log_statuses(csms, request_id, since=0.0):
    return [p["status"] for p in csms.payloads("LogStatusNotification", CP, since)
            if p.get("requestId") == request_id]


def get_log(csms, kind, request_id, location, **kw):
    log = {"remoteLocation": location}
    answer = csms.call(CP, call.GetLog(log_type=kind, request_id=request_id, log=log, **kw))
    assert answer["status"] == "Accepted", answer
    return answer["filename"]


# ---- GetLog --------------------------------------------------------------------------


def test_get_log_uploads_the_security_log_and_the_diagnostics(csms, evc, http):
    evc().start(csms.url)
    csms.wait_registered()
    wait_event(csms, "StartupOfTheDevice")

    name = get_log(csms, "SecurityLog", 7, http.url("upload/"))
    assert name.startswith(f"{CP}-securitylog-") and name.endswith(".log"), name
    csms.wait(lambda: "Uploaded" in log_statuses(csms, 7) or "UploadFailure" in log_statuses(csms, 7),
              what="the SecurityLog upload to end")
    assert log_statuses(csms, 7) == ["Uploading", "Uploaded"]
    ((filename, body),) = http.uploads
    assert filename == name
    text = body.decode()
    assert "StartupOfTheDevice" in text, text[:2000]
    assert "HeartbeatInterval" not in text, "the security log, not the diagnostics"

    name = get_log(csms, "DiagnosticsLog", 8, http.url("upload/"))
    assert name.startswith(f"{CP}-diagnosticslog-"), name
    csms.wait(lambda: "Uploaded" in log_statuses(csms, 8) or "UploadFailure" in log_statuses(csms, 8),
              what="the DiagnosticsLog upload to end")
    assert log_statuses(csms, 8) == ["Uploading", "Uploaded"]
    filename, body = http.uploads[1]
    assert filename == name
    text = body.decode()
    assert CP in text and "HeartbeatInterval" in text and "BootNotification" in text, text[:2000]


def test_get_log_keeps_to_the_window_asked_for_and_goes_over_ftp(csms, evc, tmp_path):
    ftp = FtpFiles(tmp_path / "ftp")
    try:
        # One folder per request: two GetLogs in one second get the same file name.
        for request_id in (40, 41):
            (ftp.root / f"logs{request_id}").mkdir()
        evc().start(csms.url, speed=None)
        csms.wait_registered()
        wait_event(csms, "StartupOfTheDevice")
        iso = lambda t: t.isoformat(timespec="seconds").replace("+00:00", "Z")
        windows = {40: {"latestTimestamp": iso(utc(-3600))}, 41: {"oldestTimestamp": iso(utc(-3600))}}
        names = {}
        for request_id, window in windows.items():
            log = {"remoteLocation": ftp.url(f"logs{request_id}/"), **window}
            answer = csms.call(CP, call.GetLog(log_type="SecurityLog", request_id=request_id, log=log))
            assert answer["status"] == "Accepted", answer
            names[request_id] = answer["filename"]
            csms.wait(lambda: {"Uploaded", "UploadFailure"} & set(log_statuses(csms, request_id)),
                      what=f"GetLog {request_id}")
            assert log_statuses(csms, request_id) == ["Uploading", "Uploaded"]
        before = (ftp.root / "logs40" / names[40]).read_text()
        recent = (ftp.root / "logs41" / names[41]).read_text()
        assert CP in before and "StartupOfTheDevice" not in before, "nothing is older than an hour ago"
        assert "StartupOfTheDevice" in recent
    finally:
        ftp.close()


def test_get_log_to_a_refused_port_is_upload_failure_after_the_retries(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    get_log(csms, "SecurityLog", 9, f"http://127.0.0.1:{free_port()}/up/", retries=1, retry_interval=1)
    csms.wait(lambda: {"Uploaded", "UploadFailure"} & set(log_statuses(csms, 9)), timeout=60,
              what="the upload to end")
    seen = log_statuses(csms, 9)
    assert seen[0] == "Uploading" and seen[-1] == "UploadFailure", seen
    assert "connection refused" in run.err(), run.err()[-2000:]


def test_a_refusing_server_ends_the_upload_at_once_with_its_reason(csms, evc, http):
    """A status another attempt would not change: 403 is PermissionDenied, 400 BadMessage."""
    evc().start(csms.url)
    csms.wait_registered()
    for request_id, (code, final) in enumerate([(403, "PermissionDenied"), (400, "BadMessage")], start=20):
        http.refuse_uploads = code
        get_log(csms, "SecurityLog", request_id, http.url("up/"), retries=3, retry_interval=30)
        csms.wait(lambda: final in log_statuses(csms, request_id), timeout=20, what=final)
        assert log_statuses(csms, request_id) == ["Uploading", final]
    assert http.uploads == []


def test_a_new_get_log_cancels_the_one_in_progress(csms, evc, http):
    evc().start(csms.url)
    csms.wait_registered()
    # The first waits for its next attempt (a refused port, 30 s apart) when the second comes.
    get_log(csms, "SecurityLog", 30, f"http://127.0.0.1:{free_port()}/up/", retries=3, retry_interval=30)
    csms.wait_for("LogStatusNotification", where=lambda p: p.get("requestId") == 30)
    answer = csms.call(CP, call.GetLog(log_type="DiagnosticsLog", request_id=31,
                                       log={"remoteLocation": http.url("up/")}))
    assert answer["status"] == "AcceptedCanceled" and answer["filename"].startswith(f"{CP}-diagnosticslog-")
    csms.wait(lambda: "Uploaded" in log_statuses(csms, 31), what="the second upload")
    assert len(http.uploads) == 1


def test_get_log_without_a_usable_location_is_rejected(csms, evc):
    evc().start(csms.url)
    csms.wait_registered()
    answer = csms.call(CP, call.GetLog(log_type="SecurityLog", request_id=3, log={"remoteLocation": "nowhere"}))
    assert answer == {"status": "Rejected"}


def test_extended_trigger_of_log_status_reports_idle_when_nothing_runs(csms, evc):
    evc().start(csms.url)
    csms.wait_registered()
    since = time.monotonic()
    answer = csms.call(CP, call.ExtendedTriggerMessage(requested_message="LogStatusNotification"))
    assert answer == {"status": "Accepted"}
    (sent,) = csms.wait_for("LogStatusNotification", CP, since=since)
    assert sent["status"] == "Idle", sent


# ---- SecurityEventNotification -------------------------------------------------------


def test_startup_of_the_device_at_boot_and_reset_or_reboot_on_a_reset(csms, evc):
    started = utc()
    evc().start(csms.url, speed=None)
    csms.wait_registered()
    startup = wait_event(csms, "StartupOfTheDevice")
    boot = csms.calls("BootNotification")[0]
    assert startup.at > boot.at, "after the BootNotification was accepted"
    assert started - SLACK <= parse(startup.payload["timestamp"]) <= utc() + SLACK

    asked, since = utc(), time.monotonic()
    assert csms.call(CP, call.Reset(type="Soft")) == {"status": "Accepted"}
    reset = wait_event(csms, "ResetOrReboot", since=since, timeout=60)
    assert asked - SLACK <= parse(reset.payload["timestamp"]) <= utc() + SLACK
    csms.wait_for("BootNotification", count=2)
    wait_event(csms, "StartupOfTheDevice", since=since, timeout=60)


def test_setting_system_time_when_the_csms_clock_differs(csms, evc):
    csms.policy.clock_offset = 3600.0
    evc().start(csms.url, speed=None)
    csms.wait_registered()
    moved = wait_event(csms, "SettingSystemTime")
    assert moved.at > csms.calls("BootNotification")[0].at
    stamp = parse(moved.payload["timestamp"])
    # The moment is the boot answer's, on the box's clock before or after the step.
    assert min(abs(stamp - utc()), abs(stamp - utc(3600))) <= SLACK, stamp
    assert events(csms, "SettingSystemTime") == [moved], "one step, one event"

    csms.policy.clock_offset = 0.0  # the CSMS's clock is put right: the Heartbeat's time steps back
    since = time.monotonic()
    assert csms.call(CP, call.TriggerMessage(requested_message="Heartbeat")) == {"status": "Accepted"}
    back = wait_event(csms, "SettingSystemTime", since=since)
    assert back.at > csms.calls("Heartbeat", since=since)[0].at
    stamp = parse(back.payload["timestamp"])
    assert min(abs(stamp - utc()), abs(stamp - utc(3600))) <= SLACK, stamp


def test_no_setting_system_time_when_the_clocks_agree(csms, evc):
    evc().start(csms.url, speed=None)
    csms.wait_registered()
    wait_event(csms, "StartupOfTheDevice")
    since = time.monotonic()
    assert csms.call(CP, call.TriggerMessage(requested_message="Heartbeat")) == {"status": "Accepted"}
    csms.wait_for("Heartbeat", since=since)
    csms.call(CP, call.GetConfiguration(key=["HeartbeatInterval"]))  # a round trip after it
    assert events(csms, "SettingSystemTime") == []


def test_firmware_updated_after_an_install(csms, evc, evc_bin, http):
    pack(evc_bin, http.root / "fw.bin", "1.21.0", "--size", "2000")
    evc().start(csms.url, speed=None)
    csms.wait_registered()
    update(csms, http.url("fw.bin"))
    seen = wait_final(csms, {"Installed", "InstallationFailed", "DownloadFailed"})
    assert seen[-1] == "Installed", seen
    updated = wait_event(csms, "FirmwareUpdated", timeout=60)
    second_boot = csms.calls("BootNotification")[1]
    assert second_boot.payload["firmwareVersion"] == "1.21.0"
    assert updated.at > second_boot.at
    booted = datetime.fromtimestamp(time.time() - (time.monotonic() - second_boot.at), timezone.utc)
    assert booted - SLACK <= parse(updated.payload["timestamp"]) <= utc() + SLACK
    assert len(events(csms, "FirmwareUpdated")) == 1


def test_reconfiguration_after_a_security_parameter_change(csms, evc):
    csms.policy.password = KEY
    evc().start(csms.url, "--auth-key", KEY, speed=None)
    csms.wait_registered()
    before = len(events(csms, "ReconfigurationOfSecurityParameters"))
    new_key = "N" * 8 + KEY
    asked, since = utc(), time.monotonic()
    csms.policy.password = new_key
    assert csms.call(CP, call.ChangeConfiguration(key="AuthorizationKey", value=new_key)) == {"status": "Accepted"}
    event = wait_event(csms, "ReconfigurationOfSecurityParameters", since=since)
    assert len(events(csms, "ReconfigurationOfSecurityParameters")) == before + 1
    assert asked - SLACK <= parse(event.payload["timestamp"]) <= utc() + SLACK
    assert new_key not in event.text and KEY not in event.text


def test_security_log_was_cleared_when_the_log_starts_dropping_lines(csms, evc):
    """The box has no command that clears its security log (64 lines): it reports
    SecurityLogWasCleared when the ring starts dropping its oldest lines (its choice)."""
    evc().start(csms.url)
    csms.wait_registered()
    wait_event(csms, "StartupOfTheDevice")
    for n in range(70):  # each refusal is a line of the security log
        answer = csms.call(CP, call.GetLog(log_type="SecurityLog", request_id=100 + n,
                                           log={"remoteLocation": "nowhere"}))
        assert answer == {"status": "Rejected"}
    wait_event(csms, "SecurityLogWasCleared")
    csms.call(CP, call.GetConfiguration(key=["HeartbeatInterval"]))
    assert len(events(csms, "SecurityLogWasCleared")) == 1


def test_events_raised_while_the_csms_is_down_come_after_it_is_back(csms, evc):
    """A Reset reboots the box while the CSMS refuses every handshake (503, down for
    maintenance; a runner that never connected would exit, so the CSMS is not simply
    stopped): the power-on's events wait in the queue and come once it is back."""
    run = evc().start(csms.url, speed=None)
    csms.wait_registered()
    wait_event(csms, "StartupOfTheDevice")
    csms.policy.http_status = 503
    asked, since = utc(), time.monotonic()
    refused = len(csms.handshakes)
    assert csms.call(CP, call.Reset(type="Hard")) == {"status": "Accepted"}
    csms.wait(lambda: len(csms.handshakes) >= refused + 2, timeout=60, what="refused reconnects")
    back, restarted = utc(), time.monotonic()
    csms.policy.http_status = None
    startup = wait_event(csms, "StartupOfTheDevice", since=restarted, timeout=90)
    reset = wait_event(csms, "ResetOrReboot", since=since, timeout=30)
    assert asked - SLACK <= parse(startup.payload["timestamp"]) < back, "raised at the power-on, while down"
    assert parse(reset.payload["timestamp"]) <= parse(startup.payload["timestamp"])
    assert run.running()


# ---- ExtendedTriggerMessage ----------------------------------------------------------

TRIGGERED = [
    ("BootNotification", "BootNotification", {}),
    ("LogStatusNotification", "LogStatusNotification", {}),
    ("FirmwareStatusNotification", "FirmwareStatusNotification", {}),
    ("Heartbeat", "Heartbeat", {}),
    ("MeterValues", "MeterValues", {"connector_id": 1}),
    ("SignChargePointCertificate", "SignCertificate", {}),
    ("StatusNotification", "StatusNotification", {}),
    ("StatusNotification", "StatusNotification", {"connector_id": 1}),
]


@pytest.mark.parametrize("message,action,kw", TRIGGERED, ids=[f"{m}{kw}" for m, _, kw in TRIGGERED])
def test_extended_trigger_sends_the_message(shared, message, action, kw):
    since = time.monotonic()
    answer = shared.call(CP, call.ExtendedTriggerMessage(requested_message=message, **kw))
    assert answer == {"status": "Accepted"}
    # StatusNotification without a connector comes for connector 0 and 1: wait for both,
    # or the second would be taken for the next case's.
    shared.wait_for(action, CP, since=since, count=2 if action == "StatusNotification" and not kw else 1)
    frames = list(shared.frames)
    result = max(i for i, f in enumerate(frames) if f.incoming and f.type == 3
                 and f.action == "ExtendedTriggerMessage")
    sent = min(i for i, f in enumerate(frames) if f.incoming and f.type == 2 and f.action == action
               and f.at >= since)
    assert sent > result, "the message follows the answer"


@pytest.mark.parametrize("message", ["StatusNotification", "MeterValues"])
def test_extended_trigger_for_connector_2_is_rejected(shared, message):
    answer = shared.call(CP, call.ExtendedTriggerMessage(requested_message=message, connector_id=2))
    assert answer == {"status": "Rejected"}


# ---- the private key never leaves the state file ------------------------------------

def test_the_private_key_appears_only_in_the_state_file(csms, evc, http):
    run = evc().start(csms.url, log="debug")
    csms.wait_registered()
    root = pki.make_ca()
    assert csms.call(CP, call.InstallCertificate(certificate_type="CentralSystemRootCertificate",
                                                 certificate=root.pem))["status"] == "Accepted"
    csms.policy.sign_certificate = "Accepted"
    since = time.monotonic()
    assert csms.call(CP, call.ExtendedTriggerMessage(requested_message="SignChargePointCertificate")) == {
        "status": "Accepted"}
    csr = x509.load_pem_x509_csr(csms.wait_for("SignCertificate", since=since)[0]["csr"].encode())
    leaf = root.sign(csr.public_key(), CP)
    assert csms.call(CP, call.CertificateSigned(certificate_chain=pki.pem(leaf))) == {"status": "Accepted"}
    since = time.monotonic()
    assert csms.call(CP, call.ExtendedTriggerMessage(requested_message="SignChargePointCertificate")) == {
        "status": "Accepted"}
    pending = x509.load_pem_x509_csr(csms.wait_for("SignCertificate", since=since)[0]["csr"].encode())

    get_log(csms, "SecurityLog", 1, http.url("up/"))
    csms.wait(lambda: "Uploaded" in log_statuses(csms, 1), what="the SecurityLog upload")
    get_log(csms, "DiagnosticsLog", 2, http.url("up/"))
    csms.wait(lambda: "Uploaded" in log_statuses(csms, 2), what="the DiagnosticsLog upload")
    csms.call(CP, call.GetDiagnostics(location=http.url("up/")))
    csms.wait(lambda: len(http.uploads) == 3, what="the GetDiagnostics upload")
    run.stop()

    # The state holds the keys (as secret hex): the one certified and the pending one.
    found = pki.keys_in_state(run.state_dir, {"certified": csr.public_key(), "pending": pending.public_key()})
    outside = pki.runner_texts(run, csms)
    outside.update({f"upload {name}": body.decode(errors="replace") for name, body in http.uploads})
    pki.assert_keys_absent(found, outside, public=[root.cert, leaf])
