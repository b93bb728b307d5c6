"""Firmware Management for real: `evc run` against real HTTP and FTP servers on 127.0.0.1
(http.server, pyftpdlib), the CSMS (PyPI `ocpp`) checking every frame. UpdateFirmware
downloads, checks and installs a file made by `evc firmware pack`, reboots with the new
firmwareVersion and reports Installed; every failure (404, a refused port, a corrupt
file) ends in its status with the reason in the runner's log; GetDiagnostics uploads a
real log by multipart POST and by FTP."""

import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
from ocpp.v16 import call

from .files import FtpFiles, HttpFiles, free_port
from .runner import charging

CP = "CP0000"
OLD = "1.0.0-evc-playground"


def iso(t):
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


def utcnow():
    return datetime.now(timezone.utc)


def statuses(csms, action="FirmwareStatusNotification", since=0.0):
    return [p["status"] for p in csms.payloads(action, CP, since)]


def wait_final(csms, finals, action="FirmwareStatusNotification", since=0.0, timeout=60):
    csms.wait(lambda: any(s in finals for s in statuses(csms, action, since)), timeout,
              f"{action} to reach one of {sorted(finals)}")
    return statuses(csms, action, since)


@pytest.fixture
def http(tmp_path):
    server = HttpFiles(tmp_path / "www")
    yield server
    server.close()


@pytest.fixture
def ftp(tmp_path):
    server = FtpFiles(tmp_path / "ftp")
    yield server
    server.close()


