"""Strict schema validation for the end-to-end CSMS.

The PyPI `ocpp` package validates payloads in `ocpp.messages._validate_payload`, with
`Draft4Validator`s it builds lazily in `get_validator` and caches in
`ocpp.messages._validators` (key: schema file name + "_1.6"). Those validators have no
format checker, so a `date-time` field such as "2024-01-01 10:00" passes. `install()`
fills that cache up front with validators of the same official schemas that *do* check
`date-time` strictly (RFC 3339, with an offset), so every payload the `ocpp` package
validates (ours and `ocpp_csms`'s) is held to it. `errors()` is the same check for frames
the suite validates itself.
"""

import decimal
import json
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import jsonschema
import ocpp
import ocpp.messages
from rfc3339_validator import validate_rfc3339

SCHEMA_DIR = Path(ocpp.__file__).parent / "v16" / "schemas"

# ocpp parses these three with decimal.Decimal (their schemas say multipleOf 0.1).
DECIMAL_SCHEMAS = {"SetChargingProfile", "RemoteStartTransaction", "GetCompositeScheduleResponse"}

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    if not validate_rfc3339(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    return True


def is_rfc3339(value):
    return isinstance(value, str) and bool(validate_rfc3339(value))


def parse_time(value):
    """An RFC 3339 date-time as an aware datetime."""
    assert is_rfc3339(value), value
    return datetime.fromisoformat(value)


@lru_cache(maxsize=None)
def validator(name):
    """The strict validator of schema `name` ("Reset" or "ResetResponse")."""
    parse_float = decimal.Decimal if name in DECIMAL_SCHEMAS else float
    text = (SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8-sig")
    schema = json.loads(text, parse_float=parse_float)
    return jsonschema.Draft4Validator(schema, format_checker=FORMATS)


def schema_name(action, kind):
    return action if kind == "req" else action + "Response"


def known_action(action):
    return (SCHEMA_DIR / f"{action}.json").exists()


def errors(action, kind, payload):
    """Breaches of the official schema (formats included), as readable strings."""
    name = schema_name(action, kind)
    if not (SCHEMA_DIR / f"{name}.json").exists():
        return [f"no OCPP 1.6 schema {name}"]
    parse_float = decimal.Decimal if name in DECIMAL_SCHEMAS else float
    payload = json.loads(json.dumps(payload, default=str), parse_float=parse_float)
    return [
        f"{action} {kind} {'/'.join(map(str, e.absolute_path)) or '(payload)'}: {e.message}"
        for e in validator(name).iter_errors(payload)
    ]


def install():
    """Puts the strict validators into the `ocpp` package's validator cache."""
    for path in SCHEMA_DIR.glob("*.json"):
        ocpp.messages._validators[f"{path.stem}_1.6"] = validator(path.stem)


install()
