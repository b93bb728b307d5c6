//! The wire description of every message: for each type, its fields in schema order
//! with their wire names and whether they are required. The rest of each field's schema
//! is its Rust type: `CiString<N>` carries its length in characters, `Decimal` the
//! `multipleOf: 0.1`, `DateTime` the date-time format, `Uri` the URI format, an
//! enumeration its values, a struct its own fields; `check` names rules no type carries
//! (minimum item counts, StopTransaction's narrower unit list). `wire_struct!`
//! (`codec/mod.rs`) generates each type's decoder and encoder from this table.

use super::*;

wire_struct! {
    // common.rs
    AuthorizationData {
        id_tag: "idTag" req,
        id_tag_info: "idTagInfo" opt,
    };
    CertificateHashData {
        hash_algorithm: "hashAlgorithm" req,
        issuer_name_hash: "issuerNameHash" req,
        issuer_key_hash: "issuerKeyHash" req,
        serial_number: "serialNumber" req,
    };
    ChargingProfile {
        charging_profile_id: "chargingProfileId" req,
        transaction_id: "transactionId" opt,
        stack_level: "stackLevel" req,
        charging_profile_purpose: "chargingProfilePurpose" req,
        charging_profile_kind: "chargingProfileKind" req,
        recurrency_kind: "recurrencyKind" opt,
        valid_from: "validFrom" opt,
        valid_to: "validTo" opt,
        charging_schedule: "chargingSchedule" req,
    };
    ChargingSchedule {
        duration: "duration" opt,
        start_schedule: "startSchedule" opt,
        charging_rate_unit: "chargingRateUnit" req,
        charging_schedule_period: "chargingSchedulePeriod" req,
        min_charging_rate: "minChargingRate" opt,
    };
    ChargingSchedulePeriod {
        start_period: "startPeriod" req,
        limit: "limit" req,
        number_phases: "numberPhases" opt,
    };
    Firmware {
        location: "location" req,
        retrieve_date_time: "retrieveDateTime" req,
        install_date_time: "installDateTime" opt,
        signing_certificate: "signingCertificate" req,
        signature: "signature" req,
    };
    IdTagInfo {
        expiry_date: "expiryDate" opt,
        parent_id_tag: "parentIdTag" opt,
        status: "status" req,
    };
    KeyValue {
        key: "key" req,
        readonly: "readonly" req,
        value: "value" opt,
    };
    LogParameters {
        remote_location: "remoteLocation" req,
        oldest_timestamp: "oldestTimestamp" opt,
        latest_timestamp: "latestTimestamp" opt,
    };
    MeterValue {
        timestamp: "timestamp" req,
        sampled_value: "sampledValue" req,
    };
    SampledValue {
        value: "value" req,
        context: "context" opt,
        format: "format" opt,
        measurand: "measurand" opt,
        phase: "phase" opt,
        location: "location" opt,
        unit: "unit" opt,
    };
    // core.rs
    AuthorizeRequest {
        id_tag: "idTag" req,
    };
    AuthorizeResponse {
        id_tag_info: "idTagInfo" req,
    };
    BootNotificationRequest {
        charge_point_vendor: "chargePointVendor" req,
        charge_point_model: "chargePointModel" req,
        charge_point_serial_number: "chargePointSerialNumber" opt,
        charge_box_serial_number: "chargeBoxSerialNumber" opt,
        firmware_version: "firmwareVersion" opt,
        iccid: "iccid" opt,
        imsi: "imsi" opt,
        meter_type: "meterType" opt,
        meter_serial_number: "meterSerialNumber" opt,
    };
    BootNotificationResponse {
        status: "status" req,
        current_time: "currentTime" req,
        interval: "interval" req,
    };
    ChangeAvailabilityRequest {
        connector_id: "connectorId" req,
        kind: "type" req,
    };
    ChangeAvailabilityResponse {
        status: "status" req,
    };
    ChangeConfigurationRequest {
        key: "key" req,
        value: "value" req,
    };
    ChangeConfigurationResponse {
        status: "status" req,
    };
    ClearCacheRequest {};
    ClearCacheResponse {
        status: "status" req,
    };
    DataTransferRequest {
        vendor_id: "vendorId" req,
        message_id: "messageId" opt,
        data: "data" opt,
    };
    DataTransferResponse {
        status: "status" req,
        data: "data" opt,
    };
    GetConfigurationRequest {
        key: "key" opt,
    };
    GetConfigurationResponse {
        configuration_key: "configurationKey" opt,
        unknown_key: "unknownKey" opt,
    };
    HeartbeatRequest {};
    HeartbeatResponse {
        current_time: "currentTime" req,
    };
    MeterValuesRequest {
        connector_id: "connectorId" req,
        transaction_id: "transactionId" opt,
        meter_value: "meterValue" req,
    } check crate::check::meter_values_request;
    MeterValuesResponse {};
    RemoteStartTransactionRequest {
        connector_id: "connectorId" opt,
        id_tag: "idTag" req,
        charging_profile: "chargingProfile" opt,
    };
    RemoteStartTransactionResponse {
        status: "status" req,
    };
    RemoteStopTransactionRequest {
        transaction_id: "transactionId" req,
    };
    RemoteStopTransactionResponse {
        status: "status" req,
    };
    ResetRequest {
        kind: "type" req,
    };
    ResetResponse {
        status: "status" req,
    };
    StartTransactionRequest {
        connector_id: "connectorId" req,
        id_tag: "idTag" req,
        meter_start: "meterStart" req,
        reservation_id: "reservationId" opt,
        timestamp: "timestamp" req,
    };
    StartTransactionResponse {
        id_tag_info: "idTagInfo" req,
        transaction_id: "transactionId" req,
    };
    StatusNotificationRequest {
        connector_id: "connectorId" req,
        error_code: "errorCode" req,
        info: "info" opt,
        status: "status" req,
        timestamp: "timestamp" opt,
        vendor_id: "vendorId" opt,
        vendor_error_code: "vendorErrorCode" opt,
    };
    StatusNotificationResponse {};
    StopTransactionRequest {
        id_tag: "idTag" opt,
        meter_stop: "meterStop" req,
        timestamp: "timestamp" req,
        transaction_id: "transactionId" req,
        reason: "reason" opt,
        transaction_data: "transactionData" opt,
    } check crate::check::stop_transaction_request;
    StopTransactionResponse {
        id_tag_info: "idTagInfo" opt,
    };
    UnlockConnectorRequest {
        connector_id: "connectorId" req,
    };
    UnlockConnectorResponse {
        status: "status" req,
    };
    // firmware.rs
    GetDiagnosticsRequest {
        location: "location" req,
        retries: "retries" opt,
        retry_interval: "retryInterval" opt,
        start_time: "startTime" opt,
        stop_time: "stopTime" opt,
    };
    GetDiagnosticsResponse {
        file_name: "fileName" opt,
    };
    DiagnosticsStatusNotificationRequest {
        status: "status" req,
    };
    DiagnosticsStatusNotificationResponse {};
    FirmwareStatusNotificationRequest {
        status: "status" req,
    };
    FirmwareStatusNotificationResponse {};
    UpdateFirmwareRequest {
        location: "location" req,
        retries: "retries" opt,
        retrieve_date: "retrieveDate" req,
        retry_interval: "retryInterval" opt,
    };
    UpdateFirmwareResponse {};
    // local_auth.rs
    GetLocalListVersionRequest {};
    GetLocalListVersionResponse {
        list_version: "listVersion" req,
    };
    SendLocalListRequest {
        list_version: "listVersion" req,
        local_authorization_list: "localAuthorizationList" opt,
        update_type: "updateType" req,
    };
    SendLocalListResponse {
        status: "status" req,
    };
    // reservation.rs
    ReserveNowRequest {
        connector_id: "connectorId" req,
        expiry_date: "expiryDate" req,
        id_tag: "idTag" req,
        parent_id_tag: "parentIdTag" opt,
        reservation_id: "reservationId" req,
    };
    ReserveNowResponse {
        status: "status" req,
    };
    CancelReservationRequest {
        reservation_id: "reservationId" req,
    };
    CancelReservationResponse {
        status: "status" req,
    };
    // smart_charging.rs
    SetChargingProfileRequest {
        connector_id: "connectorId" req,
        cs_charging_profiles: "csChargingProfiles" req,
    };
    SetChargingProfileResponse {
        status: "status" req,
    };
    ClearChargingProfileRequest {
        id: "id" opt,
        connector_id: "connectorId" opt,
        charging_profile_purpose: "chargingProfilePurpose" opt,
        stack_level: "stackLevel" opt,
    };
    ClearChargingProfileResponse {
        status: "status" req,
    };
    GetCompositeScheduleRequest {
        connector_id: "connectorId" req,
        duration: "duration" req,
        charging_rate_unit: "chargingRateUnit" opt,
    };
    GetCompositeScheduleResponse {
        status: "status" req,
        connector_id: "connectorId" opt,
        schedule_start: "scheduleStart" opt,
        charging_schedule: "chargingSchedule" opt,
    };
    // remote_trigger.rs
    TriggerMessageRequest {
        requested_message: "requestedMessage" req,
        connector_id: "connectorId" opt,
    };
    TriggerMessageResponse {
        status: "status" req,
    };
    // security.rs
    CertificateSignedRequest {
        certificate_chain: "certificateChain" req,
    };
    CertificateSignedResponse {
        status: "status" req,
    };
    DeleteCertificateRequest {
        certificate_hash_data: "certificateHashData" req,
    };
    DeleteCertificateResponse {
        status: "status" req,
    };
    ExtendedTriggerMessageRequest {
        requested_message: "requestedMessage" req,
        connector_id: "connectorId" opt,
    };
    ExtendedTriggerMessageResponse {
        status: "status" req,
    };
    GetInstalledCertificateIdsRequest {
        certificate_type: "certificateType" req,
    };
    GetInstalledCertificateIdsResponse {
        certificate_hash_data: "certificateHashData" opt,
        status: "status" req,
    } check crate::check::get_installed_certificate_ids_response;
    GetLogRequest {
        log: "log" req,
        log_type: "logType" req,
        request_id: "requestId" req,
        retries: "retries" opt,
        retry_interval: "retryInterval" opt,
    };
    GetLogResponse {
        status: "status" req,
        filename: "filename" opt,
    };
    InstallCertificateRequest {
        certificate_type: "certificateType" req,
        certificate: "certificate" req,
    };
    InstallCertificateResponse {
        status: "status" req,
    };
    LogStatusNotificationRequest {
        status: "status" req,
        request_id: "requestId" opt,
    };
    LogStatusNotificationResponse {};
    SecurityEventNotificationRequest {
        kind: "type" req,
        timestamp: "timestamp" req,
        tech_info: "techInfo" opt,
    };
    SecurityEventNotificationResponse {};
    SignCertificateRequest {
        csr: "csr" req,
    };
    SignCertificateResponse {
        status: "status" req,
    };
    SignedFirmwareStatusNotificationRequest {
        status: "status" req,
        request_id: "requestId" opt,
    };
    SignedFirmwareStatusNotificationResponse {};
    SignedUpdateFirmwareRequest {
        retries: "retries" opt,
        retry_interval: "retryInterval" opt,
        request_id: "requestId" req,
        firmware: "firmware" req,
    };
    SignedUpdateFirmwareResponse {
        status: "status" req,
    };
}
