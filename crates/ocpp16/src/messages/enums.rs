//! The enumerations of the OCPP 1.6 JSON schemas, with their wire spellings.

wire_enum! {
    /// `AuthorizationStatus`: Accepted, Blocked, Expired, Invalid, …
    AuthorizationStatus {
        Accepted = "Accepted",
        Blocked = "Blocked",
        Expired = "Expired",
        Invalid = "Invalid",
        ConcurrentTx = "ConcurrentTx",
    }

    /// `AvailabilityStatus`: Accepted, Rejected, Scheduled
    AvailabilityStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
        Scheduled = "Scheduled",
    }

    /// `AvailabilityType`: Inoperative, Operative
    AvailabilityType {
        Inoperative = "Inoperative",
        Operative = "Operative",
    }

    /// `CancelReservationStatus`: Accepted, Rejected
    CancelReservationStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
    }

    /// `CertificateSignedStatus`: Accepted, Rejected
    CertificateSignedStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
    }

    /// `CertificateUse`: CentralSystemRootCertificate, ManufacturerRootCertificate
    CertificateUse {
        CentralSystemRootCertificate = "CentralSystemRootCertificate",
        ManufacturerRootCertificate = "ManufacturerRootCertificate",
    }

    /// `ChargePointErrorCode`: ConnectorLockFailure, EVCommunicationError, GroundFailure, HighTemperature, …
    ChargePointErrorCode {
        ConnectorLockFailure = "ConnectorLockFailure",
        EvCommunicationError = "EVCommunicationError",
        GroundFailure = "GroundFailure",
        HighTemperature = "HighTemperature",
        InternalError = "InternalError",
        LocalListConflict = "LocalListConflict",
        NoError = "NoError",
        OtherError = "OtherError",
        OverCurrentFailure = "OverCurrentFailure",
        PowerMeterFailure = "PowerMeterFailure",
        PowerSwitchFailure = "PowerSwitchFailure",
        ReaderFailure = "ReaderFailure",
        ResetFailure = "ResetFailure",
        UnderVoltage = "UnderVoltage",
        OverVoltage = "OverVoltage",
        WeakSignal = "WeakSignal",
    }

    /// `ChargePointStatus`: Available, Preparing, Charging, SuspendedEVSE, …
    ChargePointStatus {
        Available = "Available",
        Preparing = "Preparing",
        Charging = "Charging",
        SuspendedEvse = "SuspendedEVSE",
        SuspendedEv = "SuspendedEV",
        Finishing = "Finishing",
        Reserved = "Reserved",
        Unavailable = "Unavailable",
        Faulted = "Faulted",
    }

    /// `ChargingProfileKind`: Absolute, Recurring, Relative
    ChargingProfileKind {
        Absolute = "Absolute",
        Recurring = "Recurring",
        Relative = "Relative",
    }

    /// `ChargingProfilePurpose`: ChargePointMaxProfile, TxDefaultProfile, TxProfile
    ChargingProfilePurpose {
        ChargePointMaxProfile = "ChargePointMaxProfile",
        TxDefaultProfile = "TxDefaultProfile",
        TxProfile = "TxProfile",
    }

    /// `ChargingProfileStatus`: Accepted, Rejected, NotSupported
    ChargingProfileStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
        NotSupported = "NotSupported",
    }

    /// `ChargingRateUnit`: A, W
    ChargingRateUnit {
        A = "A",
        W = "W",
    }

    /// `ClearCacheStatus`: Accepted, Rejected
    ClearCacheStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
    }

    /// `ClearChargingProfileStatus`: Accepted, Unknown
    ClearChargingProfileStatus {
        Accepted = "Accepted",
        Unknown = "Unknown",
    }

    /// `ConfigurationStatus`: Accepted, Rejected, RebootRequired, NotSupported
    ConfigurationStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
        RebootRequired = "RebootRequired",
        NotSupported = "NotSupported",
    }

    /// `DataTransferStatus`: Accepted, Rejected, UnknownMessageId, UnknownVendorId
    DataTransferStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
        UnknownMessageId = "UnknownMessageId",
        UnknownVendorId = "UnknownVendorId",
    }

    /// `DeleteCertificateStatus`: Accepted, Failed, NotFound
    DeleteCertificateStatus {
        Accepted = "Accepted",
        Failed = "Failed",
        NotFound = "NotFound",
    }

    /// `DiagnosticsStatus`: Idle, Uploaded, UploadFailed, Uploading
    DiagnosticsStatus {
        Idle = "Idle",
        Uploaded = "Uploaded",
        UploadFailed = "UploadFailed",
        Uploading = "Uploading",
    }

    /// `ExtendedMessageTrigger`: BootNotification, LogStatusNotification, FirmwareStatusNotification, Heartbeat, …
    ExtendedMessageTrigger {
        BootNotification = "BootNotification",
        LogStatusNotification = "LogStatusNotification",
        FirmwareStatusNotification = "FirmwareStatusNotification",
        Heartbeat = "Heartbeat",
        MeterValues = "MeterValues",
        SignChargePointCertificate = "SignChargePointCertificate",
        StatusNotification = "StatusNotification",
    }

    /// `FirmwareStatus`: Downloaded, DownloadFailed, Downloading, Idle, …
    FirmwareStatus {
        Downloaded = "Downloaded",
        DownloadFailed = "DownloadFailed",
        Downloading = "Downloading",
        Idle = "Idle",
        InstallationFailed = "InstallationFailed",
        Installing = "Installing",
        Installed = "Installed",
    }

    /// `GenericStatus`: Accepted, Rejected
    GenericStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
    }

    /// `GetCompositeScheduleStatus`: Accepted, Rejected
    GetCompositeScheduleStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
    }

    /// `GetInstalledCertificateStatus`: Accepted, NotFound
    GetInstalledCertificateStatus {
        Accepted = "Accepted",
        NotFound = "NotFound",
    }

    /// `HashAlgorithm`: SHA256, SHA384, SHA512
    HashAlgorithm {
        Sha256 = "SHA256",
        Sha384 = "SHA384",
        Sha512 = "SHA512",
    }

    /// `InstallCertificateStatus`: Accepted, Failed, Rejected
    InstallCertificateStatus {
        Accepted = "Accepted",
        Failed = "Failed",
        Rejected = "Rejected",
    }

    /// `Location`: Cable, EV, Inlet, Outlet, …
    Location {
        Cable = "Cable",
        Ev = "EV",
        Inlet = "Inlet",
        Outlet = "Outlet",
        Body = "Body",
    }

    /// `LogStatus`: Accepted, Rejected, AcceptedCanceled
    LogStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
        AcceptedCanceled = "AcceptedCanceled",
    }

    /// `LogType`: DiagnosticsLog, SecurityLog
    LogType {
        DiagnosticsLog = "DiagnosticsLog",
        SecurityLog = "SecurityLog",
    }

    /// `Measurand`: Energy.Active.Export.Register, Energy.Active.Import.Register, Energy.Reactive.Export.Register, Energy.Reactive.Import.Register, …
    Measurand {
        EnergyActiveExportRegister = "Energy.Active.Export.Register",
        EnergyActiveImportRegister = "Energy.Active.Import.Register",
        EnergyReactiveExportRegister = "Energy.Reactive.Export.Register",
        EnergyReactiveImportRegister = "Energy.Reactive.Import.Register",
        EnergyActiveExportInterval = "Energy.Active.Export.Interval",
        EnergyActiveImportInterval = "Energy.Active.Import.Interval",
        EnergyReactiveExportInterval = "Energy.Reactive.Export.Interval",
        EnergyReactiveImportInterval = "Energy.Reactive.Import.Interval",
        PowerActiveExport = "Power.Active.Export",
        PowerActiveImport = "Power.Active.Import",
        PowerOffered = "Power.Offered",
        PowerReactiveExport = "Power.Reactive.Export",
        PowerReactiveImport = "Power.Reactive.Import",
        PowerFactor = "Power.Factor",
        CurrentImport = "Current.Import",
        CurrentExport = "Current.Export",
        CurrentOffered = "Current.Offered",
        Voltage = "Voltage",
        Frequency = "Frequency",
        Temperature = "Temperature",
        SoC = "SoC",
        Rpm = "RPM",
    }

    /// `MessageTrigger`: BootNotification, DiagnosticsStatusNotification, FirmwareStatusNotification, Heartbeat, …
    MessageTrigger {
        BootNotification = "BootNotification",
        DiagnosticsStatusNotification = "DiagnosticsStatusNotification",
        FirmwareStatusNotification = "FirmwareStatusNotification",
        Heartbeat = "Heartbeat",
        MeterValues = "MeterValues",
        StatusNotification = "StatusNotification",
    }

    /// `Phase`: L1, L2, L3, N, …
    Phase {
        L1 = "L1",
        L2 = "L2",
        L3 = "L3",
        N = "N",
        L1N = "L1-N",
        L2N = "L2-N",
        L3N = "L3-N",
        L1L2 = "L1-L2",
        L2L3 = "L2-L3",
        L3L1 = "L3-L1",
    }

    /// `ReadingContext`: Interruption.Begin, Interruption.End, Sample.Clock, Sample.Periodic, …
    ReadingContext {
        InterruptionBegin = "Interruption.Begin",
        InterruptionEnd = "Interruption.End",
        SampleClock = "Sample.Clock",
        SamplePeriodic = "Sample.Periodic",
        TransactionBegin = "Transaction.Begin",
        TransactionEnd = "Transaction.End",
        Trigger = "Trigger",
        Other = "Other",
    }

    /// `Reason`: EmergencyStop, EVDisconnected, HardReset, Local, …
    Reason {
        EmergencyStop = "EmergencyStop",
        EvDisconnected = "EVDisconnected",
        HardReset = "HardReset",
        Local = "Local",
        Other = "Other",
        PowerLoss = "PowerLoss",
        Reboot = "Reboot",
        Remote = "Remote",
        SoftReset = "SoftReset",
        UnlockCommand = "UnlockCommand",
        DeAuthorized = "DeAuthorized",
    }

    /// `RecurrencyKind`: Daily, Weekly
    RecurrencyKind {
        Daily = "Daily",
        Weekly = "Weekly",
    }

    /// `RegistrationStatus`: Accepted, Pending, Rejected
    RegistrationStatus {
        Accepted = "Accepted",
        Pending = "Pending",
        Rejected = "Rejected",
    }

    /// `RemoteStartStopStatus`: Accepted, Rejected
    RemoteStartStopStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
    }

    /// `ReservationStatus`: Accepted, Faulted, Occupied, Rejected, …
    ReservationStatus {
        Accepted = "Accepted",
        Faulted = "Faulted",
        Occupied = "Occupied",
        Rejected = "Rejected",
        Unavailable = "Unavailable",
    }

    /// `ResetStatus`: Accepted, Rejected
    ResetStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
    }

    /// `ResetType`: Hard, Soft
    ResetType {
        Hard = "Hard",
        Soft = "Soft",
    }

    /// `SignedFirmwareStatus`: Downloaded, DownloadFailed, Downloading, DownloadScheduled, …
    SignedFirmwareStatus {
        Downloaded = "Downloaded",
        DownloadFailed = "DownloadFailed",
        Downloading = "Downloading",
        DownloadScheduled = "DownloadScheduled",
        DownloadPaused = "DownloadPaused",
        Idle = "Idle",
        InstallationFailed = "InstallationFailed",
        Installing = "Installing",
        Installed = "Installed",
        InstallRebooting = "InstallRebooting",
        InstallScheduled = "InstallScheduled",
        InstallVerificationFailed = "InstallVerificationFailed",
        InvalidSignature = "InvalidSignature",
        SignatureVerified = "SignatureVerified",
    }

    /// `TriggerMessageStatus`: Accepted, Rejected, NotImplemented
    TriggerMessageStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
        NotImplemented = "NotImplemented",
    }

    /// `UnitOfMeasure`: Wh, kWh, varh, kvarh, …
    UnitOfMeasure {
        Wh = "Wh",
        KWh = "kWh",
        Varh = "varh",
        Kvarh = "kvarh",
        W = "W",
        Kw = "kW",
        Va = "VA",
        Kva = "kVA",
        Var = "var",
        Kvar = "kvar",
        A = "A",
        V = "V",
        K = "K",
        Celcius = "Celcius",
        Celsius = "Celsius",
        Fahrenheit = "Fahrenheit",
        Percent = "Percent",
        Hertz = "Hertz",
    }

    /// `UnlockStatus`: Unlocked, UnlockFailed, NotSupported
    UnlockStatus {
        Unlocked = "Unlocked",
        UnlockFailed = "UnlockFailed",
        NotSupported = "NotSupported",
    }

    /// `UpdateFirmwareStatus`: Accepted, Rejected, AcceptedCanceled, InvalidCertificate, …
    UpdateFirmwareStatus {
        Accepted = "Accepted",
        Rejected = "Rejected",
        AcceptedCanceled = "AcceptedCanceled",
        InvalidCertificate = "InvalidCertificate",
        RevokedCertificate = "RevokedCertificate",
    }

    /// `UpdateStatus`: Accepted, Failed, NotSupported, VersionMismatch
    UpdateStatus {
        Accepted = "Accepted",
        Failed = "Failed",
        NotSupported = "NotSupported",
        VersionMismatch = "VersionMismatch",
    }

    /// `UpdateType`: Differential, Full
    UpdateType {
        Differential = "Differential",
        Full = "Full",
    }

    /// `UploadLogStatus`: BadMessage, Idle, NotSupportedOperation, PermissionDenied, …
    UploadLogStatus {
        BadMessage = "BadMessage",
        Idle = "Idle",
        NotSupportedOperation = "NotSupportedOperation",
        PermissionDenied = "PermissionDenied",
        Uploaded = "Uploaded",
        UploadFailure = "UploadFailure",
        Uploading = "Uploading",
    }

    /// `ValueFormat`: Raw, SignedData
    ValueFormat {
        Raw = "Raw",
        SignedData = "SignedData",
    }
}
