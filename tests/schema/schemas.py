"""The official OCPP 1.6 JSON schemas, as the PyPI `ocpp` package ships them, and
validators that check them strictly (date-time formats included)."""

import decimal
import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import ocpp
from rfc3339_validator import validate_rfc3339

SCHEMA_DIR = Path(ocpp.__file__).parent / "v16" / "schemas"


def actions():
    """All 39 action names."""
    return sorted(p.stem for p in SCHEMA_DIR.glob("*.json") if not p.stem.endswith("Response"))


@lru_cache(maxsize=None)
def schema(action, kind):
    """The schema of a request ("req") or response ("conf"), floats read as Decimal so that
    multipleOf 0.1 is checked exactly (as the ocpp package does)."""
    name = action if kind == "req" else action + "Response"
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(), parse_float=decimal.Decimal)


_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    if not isinstance(value, str):
        return True
    if not validate_rfc3339(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    return True


def errors(action, kind, payload):
    """Schema breaches of a payload, as readable strings (empty when valid)."""
    s = schema(action, kind)
    cls = jsonschema.validators.validator_for(s)
    validator = cls(s, format_checker=_FORMATS)
    payload = json.loads(json.dumps(payload), parse_float=decimal.Decimal)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(payload)]


def ocpp_package_accepts(action, kind, payload):
    """The ocpp package's own validation of a payload (raises on a breach)."""
    from ocpp.messages import Call, CallResult, _validate_payload

    if kind == "req":
        message = Call(unique_id="1", action=action, payload=payload)
    else:
        message = CallResult(unique_id="1", payload=payload, action=action)
    _validate_payload(message, "1.6")
