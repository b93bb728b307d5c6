"""Builds the Rust half of the suite once per session."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def target_dir():
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


@pytest.fixture(scope="session")
def roundtrip():
    """A function sending (action, kind, payload) triples through the wire crate; it
    returns one answer per triple: {"ok": True, "payload": …} or {"ok": False, "code", …}."""
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "ocpp16", "--example", "conformance"],
                   cwd=ROOT, check=True)
    binary = target_dir() / "release" / "examples" / "conformance"

    def run(triples):
        lines = "".join(json.dumps({"action": a, "kind": k, "payload": p}) + "\n" for a, k, p in triples)
        out = subprocess.run([binary, "roundtrip"], input=lines, capture_output=True, text=True, check=True)
        answers = [json.loads(line) for line in out.stdout.splitlines()]
        assert len(answers) == len(triples)
        return answers

    return run
