"""How a scenario run ends (defect 9): an `until` step's timeout counts real time (a slow
CSMS is as slow at any --speed), and a run that skipped a step or lost a transaction
message says what and exits 4 instead of "everything was delivered" and 0."""

import threading
import time

from .runner import EV, charging, steps


def test_a_slow_csms_does_not_make_an_until_skip_its_unplug(csms, evc):
    # 10 s of timeout; at 10x speed the old runner counted them as 1 s of real time.
    csms.policy.hold = {"Authorize"}
    scenario = charging("CARD-SLOW", {"until": "Charging", "timeout": "10s", "wait": "5s",
                                      "do": "unplug"}, hold=False)
    run = evc().start(csms.url, scenario=scenario)
    csms.wait_for("Authorize", timeout=30)
    threading.Timer(3.0, lambda: setattr(csms.policy, "hold", set())).start()
    assert run.wait_exit(60) == 0, run.describe()
    assert len(csms.payloads("StopTransaction")) == 1, run.describe()
    summary = run.summary()
    assert summary["steps_skipped"] == 0 and summary["transactions_running"] == 0, summary
    assert "everything was delivered" in run.err(), run.describe()


def test_a_skipped_step_is_named_and_the_run_exits_4(csms, evc):
    # No card is tapped: Charging never comes, the unplug is skipped after 2 s.
    scenario = steps({"wait": "5s", "do": "plug"},
                     {"until": "Charging", "timeout": "2s", "do": "unplug"}, ev=EV)
    run = evc().start(csms.url, scenario=scenario)
    assert run.wait_exit(60) == 4, run.describe()
    summary = run.summary()
    assert summary["steps_skipped"] == 1, summary
    (skipped,) = summary["skipped"]
    assert "CP0000" in skipped and "step 1" in skipped and "unplug" in skipped, skipped
    err = run.err()
    assert "unplug was skipped" in err and "everything was delivered" not in err, err


def test_a_lost_stop_transaction_is_named_and_the_run_exits_4(csms, evc):
    csms.policy.fail = {"StopTransaction": 100}
    scenario = charging("CARD-LOST", {"until": "Charging", "wait": "5s", "do": "unplug"},
                        hold=False)
    run = evc().start(csms.url, "--config", "TransactionMessageAttempts=2", "--config",
                      "TransactionMessageRetryInterval=5", scenario=scenario)
    assert run.wait_exit(60) == 4, run.describe()
    assert len(csms.payloads("StopTransaction")) == 2, "two attempts, then given up"
    summary = run.summary()
    assert summary["messages_lost"] == 1, summary
    assert any("StopTransaction" in lost for lost in summary["lost"]), summary
    err = run.err()
    assert "a transaction message was lost" in err and "everything was delivered" not in err
