"""The container image's binary: `evc` built as deploy/Dockerfile builds it (release,
`--locked`, against musl, stripped), here on the host since no container registry is
reachable from the project's machines. The image is `FROM scratch` with that file
alone, so the test checks what the image relies on: no program interpreter (nothing of
a libc to load), and that it runs from an empty folder with an empty environment (no
PATH, no HOME, no CA bundle), connects to a CSMS written with PyPI `ocpp`, boots and
reports its summary. `cargo xtask test --only e2e` builds it and sets
`EVC_STATIC_BIN`."""

import json
import os
import shutil
import struct
import subprocess

import pytest

STATIC = os.environ.get("EVC_STATIC_BIN")

pytestmark = pytest.mark.skipif(
    not STATIC, reason="EVC_STATIC_BIN is not set (cargo xtask test --only e2e builds it)"
)

PT_INTERP = 3


def program_headers(path):
    """The types of an ELF64 little-endian file's program headers."""
    with open(path, "rb") as f:
        head = f.read(64)
        assert head[:4] == b"\x7fELF" and head[4] == 2 and head[5] == 1, "not an ELF64 LE file"
        (phoff,) = struct.unpack_from("<Q", head, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    return [struct.unpack_from("<I", table, i * phentsize)[0] for i in range(phnum)]


def test_the_image_binary_needs_no_libc():
    kinds = program_headers(STATIC)
    assert PT_INTERP not in kinds, "a program interpreter: not a static binary"
    size = os.path.getsize(STATIC)
    print(f"static evc: {size:,} bytes")
    assert size < 32 * 1024 * 1024, f"{size:,} bytes: the image would not be small"


def test_the_image_binary_runs_alone_with_an_empty_environment(csms, tmp_path):
    alone = tmp_path / "root"
    alone.mkdir()
    binary = alone / "evc"
    shutil.copy(STATIC, binary)
    summary = alone / "summary.json"
    run = subprocess.run(
        [str(binary), "run", csms.url, "--count", "2", "--duration", "3s",
         "--progress", "never", "--summary-json", str(summary)],
        cwd=alone, env={}, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    csms.wait_registered("CP0000")
    csms.wait_registered("CP0001")
    result = json.loads(summary.read_text())
    assert result["ever_connected"] == 2 and result["connect_failures"] == 0, result
    assert result["frames_sent"] >= 2 and result["callerrors_received"] == 0, result
