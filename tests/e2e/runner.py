"""`evc run` as a subprocess: start it, stop it as a user would (SIGINT), kill it, and
read what it leaves behind (trace, summary, state dir, stderr)."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

SUMMARY_KEYS = {
    "charge_points", "connected", "transactions_started", "transactions_stopped", "energy_wh",
    "frames_sent", "frames_received", "callerrors_sent", "callerrors_received", "latency_ms",
    "elapsed_s", "csms_mistakes",
}


class Runner:
    def __init__(self, binary, workdir: Path, name="run"):
        self.binary = binary
        self.dir = workdir / name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state_dir = self.dir / "state"
        self.trace_path = self.dir / "trace.jsonl"
        self.summary_path = self.dir / "summary.json"
        self.proc = None
        self.args = None

    def start(self, url, *args, scenario=None, speed=10, state_dir=None, log="info"):
        """Starts `evc run URL --speed SPEED --state-dir … --trace … --summary-json … ARGS`."""
        self.args = [str(self.binary), "run", url, "--progress", "never", "--log", log,
                     "--state-dir", str(state_dir or self.state_dir),
                     "--trace", str(self.trace_path), "--summary-json", str(self.summary_path)]
        if speed is not None:
            self.args += ["--speed", str(speed)]
        if scenario is not None:
            path = self.dir / "scenario.toml"
            path.write_text(scenario)
            self.args += ["--scenario", str(path)]
        self.args += [str(a) for a in args]
        self.stdout = open(self.dir / "stdout.txt", "w")
        self.stderr = open(self.dir / "stderr.txt", "w")
        env = dict(os.environ, RUST_BACKTRACE="1", NO_COLOR="1")
        self.proc = subprocess.Popen(self.args, stdout=self.stdout, stderr=self.stderr,
                                     stdin=subprocess.DEVNULL, env=env)
        return self

    def wait_exit(self, timeout=30):
        """The exit code once the process ended by itself."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"evc did not exit within {timeout} s\n{self.describe()}") from None

    def stop(self, sig=signal.SIGINT, timeout=30, code=0):
        """Stops it with SIGINT (or `sig`) and returns the summary; it must exit `code`
        (0; 4 when the run lost a transaction message or skipped a scenario step)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        got = self.wait_exit(timeout)
        assert got == code, f"evc exited {got} after {sig!r}, expected {code}\n{self.describe()}"
        return self.summary()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def running(self):
        return self.proc.poll() is None

    def out(self):
        self.stdout.flush()
        return (self.dir / "stdout.txt").read_text(errors="replace")

    def err(self):
        self.stderr.flush()
        return (self.dir / "stderr.txt").read_text(errors="replace")

    def describe(self):
        return f"command: {' '.join(self.args)}\nstderr (tail):\n{self.err()[-3000:]}"

    def summary(self):
        assert self.summary_path.exists(), f"no --summary-json file\n{self.describe()}"
        summary = json.loads(self.summary_path.read_text())
        missing = SUMMARY_KEYS - summary.keys()
        assert not missing, f"summary lacks {sorted(missing)}: {summary}"
        assert set(summary["latency_ms"]) >= {"p50", "p90", "p99", "max"}, summary
        return summary

    def trace(self):
        """The --trace lines so far (a last line still being written is left out)."""
        if not self.trace_path.exists():
            return []
        lines = []
        for line in self.trace_path.read_text().splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                pass
        return lines

    def wait_trace(self, condition, timeout=30, what="a trace line"):
        deadline = time.monotonic() + timeout
        while not condition(self.trace()):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}\n{self.describe()}")
            time.sleep(0.05)


EV = {"battery_kwh": 60, "soc": 20, "max_current": 32, "phases": 3}
HOLD = {"wait": "10h", "do": "unplug"}  # keeps a run going until the test stops it


def charging(card="CARD-1", *then, hold=True):
    """Plug in (after the boot), tap `card`, then the steps `then` (and HOLD)."""
    return steps({"wait": "10s", "do": "plug"}, {"wait": "2s", "do": "tap", "card": card},
                 *then, *([HOLD] if hold else []), ev=EV)


def steps(*steps, **top):
    """A scenario as TOML: top-level keys, then one [[step]] per dict."""
    lines = [f"{k} = {toml_value(v)}" for k, v in top.items()]
    for step in steps:
        lines.append("[[step]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in step.items()]
    return "\n".join(lines) + "\n"


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)
