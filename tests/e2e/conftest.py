"""Fixtures of the end-to-end suite: the `evc` binary (built once per session unless
EVC_BIN names one), a fresh CSMS per test, and `evc run` processes that are cleaned up."""

import os
import subprocess
from pathlib import Path

import pytest

from .csms import Csms
from .runner import Runner

ROOT = Path(__file__).resolve().parents[2]


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


@pytest.fixture(scope="session")
def evc_bin():
    if os.environ.get("EVC_BIN"):
        return Path(os.environ["EVC_BIN"])
    build = subprocess.run(["cargo", "build", "--quiet", "-p", "evc"], cwd=ROOT,
                           capture_output=True, text=True)
    if build.returncode != 0:
        pytest.fail(f"cargo build -p evc failed:\n{build.stderr[-4000:]}", pytrace=False)
    return target_dir() / "debug" / "evc"


@pytest.fixture
def csms():
    """A running CSMS on a free port; at the end no charge point may have broken a rule."""
    server = Csms().start()
    yield server
    server.close()
    assert server.violations == [], "\n".join(server.violations)


@pytest.fixture
def evc(evc_bin, tmp_path):
    """`evc(name="run")` gives a Runner whose files live in tmp_path/name; every process
    still running at the end of the test is killed."""
    runners = []

    def make(name="run"):
        runner = Runner(evc_bin, tmp_path, name)
        runners.append(runner)
        return runner

    yield make
    for runner in runners:
        runner.kill()


@pytest.fixture(scope="module")
def shared(evc_bin, tmp_path_factory):
    """One CSMS and one registered charge point CP0000 for a whole module (for tests that
    only send requests); at the end no rule may have been broken."""
    csms = Csms().start()
    run = Runner(evc_bin, tmp_path_factory.mktemp("shared")).start(csms.url)
    try:
        csms.wait_registered()
        yield csms
        run.stop()
    finally:
        run.kill()
        csms.close()
    assert csms.violations == [], "\n".join(csms.violations)
