"""Writes every valid and invalid sample payload of this suite to
crates/ocpp16/tests/corpus/schema_payloads.jsonl, one JSON line each:
{"action", "kind", "valid", "payload"}, each once. The wire crate's differential test reads it
(`cargo test -p ocpp16 --test differential`); rerun this when samples.py changes:

    .tools/venv/bin/python tests/schema/export_corpus.py
"""

import json
from pathlib import Path

from samples import invalid, valid
from schemas import actions

OUT = Path(__file__).resolve().parents[2] / "crates/ocpp16/tests/corpus/schema_payloads.jsonl"


def lines():
    for action in actions():
        for kind in ("req", "conf"):
            for payload in valid(action, kind):
                yield {"action": action, "kind": kind, "valid": True, "payload": payload}
            for payload, _code, _path, _expressible in invalid(action, kind):
                yield {"action": action, "kind": kind, "valid": False, "payload": payload}


def main():
    OUT.parent.mkdir(parents=True, exist_ok=True)
    seen = set()
    with OUT.open("w") as f:
        for line in lines():
            text = json.dumps(line, ensure_ascii=False, default=str)
            if text not in seen:
                seen.add(text)
                f.write(text + "\n")


if __name__ == "__main__":
    main()
