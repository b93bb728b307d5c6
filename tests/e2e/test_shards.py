"""Fleets beyond one machine: two `evc run --shard I/2` processes against one CSMS run
exactly the charge points of one process, and `evc summary merge` adds their summaries
into what that one process says (counts exact, latency quantiles from the added
histograms, within the histogram's resolution)."""

import json
import math
import subprocess

from .runner import EV, steps

COUNT = 5
# Every charge point boots, charges and unplugs; the run ends by itself.
SCENARIO = steps({"wait": "5s", "do": "plug"}, {"wait": "2s", "do": "tap", "card": "CARD-1"},
                 {"until": "Charging", "wait": "20s", "do": "unplug"}, ev=EV)
DELAY = 0.2  # every answer takes 200 ms, so both runs' latencies sit in the same buckets
EXACT = ("charge_points", "ever_connected", "transactions_started", "transactions_stopped",
         "messages_lost", "steps_skipped", "transactions_running")


def run_fleet(evc, csms, name, *args):
    return evc(name).start(csms.url, "--count", COUNT, "--seed", 3, *args, scenario=SCENARIO)


def quantile(hist, q):
    """The quantile as evc computes it: the top of the bucket holding that rank, in ms."""
    buckets = sorted(hist["buckets"], key=lambda b: b["index"])
    total = sum(b["count"] for b in buckets)
    rank, seen = max(1, math.ceil(total * q)), 0
    for b in buckets:
        seen += b["count"]
        if seen >= rank:
            return round(b["top_us"] / 1000, 1)
    return 0.0


def within_resolution(a, b):
    """Within one bucket of each other: the histogram resolves 1/8 of a power of two."""
    return abs(a - b) <= 0.125 * max(a, b) + 0.1


def test_two_shards_run_and_sum_up_as_one_process(csms, evc, evc_bin, tmp_path):
    csms.policy.delay = DELAY
    shards = [run_fleet(evc, csms, f"shard{i}", "--shard", f"{i}/2") for i in range(2)]
    for run in shards:
        assert run.wait_exit(120) == 0, run.describe()
    # Which charge points each shard ran (its trace), and what the CSMS saw booting.
    ids = [{line["cp"] for line in run.trace()} for run in shards]
    assert {f.cp for f in csms.calls("BootNotification")} == ids[0] | ids[1]
    every = {f"CP{i:04}" for i in range(COUNT)}
    assert ids[0].isdisjoint(ids[1]), ids
    assert ids[0] | ids[1] == every, ids
    assert ids[0] == {"CP0000", "CP0002", "CP0004"} and ids[1] == {"CP0001", "CP0003"}, ids
    parts = [run.summary() for run in shards]
    assert [p["shards"] for p in parts] == [{"count": 2, "indices": [0]}, {"count": 2, "indices": [1]}]

    merged_path = tmp_path / "merged.json"
    merge = subprocess.run([str(evc_bin), "summary", "merge", str(shards[0].summary_path),
                            str(shards[1].summary_path), "-o", str(merged_path)],
                           capture_output=True, text=True, timeout=30)
    assert merge.returncode == 0, merge.stderr
    merged = json.loads(merged_path.read_text())
    assert merged["shards"] == {"count": 2, "indices": [0, 1]}
    for key in ("charge_points", "transactions_started", "frames_sent", "frames_received",
                "energy_wh", "ever_connected", "wakeups"):
        assert merged[key] == parts[0][key] + parts[1][key], key
    assert merged["elapsed_s"] == max(p["elapsed_s"] for p in parts)
    # The histograms are added bucket by bucket, the quantiles recomputed from the sum.
    added = {}
    for p in parts:
        for b in p["latency_histogram"]["buckets"]:
            added[b["index"]] = added.get(b["index"], 0) + b["count"]
    assert {b["index"]: b["count"] for b in merged["latency_histogram"]["buckets"]} == added
    lat = merged["latency_ms"]
    assert lat["answers"] == sum(added.values()) == sum(p["latency_ms"]["answers"] for p in parts)
    for q, key in ((0.5, "p50"), (0.9, "p90"), (0.99, "p99")):
        assert lat[key] == quantile(merged["latency_histogram"], q), (key, merged)

    # One process running every charge point.
    before = len(csms.calls())
    one = run_fleet(evc, csms, "one")
    assert one.wait_exit(120) == 0, one.describe()
    whole = one.summary()
    assert {f.cp for f in csms.calls()[before:]} == every
    for key in EXACT:
        assert merged[key] == whole[key], (key, merged[key], whole[key])
    assert merged["transactions_started"] == COUNT
    for key in ("p50", "p90"):
        assert lat[key] >= DELAY * 1000 and whole["latency_ms"][key] >= DELAY * 1000, (lat, whole)
        assert within_resolution(lat[key], whole["latency_ms"][key]), (key, lat, whole["latency_ms"])


def test_merge_refuses_what_it_cannot_add(evc_bin, tmp_path):
    def merge(*texts):
        paths = []
        for i, text in enumerate(texts):
            path = tmp_path / f"in{i}.json"
            path.write_text(text)
            paths.append(str(path))
        got = subprocess.run([str(evc_bin), "summary", "merge", *paths],
                             capture_output=True, text=True, timeout=30)
        assert got.returncode == 2, got
        return got.stderr

    assert "not an evc summary" in merge('{"hello": 1}')
    assert "cannot be merged" in merge('{"charge_points": 1, "latency_ms": {}}')


def test_shard_errors_are_plain(evc, csms):
    run = evc("bad").start(csms.url, "--shard", "2/2")
    assert run.wait_exit(30) == 2
    assert "not below the shard count 2" in run.err(), run.err()
    run = evc("empty").start(csms.url, "--count", 1, "--shard", "1/2")
    assert run.wait_exit(30) == 2
    assert "no charge points" in run.err(), run.err()
    run = evc("env").start(csms.url, "--count", 2, "--shard", "env/2")
    assert run.wait_exit(30) == 2
    assert "JOB_COMPLETION_INDEX is not set" in run.err(), run.err()
