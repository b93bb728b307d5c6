"""GetConfiguration and ChangeConfiguration over the product's key table: defaults, access,
every range at its boundaries and one beyond, the 60-key limit, unknown keys."""

import pytest
from ocpp.v16 import call

from .csms import CallErrorReceived, compact

READ_ONLY = {
    "GetConfigurationMaxKeys": "60", "NumberOfConnectors": "1", "StopTransactionOnEVSideDisconnect": "1",
    "LocalAuthListMaxLength": "50", "SendLocalListMaxLength": "10", "ChargeProfileMaxStackLevel": "5",
    "ChargingScheduleAllowedChargingRateUnit": "Current", "ChargingScheduleMaxPeriods": "5",
    "MaxChargingProfilesInstalled": "9", "SupportedFileTransferProtocols": "HTTP,HTTPS,FTP",
    # Only the profiles the box answers in full, as the contract lists them.
    "SupportedFeatureProfiles": "Core,FirmwareManagement,LocalAuthListManagement,Reservation,SmartCharging,RemoteTrigger",
}
READ_WRITE = {
    "AllowOfflineTxForUnknownId": "0", "AuthorizeRemoteTxRequests": "1", "AuthorizationCacheEnabled": "1",
    "ClockAlignedDataInterval": "3600", "ConnectionTimeOut": "120", "ConnectorPhaseRotation": "Unknown",
    "HeartbeatInterval": "3600", "LocalAuthorizeOffline": "0", "LocalPreAuthorize": "1",
    "MeterValuesAlignedData": "", "MeterValuesSampledData": "Energy.Active.Import.Register",
    "MeterValueSampleInterval": "3600", "ResetRetries": "10", "StopTransactionOnInvalidId": "0",
    "StopTxnAlignedData": "", "StopTxnSampledData": "", "TransactionMessageAttempts": "3",
    "TransactionMessageRetryInterval": "20", "UnlockConnectorOnEVSideDisconnect": "1",
    "WebSocketPingInterval": "10", "LocalAuthListEnabled": "1", "SecurityProfile": "0", "CpoName": "",
    "AdditionalRootCertificateCheck": "0", "CertificateStoreMaxLength": "1",
}
VENDOR = {"Solar", "SolarCharging"}  # newer firmware only: allowed, not required
INTS = {  # key: (min, max, 0 also allowed)
    "ClockAlignedDataInterval": (300, 86400, True), "ConnectionTimeOut": (1, 3600, False),
    "HeartbeatInterval": (60, 86400, False), "MeterValueSampleInterval": (5, 84600, False),
    "ResetRetries": (0, 10, False), "TransactionMessageAttempts": (1, 100, False),
    "TransactionMessageRetryInterval": (5, 60, False), "WebSocketPingInterval": (1, 1200, False),
}
BOOLS = ["AllowOfflineTxForUnknownId", "AuthorizeRemoteTxRequests", "AuthorizationCacheEnabled",
         "LocalAuthorizeOffline", "LocalPreAuthorize", "StopTransactionOnInvalidId",
         "UnlockConnectorOnEVSideDisconnect", "LocalAuthListEnabled"]
MEASURANDS = "Energy.Active.Import.Register,Current.Import,Current.Offered,Temperature,Voltage,Power.Active.Import"


@pytest.fixture
def cp(csms, evc):
    run = evc().start(csms.url)
    csms.wait_registered()
    yield "CP0000"
    run.stop()


def get(csms, cp, keys=None):
    return compact(csms.call(cp, call.GetConfiguration(key=keys)))


def values(csms, cp, keys=None):
    return {kv["key"]: kv.get("value", "") for kv in get(csms, cp, keys).get("configurationKey", [])}


def test_get_configuration_without_keys_lists_every_readable_key(csms, cp):
    answer = get(csms, cp)
    assert "unknownKey" not in answer
    entries = {kv["key"]: kv for kv in answer["configurationKey"]}
    assert len(entries) == len(answer["configurationKey"]), "each key once"
    assert "AuthorizationKey" not in entries, "AuthorizationKey is write-only"
    assert set(READ_ONLY) | set(READ_WRITE) <= set(entries) <= set(READ_ONLY) | set(READ_WRITE) | VENDOR
    wrong = []
    for key, default in {**READ_ONLY, **READ_WRITE}.items():
        kv = entries[key]
        value = kv.get("value", "")
        if key == "SupportedFeatureProfiles":
            value, default = set(value.split(",")), set(default.split(","))
        if value != default or kv["readonly"] != (key in READ_ONLY):
            wrong.append(kv)
    assert not wrong, wrong


def test_get_configuration_of_named_and_unknown_keys(csms, cp):
    assert get(csms, cp, ["HeartbeatInterval", "NumberOfConnectors"]) == {"configurationKey": [
        {"key": "HeartbeatInterval", "readonly": False, "value": "3600"},
        {"key": "NumberOfConnectors", "readonly": True, "value": "1"}]}
    assert get(csms, cp, ["NoSuchKey", "MeterValueSampleInterval"]) == {
        "configurationKey": [{"key": "MeterValueSampleInterval", "readonly": False, "value": "3600"}],
        "unknownKey": ["NoSuchKey"]}
    assert get(csms, cp, ["NoSuchKey"]) == {"unknownKey": ["NoSuchKey"]}
    answer = get(csms, cp, ["AuthorizationKey"])
    assert "AuthorizationKey" not in [kv["key"] for kv in answer.get("configurationKey", [])]
    # Keys are CiString50: case does not matter.
    answer = get(csms, cp, ["heartbeatinterval"])
    assert "unknownKey" not in answer
    assert [kv["key"].lower() for kv in answer["configurationKey"]] == ["heartbeatinterval"]


