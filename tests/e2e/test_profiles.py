"""The feature profiles the product contract lists beyond Core, Local Auth List
Management, Remote Trigger, Reservation, Smart Charging and Firmware Management (the
Security extension): each request with a valid payload must get a CALLRESULT that is valid for its
action, not a CALLERROR. The README says these profiles are answered NotSupported until
they are built: each case is a strict xfail until then, so one that starts to pass fails
the suite as a reminder to drop its mark."""

import pytest
from ocpp.v16 import call

from .csms import CallErrorReceived

TODO = pytest.mark.xfail(strict=True, raises=CallErrorReceived,
                         reason="README: profiles beyond Core, Local Auth List, Remote Trigger, Reservation and Smart Charging are answered NotSupported until built")
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
PROFILE = {"chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
           "chargingProfileKind": "Relative",
           "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}]}}

REQUESTS = {
    "GetInstalledCertificateIds": call.GetInstalledCertificateIds(certificate_type="CentralSystemRootCertificate"),
    "InstallCertificate": call.InstallCertificate(certificate_type="CentralSystemRootCertificate", certificate=PEM),
    "CertificateSigned": call.CertificateSigned(certificate_chain=PEM),
    "ExtendedTriggerMessage": call.ExtendedTriggerMessage(requested_message="Heartbeat"),
    "GetLog": call.GetLog(log_type="DiagnosticsLog", request_id=1, log={"remoteLocation": "ftp://127.0.0.1:9/log"}),
}


@pytest.mark.parametrize("action", [pytest.param(a, marks=TODO) for a in REQUESTS])
def test_a_supported_request_gets_a_result(shared, action):
    shared.call("CP0000", REQUESTS[action])  # a CALLRESULT, checked against the schema


# Built since: each must get a CALLRESULT valid for its action.
SUPPORTED = {
    "SetChargingProfile": call.SetChargingProfile(connector_id=1, cs_charging_profiles=PROFILE),
    "GetCompositeSchedule": call.GetCompositeSchedule(connector_id=1, duration=3600),
    "ClearChargingProfile": call.ClearChargingProfile(),
    "GetDiagnostics": call.GetDiagnostics(location="ftp://127.0.0.1:9/diagnostics"),
    "UpdateFirmware": call.UpdateFirmware(location="http://127.0.0.1:9/firmware.bin",
                                          retrieve_date="2099-01-01T00:00:00Z"),
}


@pytest.mark.parametrize("action", list(SUPPORTED))
def test_a_built_profiles_request_gets_a_result(shared, action):
    shared.call("CP0000", SUPPORTED[action])
