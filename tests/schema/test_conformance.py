"""The wire crate against the official OCPP 1.6 JSON schemas, and every frame the engine
sent in its scenario tests (crates/chargepoint/tests) against the same schemas."""

import json
from datetime import datetime
from pathlib import Path

import pytest
from rfc3339_validator import validate_rfc3339

from conftest import target_dir
from samples import invalid, valid
from schemas import actions, errors, ocpp_package_accepts

PAIRS = [(a, k) for a in actions() for k in ("req", "conf")]


def test_all_78_schemas_are_covered():
    assert len(actions()) == 39
    assert len(PAIRS) == 78
    assert all(valid(a, k) for a, k in PAIRS)


def instant(s):
    return datetime.fromisoformat(s.replace("z", "Z").replace("t", "T"))


def same(sent, back, path="$"):
    """Semantic equality: date-times as instants (to the millisecond), numbers numerically."""
    if isinstance(sent, str) and isinstance(back, str) and validate_rfc3339(sent):
        a, b = instant(sent), instant(back)
        assert abs((a - b).total_seconds()) < 0.001, f"{path}: {sent} came back as {back}"
        assert back.endswith("Z"), f"{path}: {back} is not UTC"
    elif isinstance(sent, (int, float)) and not isinstance(sent, bool):
        assert abs(float(sent) - float(back)) < 1e-9, f"{path}: {sent} came back as {back}"
    elif isinstance(sent, dict):
        assert isinstance(back, dict) and sent.keys() == back.keys(), f"{path}: {sent} vs {back}"
        for k in sent:
            same(sent[k], back[k], f"{path}.{k}")
    elif isinstance(sent, list):
        assert isinstance(back, list) and len(sent) == len(back), f"{path}: {sent} vs {back}"
        for i, (a, b) in enumerate(zip(sent, back)):
            same(a, b, f"{path}[{i}]")
    else:
        assert sent == back, f"{path}: {sent!r} came back as {back!r}"


@pytest.mark.parametrize("action,kind", PAIRS)
def test_valid_payloads_parse_and_come_back_schema_valid(roundtrip, action, kind):
    samples = valid(action, kind)
    for s in samples:
        assert errors(action, kind, s) == [], f"generator made an invalid sample: {s}"
    problems = []
    for sample, answer in zip(samples, roundtrip([(action, kind, s) for s in samples])):
        if not answer["ok"]:
            problems.append(f"refused {json.dumps(sample)}: {answer}")
            continue
        back = answer["payload"]
        broken = errors(action, kind, back)
        if broken:
            problems.append(f"re-encoded payload breaks the schema: {broken}: {back}")
        try:
            ocpp_package_accepts(action, kind, back)
            same(sample, back)
        except Exception as e:  # noqa: BLE001 - collect every problem of the pair
            problems.append(f"{type(e).__name__}: {e}")
    assert not problems, "\n".join(problems[:10])


@pytest.mark.parametrize("action,kind", PAIRS)
def test_invalid_payloads_get_the_exact_callerror(roundtrip, action, kind):
    cases = list(invalid(action, kind))
    for payload, _, path, expressible in cases:
        if expressible and isinstance(payload, dict):
            assert errors(action, kind, payload), f"generator made a valid 'invalid' sample at {path}: {payload}"
    answers = roundtrip([(action, kind, c[0]) for c in cases])
    problems = []
    for (payload, code, path, _), answer in zip(cases, answers):
        if answer["ok"] or answer["code"] != code:
            problems.append(f"{path}: expected {code}, got {answer} for {json.dumps(payload)}")
        elif not answer["description"] or (path and path.split("[")[0].split(".")[0] not in answer["description"]):
            problems.append(f"{path}: description does not name the field: {answer['description']}")
    assert not problems, f"{len(problems)} of {len(cases)}:\n" + "\n".join(problems[:10])


def engine_frames():
    folder = target_dir() / "tmp" / "engine-frames"
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def test_every_frame_the_engine_sent_in_its_scenarios_is_schema_valid():
    files = engine_frames()
    assert len(files) >= 20, "run `cargo test -p chargepoint` first (cargo xtask test does)"
    count, problems, actions_seen = 0, [], set()
    for f in files:
        for line in Path(f).read_text().splitlines():
            frame = json.loads(line)
            count += 1
            actions_seen.add(frame["action"])
            broken = errors(frame["action"], frame["kind"], frame["payload"])
            if broken:
                problems.append(f"{f.name}: {frame['action']} {frame['kind']}: {broken}")
    print(f"{count} engine frames in {len(files)} scenarios, {len(actions_seen)} actions")
    assert count > 200
    assert {"BootNotification", "StatusNotification", "StartTransaction", "StopTransaction",
            "MeterValues", "Heartbeat", "Authorize", "GetConfiguration"} <= actions_seen
    assert not problems, "\n".join(problems[:10])