def test_get_configuration_takes_at_most_60_keys(csms, cp):
    known = sorted(READ_ONLY) + sorted(READ_WRITE)
    unknown = [f"Unknown{i}" for i in range(60 - len(known))]
    answer = get(csms, cp, known + unknown)
    assert sorted(kv["key"] for kv in answer["configurationKey"]) == sorted(known)
    assert answer["unknownKey"] == unknown
    with pytest.raises(CallErrorReceived) as error:
        get(csms, cp, known + unknown + ["OneTooMany"])
    assert error.value.code == "OccurenceConstraintViolation"


def change(csms, cp, key, value):
    return csms.call(cp, call.ChangeConfiguration(key=key, value=value))["status"]


def check_changes(csms, cp, cases):
    """Runs (key, value, expected statuses) in order; returns the mismatches."""
    wrong = []
    for key, value, expected in cases:
        status = change(csms, cp, key, value)
        if status not in expected:
            wrong.append(f"{key}={value!r}: {status}, expected {' or '.join(expected)}")
    return wrong


A, R = ("Accepted",), ("Rejected",)


def test_integer_keys_at_and_beyond_their_ranges(csms, cp):
    cases = []
    for key, (low, high, zero) in INTS.items():
        cases += [(key, str(low - 1), A if zero and low - 1 == 0 else R), (key, str(low), A),
                  (key, str(high + 1), R), (key, "abc", R), (key, "", R), (key, "7.5", R), (key, str(high), A)]
        if zero:
            cases += [(key, "1", R), (key, "0", A)]
    assert check_changes(csms, cp, cases) == []
    expected = {key: "0" if zero else str(high) for key, (low, high, zero) in INTS.items()}
    assert values(csms, cp, list(INTS)) == expected


def test_boolean_keys(csms, cp):
    cases = []
    for key in BOOLS:
        cases += [(key, v, A) for v in ("1", "0", "true", "false")]
        cases += [(key, v, R) for v in ("2", "-1", "yes", "")]
        cases.append((key, READ_WRITE[key], A))
    assert check_changes(csms, cp, cases) == []
    assert values(csms, cp, BOOLS) == {key: READ_WRITE[key] for key in BOOLS}


def test_choice_text_and_measurand_keys(csms, cp):
    cases = [("ConnectorPhaseRotation", v, ("Accepted", "RebootRequired"))
             for v in ("RST", "RTS", "SRT", "STR", "TRS", "TSR", "Unknown")]
    cases += [("ConnectorPhaseRotation", "XYZ", R), ("ConnectorPhaseRotation", "", R),
              ("AdditionalRootCertificateCheck", "0", A), ("AdditionalRootCertificateCheck", "1", R),
              ("CertificateStoreMaxLength", "1", A), ("CertificateStoreMaxLength", "2", R),
              ("CertificateStoreMaxLength", "0", R),
              ("StopTxnAlignedData", "", A), ("StopTxnAlignedData", "Energy.Active.Import.Register", R),
              ("CpoName", "", A), ("CpoName", "x" * 129, R), ("CpoName", "x" * 128, A),
              ("SecurityProfile", "4", R), ("SecurityProfile", "-1", R), ("SecurityProfile", "one", R),
              ("SecurityProfile", "0", A),
              ("AuthorizationKey", "k" * 31, R), ("AuthorizationKey", "k" * 41, R)]
    for key in ("MeterValuesSampledData", "MeterValuesAlignedData", "StopTxnSampledData"):
        cases += [(key, MEASURANDS, A), (key, "Voltage", A), (key, "Voltage,SoC", R),
                  (key, "Frequency", R), (key, "Voltage,Bogus", R)]
    assert check_changes(csms, cp, cases) == []
    assert values(csms, cp, ["CpoName", "MeterValuesSampledData", "MeterValuesAlignedData",
                             "StopTxnSampledData", "ConnectorPhaseRotation", "SecurityProfile"]) == {
        "CpoName": "x" * 128, "MeterValuesSampledData": "Voltage", "MeterValuesAlignedData": "Voltage",
        "StopTxnSampledData": "Voltage", "ConnectorPhaseRotation": "Unknown", "SecurityProfile": "0"}
    for key in ("MeterValuesAlignedData", "StopTxnSampledData"):
        assert change(csms, cp, key, "") == "Accepted"
    assert values(csms, cp, ["MeterValuesAlignedData", "StopTxnSampledData"]) == {
        "MeterValuesAlignedData": "", "StopTxnSampledData": ""}


def test_read_only_and_unknown_keys(csms, cp):
    cases = [(key, value, R) for key, value in READ_ONLY.items()]
    cases += [("NumberOfConnectors", "2", R), ("GetConfigurationMaxKeys", "100", R),
              ("NoSuchKey", "1", ("NotSupported",)), ("", "1", ("NotSupported",))]
    assert check_changes(csms, cp, cases) == []
    assert values(csms, cp, list(READ_ONLY)) == READ_ONLY
    # Keys are CiString50: case does not matter.
    assert change(csms, cp, "heartbeatinterval", "120") == "Accepted"
    assert values(csms, cp, ["HeartbeatInterval"]) == {"HeartbeatInterval": "120"}


def test_config_option_sets_keys_at_start(csms, evc):
    run = evc().start(csms.url, "--config", "MeterValueSampleInterval=5", "--config", "CpoName=Example CPO",
                      "--config", "LocalPreAuthorize=0")
    csms.wait_registered()
    assert values(csms, "CP0000", ["MeterValueSampleInterval", "CpoName", "LocalPreAuthorize"]) == {
        "MeterValueSampleInterval": "5", "CpoName": "Example CPO", "LocalPreAuthorize": "0"}
    run.stop()
