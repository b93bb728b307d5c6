"""The feature profiles the product contract lists beyond Core (Local Auth List
Management, Remote Trigger, Reservation, Smart Charging, Firmware Management) and the
Security extension: each request with a valid payload must get a CALLRESULT that is valid
for its action, not a CALLERROR (what it answers is tested in each feature's own file)."""

import pytest
from ocpp.v16 import call

PROFILE = {"chargingProfileId": 1, "stackLevel": 0, "chargingProfilePurpose": "TxDefaultProfile",
           "chargingProfileKind": "Relative",
           "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0}]}}
PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"  # not a certificate: Rejected

SUPPORTED = {
    "SetChargingProfile": call.SetChargingProfile(connector_id=1, cs_charging_profiles=PROFILE),
    "GetCompositeSchedule": call.GetCompositeSchedule(connector_id=1, duration=3600),
    "ClearChargingProfile": call.ClearChargingProfile(),
    "GetDiagnostics": call.GetDiagnostics(location="ftp://127.0.0.1:9/diagnostics"),
    "UpdateFirmware": call.UpdateFirmware(location="http://127.0.0.1:9/firmware.bin",
                                          retrieve_date="2099-01-01T00:00:00Z"),
    # The Security extension (OCPP 1.6 Security Whitepaper ed. 2).
    "GetInstalledCertificateIds": call.GetInstalledCertificateIds(certificate_type="CentralSystemRootCertificate"),
    "InstallCertificate": call.InstallCertificate(certificate_type="CentralSystemRootCertificate", certificate=PEM),
    "CertificateSigned": call.CertificateSigned(certificate_chain=PEM),
    "ExtendedTriggerMessage": call.ExtendedTriggerMessage(requested_message="Heartbeat"),
    "GetLog": call.GetLog(log_type="DiagnosticsLog", request_id=1, log={"remoteLocation": "ftp://127.0.0.1:9/log"}),
}


@pytest.mark.parametrize("action", list(SUPPORTED))
def test_a_built_profiles_request_gets_a_result(shared, action):
    shared.call("CP0000", SUPPORTED[action])
