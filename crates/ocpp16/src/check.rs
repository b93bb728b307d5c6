//! Constraints of the schemas that serde's derive cannot express: minimum item counts
//! and the one enumeration that differs between two messages sharing a type.

use alloc::format;

use crate::{
    action::{Request, Response},
    error::{ErrorCode, WireError},
    messages::{
        GetInstalledCertificateIdsResponse, MeterValue, MeterValuesRequest, StopTransactionRequest,
        UnitOfMeasure,
    },
};

fn at_least_one<T>(items: &[T], path: &str) -> Result<(), WireError> {
    if items.is_empty() {
        Err(WireError::new(
            ErrorCode::OccurenceConstraintViolation,
            format!("{path}: 0 items, at least 1 required"),
        ))
    } else {
        Ok(())
    }
}

/// `MeterValues` needs at least one meter value, each with at least one sampled value.
fn meter_values(values: &[MeterValue], path: &str) -> Result<(), WireError> {
    at_least_one(values, path)?;
    for (i, value) in values.iter().enumerate() {
        at_least_one(&value.sampled_value, &format!("{path}[{i}].sampledValue"))?;
    }
    Ok(())
}

/// `StopTransaction`'s unit enumeration lacks `Hertz`, unlike `MeterValues`'.
fn no_hertz(values: &[MeterValue], path: &str) -> Result<(), WireError> {
    for (i, value) in values.iter().enumerate() {
        for (j, sample) in value.sampled_value.iter().enumerate() {
            if sample.unit == Some(UnitOfMeasure::Hertz) {
                return Err(WireError::new(
                    ErrorCode::PropertyConstraintViolation,
                    format!(
                        "{path}[{i}].sampledValue[{j}].unit: \"Hertz\" is not allowed in StopTransaction"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Checks a decoded request beyond what its type enforces.
pub(crate) fn request(request: &Request) -> Result<(), WireError> {
    match request {
        Request::MeterValues(m) => meter_values(&m.meter_value, "meterValue"),
        Request::StopTransaction(m) => m
            .transaction_data
            .as_deref()
            .map_or(Ok(()), |d| no_hertz(d, "transactionData")),
        _ => Ok(()),
    }
}

/// Checks a decoded response beyond what its type enforces.
pub(crate) fn response(response: &Response) -> Result<(), WireError> {
    match response {
        Response::GetInstalledCertificateIds(m) => m
            .certificate_hash_data
            .as_deref()
            .map_or(Ok(()), |d| at_least_one(d, "certificateHashData")),
        _ => Ok(()),
    }
}

/// `MeterValues`: at least one meter value, each with at least one sampled value.
pub(crate) fn meter_values_request(m: &MeterValuesRequest) -> Result<(), WireError> {
    meter_values(&m.meter_value, "meterValue")
}

/// `StopTransaction`: no `Hertz` among the units of its transaction data.
pub(crate) fn stop_transaction_request(m: &StopTransactionRequest) -> Result<(), WireError> {
    m.transaction_data
        .as_deref()
        .map_or(Ok(()), |d| no_hertz(d, "transactionData"))
}

/// `GetInstalledCertificateIds.conf`: a present list holds at least one hash.
pub(crate) fn get_installed_certificate_ids_response(
    m: &GetInstalledCertificateIdsResponse,
) -> Result<(), WireError> {
    m.certificate_hash_data
        .as_deref()
        .map_or(Ok(()), |d| at_least_one(d, "certificateHashData"))
}
