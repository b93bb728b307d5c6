"""Deterministic payload samples generated from the official schemas.

`valid(action, kind)` yields payloads the schema accepts that together cover every
property, every enum value in context, strings at their maximum length (counted in
characters, mixing non-ASCII), integer and number edges, date-times in several offsets,
arrays of one and three items, and the minimal required-only payload.

`invalid(action, kind)` yields (payload, expected CALLERROR code, path) for each way a
payload can break its schema, with the code the wire crate's mapping promises.
"""

import copy

from schemas import schema

INT_EDGES = [0, -1, 2147483647, -2147483648, 7]
NUMBER_EDGES = [0, 6, 16.7, 32.1]
DATE_TIMES = ["2024-01-01T00:00:00Z", "2024-01-01T05:30:00+05:30", "2023-12-31T16:00:00-08:00",
              "2024-02-29T23:59:59.123Z", "2024-06-01T12:00:00.5+02:00"]


def resolve(root, node):
    if "$ref" in node:
        return root["definitions"][node["$ref"].split("/")[-1]]
    return node


def text(n, variant):
    """A string of exactly n characters, mixing ASCII and 'é'."""
    base = "Aé" if variant % 2 else "Zx9"
    return (base * n)[:n]


def generate(root, node, v, full):
    """One value for `node`; `v` picks among edge values, `full` includes optionals."""
    node = resolve(root, node)
    if "enum" in node:
        return node["enum"][v % len(node["enum"])]
    t = node.get("type")
    if t == "object":
        required = set(node.get("required", []))
        return {k: generate(root, sub, v, full) for k, sub in node.get("properties", {}).items()
                if full or k in required}
    if t == "array":
        count = 3 if v % 2 else 1
        return [generate(root, node["items"], v + i, full) for i in range(count)]
    if t == "string":
        if node.get("format") == "date-time":
            return DATE_TIMES[v % len(DATE_TIMES)]
        if node.get("format") == "uri":
            return ["ftp://user:pw@example.com/logs/", "https://example.com/fw.bin"][v % 2]
        return text(node.get("maxLength", 12), v)
    if t == "integer":
        return INT_EDGES[v % len(INT_EDGES)]
    if t == "number":
        return NUMBER_EDGES[v % len(NUMBER_EDGES)]
    if t == "boolean":
        return bool(v % 2)
    raise ValueError(f"unhandled schema node {node}")


def nodes(root, node, path=()):
    """(path, node, required) for every property below `node`; array items as index 0."""
    node = resolve(root, node)
    if node.get("type") == "object":
        required = set(node.get("required", []))
        for k, sub in node.get("properties", {}).items():
            yield (path + (k,), resolve(root, sub), k in required)
            yield from nodes(root, sub, path + (k,))
    elif node.get("type") == "array":
        yield from nodes(root, node["items"], path + (0,))


def get_parent(payload, path):
    for step in path[:-1]:
        if isinstance(payload, list):
            if not payload:
                return None
            payload = payload[step]
        elif isinstance(payload, dict) and step in payload:
            payload = payload[step]
        else:
            return None
    return payload


def set_at(payload, path, value):
    out = copy.deepcopy(payload)
    parent = get_parent(out, path)
    if parent is None:
        return None
    parent[path[-1]] = value
    return out


def remove_at(payload, path):
    out = copy.deepcopy(payload)
    parent = get_parent(out, path)
    if parent is None or path[-1] not in parent:
        return None
    del parent[path[-1]]
    return out


def rust_path(path):
    """The path as the wire crate writes it: a.b[0].c."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + step
    return out


def valid(action, kind):
    root = schema(action, kind)
    out = [generate(root, root, 0, False)]
    for v in range(10):
        out.append(generate(root, root, v, True))
    full = generate(root, root, 0, True)
    for path, node, _ in nodes(root, root):
        for value in node.get("enum", []):
            sample = set_at(full, path, value)
            if sample is not None:
                out.append(sample)
    return out


WRONG_TYPE = {"string": 5, "integer": "7", "number": "1.5", "boolean": "true", "object": "x", "array": "x"}


def invalid(action, kind):
    """(payload, expected code, path or None, expressible by the schema)."""
    root = schema(action, kind)
    full = generate(root, root, 0, True)
    yield [], "FormationViolation", None, True
    yield "x", "FormationViolation", None, True
    yield dict(full, extraField=1), "FormationViolation", None, True
    for path, node, required in nodes(root, root):
        where = rust_path(path)

        def case(value, code, expressible=True, at=path):
            sample = set_at(full, at, value)
            return (sample, code, where, expressible) if sample is not None else None

        cases = []
        if required:
            removed = remove_at(full, path)
            if removed is not None:
                cases.append((removed, "OccurenceConstraintViolation", where, True))
        t = node.get("type")
        if t in WRONG_TYPE:
            cases.append(case(WRONG_TYPE[t], "TypeConstraintViolation"))
        cases.append(case(None, "TypeConstraintViolation"))
        if "maxLength" in node:
            cases.append(case(text(node["maxLength"] + 1, 1), "PropertyConstraintViolation"))
        if "enum" in node:
            cases.append(case("Bogus", "PropertyConstraintViolation"))
        if node.get("format") == "date-time":
            for bad in ["2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "yesterday"]:
                cases.append(case(bad, "PropertyConstraintViolation"))
        if node.get("format") == "uri":
            cases.append(case("no scheme here", "PropertyConstraintViolation", expressible=False))
        if t == "integer":
            cases.append(case(1.5, "TypeConstraintViolation"))
            cases.append(case(2147483648, "PropertyConstraintViolation", expressible=False))
        if t == "number":
            cases.append(case(16.75, "PropertyConstraintViolation"))
        if t == "object":
            value = generate(root, node, 0, True)
            cases.append(case(dict(value, extraField=1), "FormationViolation"))
        if t == "array" and node.get("minItems", 0) >= 1:
            cases.append(case([], "OccurenceConstraintViolation"))
        yield from (c for c in cases if c is not None)
    if action == "StopTransaction" and kind == "req":
        path = ("transactionData", 0, "sampledValue", 0, "unit")
        yield set_at(full, path, "Hertz"), "PropertyConstraintViolation", rust_path(path), True
