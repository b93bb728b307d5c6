"""A charge point waiting for a CSMS that went away costs nothing: its task wakes for its
reconnect attempts (with backoff) and for nothing else (defect 7: after a ChangeConfiguration
of AuthorizationKey the runner spun a core for as long as it kept retrying)."""

import time

from ocpp.v16 import call

OLD_KEY = "old-old-old-old-old-old-old-old-"  # 32 characters
KEY = "0123456789abcdef0123456789abcdef"  # 32 characters
WAIT_S = 6


def test_waiting_for_a_csms_that_went_away_after_a_new_key_costs_only_the_retries(csms, evc):
    # Pings every 2 s: the old runner's ping deadline outlived the socket the new key closed.
    # Profile 1 (--auth-key): a new key makes the charge point close its link and connect
    # again; the CSMS still wants the old key and then goes away, so it never gets back.
    csms.policy.password = OLD_KEY
    run = evc().start(csms.url, "--keep-trying", "--auth-key", OLD_KEY,
                      "--config", "WebSocketPingInterval=2")
    csms.wait_registered()
    answer = csms.call("CP0000", call.ChangeConfiguration(key="AuthorizationKey", value=KEY))
    assert answer["status"] == "Accepted"
    csms.stop()  # gone before the charge point reconnects with its new key
    time.sleep(WAIT_S)
    summary = run.stop()
    # The backoff doubles (in engine time, 10x here): in WAIT_S seconds a handful of
    # attempts, each a few wake-ups (the attempt, its failure). A busy loop makes thousands.
    assert summary["connect_failures"] >= 1, summary
    assert summary.get("wakeups", 10**9) <= 5 * summary["connect_failures"] + 20, summary