def pack(evc_bin, path, version, *extra):
    out = subprocess.run([str(evc_bin), "firmware", "pack", "--version", version, "-o", str(path), *extra],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return path


def update(csms, location, retrieve=None, **kw):
    answer = csms.call(CP, call.UpdateFirmware(location=location, retrieve_date=iso(retrieve or utcnow()), **kw))
    assert answer == {}, answer


def test_pack_and_check_judge_files_as_the_box_does(evc_bin, tmp_path):
    fw = pack(evc_bin, tmp_path / "fw.bin", "1.13.0", "--size", "5000")
    check = subprocess.run([str(evc_bin), "firmware", "check", str(fw)], capture_output=True, text=True)
    assert check.returncode == 0 and "firmware 1.13.0 for TeltoCharge" in check.stdout, check
    data = fw.read_bytes()
    assert data.startswith(b"EVC-FIRMWARE 1\n")
    broken = tmp_path / "broken.bin"
    broken.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    bad = subprocess.run([str(evc_bin), "firmware", "check", str(broken)], capture_output=True, text=True)
    assert bad.returncode == 1 and "SHA-256" in bad.stderr, bad
    other = pack(evc_bin, tmp_path / "other.bin", "2.0.0", "--product", "OtherBox", "--size", "10")
    wrong = subprocess.run([str(evc_bin), "firmware", "check", str(other)], capture_output=True, text=True)
    assert wrong.returncode == 1 and "OtherBox" in wrong.stderr, wrong


def test_update_over_http_installs_reboots_and_reports_installed(csms, evc, evc_bin, http):
    pack(evc_bin, http.root / "fw-1.13.0.bin", "1.13.0", "--size", "300000")
    run = evc().start(csms.url)
    csms.wait_registered()
    assert csms.payloads("BootNotification")[0]["firmwareVersion"] == OLD
    update(csms, http.url("fw-1.13.0.bin"))
    seen = wait_final(csms, {"Installed", "InstallationFailed", "DownloadFailed"})
    assert seen == ["Downloading", "Downloaded", "Installing", "Installed"], seen
    boots = csms.payloads("BootNotification")
    assert [b["firmwareVersion"] for b in boots] == [OLD, "1.13.0"]
    # Installed comes after the boot that carries the new version.
    installed = [f for f in csms.calls("FirmwareStatusNotification") if f.payload["status"] == "Installed"][0]
    assert installed.at > csms.calls("BootNotification")[-1].at
    assert len(http.gets("fw-1.13.0.bin")) == 1
    # A restart keeps the new version (it is durable).
    run.stop()
    evc("again").start(csms.url, state_dir=run.state_dir)
    csms.wait_for("BootNotification", count=3)
    assert csms.payloads("BootNotification")[-1]["firmwareVersion"] == "1.13.0"


def test_a_404_is_download_failed_after_the_retries(csms, evc, http):
    run = evc().start(csms.url)
    csms.wait_registered()
    update(csms, http.url("missing.bin"), retries=2, retry_interval=5)
    seen = wait_final(csms, {"DownloadFailed", "Downloaded"})
    assert seen[-1] == "DownloadFailed" and "Installing" not in seen, seen
    assert len(http.gets("missing.bin")) >= 2, http.requests
    assert "404" in run.err(), run.err()[-2000:]
    assert len(csms.payloads("BootNotification")) == 1


def test_a_refused_port_is_download_failed_with_the_reason(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    update(csms, f"http://127.0.0.1:{free_port()}/fw.bin", retries=1, retry_interval=1)
    seen = wait_final(csms, {"DownloadFailed", "Downloaded"})
    assert seen[-1] == "DownloadFailed", seen
    assert "connection refused" in run.err(), run.err()[-2000:]


def test_a_corrupt_file_is_installation_failed_and_the_old_version_stays(csms, evc, evc_bin, http):
    fw = pack(evc_bin, http.root / "fw.bin", "1.14.0", "--size", "20000")
    data = bytearray(fw.read_bytes())
    data[-100] ^= 0xFF
    fw.write_bytes(bytes(data))
    run = evc().start(csms.url)
    csms.wait_registered()
    update(csms, http.url("fw.bin"))
    seen = wait_final(csms, {"Installed", "InstallationFailed", "DownloadFailed"})
    assert seen == ["Downloading", "Downloaded", "Installing", "InstallationFailed"], seen
    assert "SHA-256" in run.err(), run.err()[-2000:]
    time.sleep(1)
    assert [b["firmwareVersion"] for b in csms.payloads("BootNotification")] == [OLD]


def test_nothing_is_fetched_before_the_retrieve_date(csms, evc, evc_bin, http):
    pack(evc_bin, http.root / "fw.bin", "1.15.0", "--size", "1000")
    evc().start(csms.url, speed=1)
    csms.wait_registered()
    # Whole seconds: the date goes on the wire to the second, so compare with that.
    retrieve = (utcnow() + timedelta(seconds=4)).replace(microsecond=0)
    update(csms, http.url("fw.bin"), retrieve=retrieve)
    wait_final(csms, {"Installed", "InstallationFailed", "DownloadFailed"}, timeout=90)
    (got,) = http.gets("fw.bin")
    assert got >= retrieve.timestamp() - 0.5, (got, retrieve.timestamp())


def test_the_install_waits_for_the_transaction_to_end(csms, evc, evc_bin, http):
    pack(evc_bin, http.root / "fw.bin", "1.16.0", "--size", "1000")
    scenario = charging("CARD-F", {"until": "Charging", "wait": "60s", "do": "unplug"}, hold=True)
    evc().start(csms.url, scenario=scenario)
    csms.wait_transaction()
    update(csms, http.url("fw.bin"))
    csms.wait(lambda: "Downloaded" in statuses(csms), 60, "Downloaded")
    assert "Installing" not in statuses(csms), "no install while a transaction runs"
    (stop,) = csms.wait_for("StopTransaction", timeout=90)
    seen = wait_final(csms, {"Installed", "InstallationFailed"})
    assert seen[-1] == "Installed", seen
    installing = [f for f in csms.calls("FirmwareStatusNotification") if f.payload["status"] == "Installing"][0]
    assert installing.at > csms.calls("StopTransaction")[0].at


def test_a_runner_killed_during_the_download_ends_in_a_defined_status(csms, evc, evc_bin, http):
    pack(evc_bin, http.root / "fw.bin", "1.17.0", "--size", "400000")
    http.delay = 0.05  # about 80 KiB/s: the download takes seconds
    first = evc("first").start(csms.url)
    csms.wait_registered()
    update(csms, http.url("fw.bin"), retries=3, retry_interval=10)
    csms.wait(lambda: http.gets("fw.bin"), 30, "the download to start")
    time.sleep(0.5)
    first.kill()
    http.delay = 0
    evc("second").start(csms.url, state_dir=first.state_dir)
    seen = wait_final(csms, {"Installed", "InstallationFailed", "DownloadFailed"}, timeout=90)
    assert seen[-1] == "Installed", seen
    assert len(http.gets("fw.bin")) >= 2
    assert csms.payloads("BootNotification")[-1]["firmwareVersion"] == "1.17.0"


def test_update_over_ftp(csms, evc, evc_bin, ftp):
    pack(evc_bin, ftp.root / "fw.bin", "1.18.0", "--size", "100000")
    evc().start(csms.url)
    csms.wait_registered()
    update(csms, ftp.url("fw.bin"))
    seen = wait_final(csms, {"Installed", "InstallationFailed", "DownloadFailed"})
    assert seen == ["Downloading", "Downloaded", "Installing", "Installed"], seen
    assert [c for c in ftp.commands if c[1] == "RETR"]


def diagnostics(csms, location, **kw):
    answer = csms.call(CP, call.GetDiagnostics(location=location, **kw))
    name = answer["fileName"]
    assert name.startswith(f"{CP}-diagnostics-") and name.endswith(".log"), name
    return name


def test_get_diagnostics_uploads_a_real_log_by_http_post(csms, evc, http):
    evc().start(csms.url, "--auth-key", "s3cret-key-0123456789-abcdefghijk")
    csms.wait_registered()
    name = diagnostics(csms, http.url("upload/"))
    seen = wait_final(csms, {"Uploaded", "UploadFailed"}, action="DiagnosticsStatusNotification")
    assert seen == ["Uploading", "Uploaded"], seen
    ((filename, body),) = http.uploads
    assert filename == name
    text = body.decode()
    assert CP in text and "HeartbeatInterval" in text and "BootNotification" in text
    assert "s3cret-key-0123456789-abcdefghijk" not in text, "the AuthorizationKey is redacted"


def test_get_diagnostics_over_ftp_and_a_failed_upload(csms, evc, ftp):
    run = evc().start(csms.url)
    csms.wait_registered()
    (ftp.root / "incoming").mkdir(exist_ok=True)
    since = time.monotonic()
    name = diagnostics(csms, ftp.url("incoming/"))
    seen = wait_final(csms, {"Uploaded", "UploadFailed"}, action="DiagnosticsStatusNotification", since=since)
    assert seen == ["Uploading", "Uploaded"], seen
    assert (ftp.root / "incoming" / name).read_text().count(CP) >= 1
    since = time.monotonic()
    diagnostics(csms, f"ftp://127.0.0.1:{free_port()}/x/", retries=0)
    seen = wait_final(csms, {"Uploaded", "UploadFailed"}, action="DiagnosticsStatusNotification", since=since)
    assert seen[-1] == "UploadFailed", seen
    assert "connection refused" in run.err()


def test_trigger_reports_idle_when_nothing_runs(shared):
    for message, action in [("FirmwareStatusNotification", "FirmwareStatusNotification"),
                            ("DiagnosticsStatusNotification", "DiagnosticsStatusNotification")]:
        since = time.monotonic()
        answer = shared.call(CP, call.TriggerMessage(requested_message=message))
        assert answer == {"status": "Accepted"}
        (sent,) = shared.wait_for(action, CP, since=since)
        assert sent == {"status": "Idle"}


def test_a_fleet_of_1000_updates_at_once_from_one_http_server(evc, evc_bin, http, tmp_path):
    """`evc csms --update-firmware` sends each of 1,000 charge points one UpdateFirmware at
    its first boot; all download the same file from one HTTP server, install it and
    report Installed after rebooting."""
    import re
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    pack(evc_bin, http.root / "fleet.bin", "2.0.0", "--size", "32768")
    port = free_port()
    log = open(tmp_path / "csms.txt", "w")
    csms = subprocess.Popen([str(evc_bin), "csms", "--listen", f"127.0.0.1:{port}", "--stats-every", "1",
                             "--update-firmware", http.url("fleet.bin")],
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        time.sleep(0.5)
        run = evc().start(f"ws://127.0.0.1:{port}/", "--count", "1000", "--connect-rate", "2000", speed=10)
        counts = None
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            found = re.findall(r"firmware: (\d+) updates sent, (\d+) installed, (\d+) failed",
                               (tmp_path / "csms.txt").read_text())
            counts = tuple(map(int, found[-1])) if found else None
            if counts and counts[1] + counts[2] >= 1000:
                break
            time.sleep(1)
        assert counts == (1000, 1000, 0), f"{counts}\n{run.err()[-3000:]}"
        assert len(http.gets("fleet.bin")) == 1000
        run.stop()
    finally:
        csms.terminate()
        csms.wait(10)
