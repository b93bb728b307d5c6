"""Security profile 1: HTTP Basic auth with the AuthorizationKey (from --auth-key or set by
the CSMS), SecurityProfile only raised, and the key never read back or shown."""

import base64
import time

from ocpp.v16 import call

from .csms import compact

KEY = "0123456789abcdef0123456789abcdef"  # 32 characters
KEY40 = "Z" * 8 + "0123456789abcdef0123456789abcdef"  # 40 characters


def basic(cp, key):
    return "Basic " + base64.b64encode(f"{cp}:{key}".encode()).decode()


def assert_key_hidden(run, *keys):
    run.stop() if run.running() else None
    texts = {"trace": run.trace_path.read_text() if run.trace_path.exists() else "",
             "stderr": run.err(), "stdout": run.out()}
    for key in keys:
        shown = [name for name, text in texts.items() if key in text]
        assert shown == [], f"the AuthorizationKey appears in {shown}"


def test_auth_key_means_profile_1_with_basic_auth(csms, evc):
    csms.policy.password = KEY
    run = evc().start(csms.url, "--auth-key", KEY, log="debug")
    csms.wait_registered()
    assert csms.connection().authorization == basic("CP0000", KEY)
    answer = compact(csms.call("CP0000", call.GetConfiguration(key=["SecurityProfile", "AuthorizationKey"])))
    assert answer["configurationKey"] == [{"key": "SecurityProfile", "readonly": False, "value": "1"}]
    assert csms.call("CP0000", call.ChangeConfiguration(key="SecurityProfile", value="0")) == {
        "status": "Rejected"}, "the profile is never lowered"
    all_keys = compact(csms.call("CP0000", call.GetConfiguration()))["configurationKey"]
    assert "AuthorizationKey" not in [kv["key"] for kv in all_keys]
    assert all(KEY not in kv.get("value", "") for kv in all_keys)
    assert_key_hidden(run, KEY)


def test_wrong_auth_key_is_refused_with_401(csms, evc):
    csms.policy.password = KEY
    run = evc().start(csms.url, "--auth-key", KEY40)
    assert run.wait_exit(30) == 3, run.describe()
    assert "401" in run.err()
    assert KEY40 not in run.err()


def test_security_profile_0_sends_no_credentials(csms, evc):
    run = evc().start(csms.url, "--auth-key", KEY, "--security-profile", "0")
    csms.wait_registered()
    assert csms.connection().authorization is None
    run.stop()


def test_the_csms_sets_the_key_and_raises_the_profile(csms, evc):
    run = evc().start(csms.url, log="debug")
    csms.wait_registered()
    cp = "CP0000"
    change = lambda key, value: csms.call(cp, call.ChangeConfiguration(key=key, value=value))["status"]
    assert change("SecurityProfile", "1") == "Rejected", "profile 1 needs an AuthorizationKey first"
    assert change("AuthorizationKey", "k" * 31) == "Rejected"
    assert change("AuthorizationKey", "k" * 41) == "Rejected"
    assert change("AuthorizationKey", KEY) == "Accepted"
    time.sleep(0.5)  # a new key may mean a new connection
    csms.wait(lambda: not csms.connection(cp).closed, what="connected again")
    connections = len(csms.connections)
    csms.policy.password = KEY
    assert change("SecurityProfile", "1") == "Accepted"
    csms.wait(lambda: len(csms.connections) > connections and not csms.connection(cp).closed,
              what="a new connection with profile 1")
    assert csms.connection(cp).authorization == basic(cp, KEY)
    assert len(csms.payloads("BootNotification")) == 1, "a new connection, not a reboot"

    connections = len(csms.connections)
    csms.policy.password = KEY40
    assert change("AuthorizationKey", KEY40) == "Accepted"
    csms.wait(lambda: len(csms.connections) > connections and not csms.connection(cp).closed,
              what="a new connection with the new key")
    assert csms.connection(cp).authorization == basic(cp, KEY40)
    assert change("SecurityProfile", "0") == "Rejected"
    answer = compact(csms.call(cp, call.GetConfiguration(key=["SecurityProfile"])))
    assert answer == {"configurationKey": [{"key": "SecurityProfile", "readonly": False, "value": "1"}]}
    assert_key_hidden(run, KEY, KEY40)


def test_a_new_key_closes_the_old_link_for_real_before_the_new_one_opens(csms, evc):
    """The engine asks for a Close when its credentials change: the runner closes the
    socket (with a close frame), it does not leave the old link open beside the new one."""
    csms.policy.password = KEY
    run = evc().start(csms.url, "--auth-key", KEY)
    csms.wait_registered()
    first = csms.connection("CP0000")
    csms.policy.password = KEY40
    answer = csms.call("CP0000", call.ChangeConfiguration(key="AuthorizationKey", value=KEY40))
    assert answer["status"] == "Accepted"
    csms.wait(lambda: len(csms.connections) >= 2 and not csms.connection("CP0000").closed,
              what="the connection with the new key")
    assert csms.closed_cleanly(first), "the old link was closed with a close frame"
    assert csms.connection("CP0000").authorization == basic("CP0000", KEY40)
    run.stop()


def test_an_authorization_key_change_at_profile_0_keeps_the_link(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    first = csms.connection()
    since = time.monotonic()
    assert csms.call("CP0000", call.ChangeConfiguration(key="AuthorizationKey", value=KEY)) == {"status": "Accepted"}
    (event,) = csms.wait_for("SecurityEventNotification", since=since,
                             where=lambda p: p["type"] == "ReconfigurationOfSecurityParameters")
    assert csms.call("CP0000", call.GetConfiguration(key=["SecurityProfile"]))["configurationKey"][0]["value"] == "0"
    assert csms.connections == [first] and not first.closed, "profile 0 does not use the key: no reconnect"
    assert_key_hidden(run, KEY)
