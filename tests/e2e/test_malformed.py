"""Malformed frames from the CSMS, sent raw on the socket, and the exact CALLERROR each gets.
The charge point uses the OCPP 1.6 code names (FormationViolation, OccurenceConstraintViolation),
not the `ocpp` package's 2.0.1 ones (FormatViolation)."""

import pytest
from ocpp.v16 import call

CP = "CP0000"

# (frame text, the message id of the answer, the error code)
CASES = [
    # Not a frame.
    ('[2,"bad-1","ClearCache",{}', "-1", "FormationViolation"),
    ("this is not JSON", "-1", "FormationViolation"),
    ('{"type":2}', "-1", "FormationViolation"),
    ('[2,"bad-2","ClearCache"]', "bad-2", "FormationViolation"),
    ('[2,"bad-3","ClearCache",{},{}]', "bad-3", "FormationViolation"),
    ('[2,17,"ClearCache",{}]', "-1", "FormationViolation"),
    ('[2,"' + "i" * 37 + '","ClearCache",{}]', "-1", "FormationViolation"),
    ('[2,"bad-4",7,{}]', "bad-4", "FormationViolation"),
    ('[2,"bad-5","ClearCache",[]]', "bad-5", "FormationViolation"),
    # A field the schema does not define.
    ('[2,"bad-6","GetConfiguration",{"keys":["HeartbeatInterval"]}]', "bad-6", "FormationViolation"),
    # Wrong types.
    ('[2,"type-1","Reset",{"type":1}]', "type-1", "TypeConstraintViolation"),
    ('[2,"type-2","ChangeAvailability",{"connectorId":"1","type":"Inoperative"}]', "type-2", "TypeConstraintViolation"),
    ('[2,"type-3","RemoteStopTransaction",{"transactionId":1.5}]', "type-3", "TypeConstraintViolation"),
    ('[2,"type-4","ChangeConfiguration",{"key":"CpoName","value":null}]', "type-4", "TypeConstraintViolation"),
    ('[2,"type-5","GetConfiguration",{"key":"HeartbeatInterval"}]', "type-5", "TypeConstraintViolation"),
    ('[2,"type-6","UnlockConnector",{"connectorId":true}]', "type-6", "TypeConstraintViolation"),
    # Required fields missing.
    ('[2,"occ-1","Reset",{}]', "occ-1", "OccurenceConstraintViolation"),
    ('[2,"occ-2","ChangeConfiguration",{"key":"CpoName"}]', "occ-2", "OccurenceConstraintViolation"),
    ('[2,"occ-3","RemoteStartTransaction",{"connectorId":1}]', "occ-3", "OccurenceConstraintViolation"),
    ('[2,"occ-4","ChangeAvailability",{"type":"Operative"}]', "occ-4", "OccurenceConstraintViolation"),
    # Strings over their limit, values outside their enumeration, bad date-times.
    ('[2,"prop-1","RemoteStartTransaction",{"idTag":"' + "T" * 21 + '"}]', "prop-1", "PropertyConstraintViolation"),
    ('[2,"prop-2","ChangeConfiguration",{"key":"' + "K" * 51 + '","value":"1"}]', "prop-2", "PropertyConstraintViolation"),
    ('[2,"prop-3","ChangeConfiguration",{"key":"CpoName","value":"' + "v" * 501 + '"}]', "prop-3", "PropertyConstraintViolation"),
    ('[2,"prop-4","DataTransfer",{"vendorId":"' + "V" * 256 + '"}]', "prop-4", "PropertyConstraintViolation"),
    ('[2,"prop-5","Reset",{"type":"Warm"}]', "prop-5", "PropertyConstraintViolation"),
    ('[2,"prop-6","SendLocalList",{"listVersion":1,"updateType":"Full","localAuthorizationList":'
     '[{"idTag":"A","idTagInfo":{"status":"Accepted","expiryDate":"2030-01-01 10:00"}}]}]', "prop-6",
     "PropertyConstraintViolation"),
]


@pytest.fixture(scope="module")
def session(shared):
    """One charge point for the whole module: malformed frames must not hurt it."""
    return shared


@pytest.mark.parametrize("text, reply_id, code", CASES, ids=[c[1] + ":" + c[0][:40] for c in CASES])
def test_malformed_call_gets_the_exact_callerror(session, text, reply_id, code):
    frame = session.send(CP, text, reply_id=reply_id)
    assert frame.type == 4, frame.text
    assert frame.msg[2] == code, frame.text
    assert isinstance(frame.msg[3], str) and isinstance(frame.msg[4], dict), frame.text


def test_frames_that_are_not_answered(session):
    """A frame of an unknown message type is ignored, and so are results and errors that
    answer nothing; the next CALL is answered as usual."""
    before = len(session.frames)
    for text in ('[5,"ignored-1",{}]', '[3,"ignored-2",{"status":"Accepted"}]',
                 '[4,"ignored-3","GenericError","",{}]', '[3,"ignored-4"]'):
        session.send(CP, text, reply_id=None, wait=False)
    assert session.call(CP, call.ClearCache()) == {"status": "Accepted"}
    later = [f for f in session.frames[before:] if f.incoming]
    assert all(f.id not in ("ignored-1", "ignored-2", "ignored-3", "ignored-4", "-1") for f in later), \
        [f.text for f in later]


def test_still_working_after_all_that(session):
    assert session.call(CP, call.GetConfiguration(key=["NumberOfConnectors"]))["configurationKey"][0]["value"] == "1"
    assert len(session.calls("BootNotification")) == 1, "no malformed frame made it reboot"
    assert len(session.connections) == 1 and not session.connections[0].closed
