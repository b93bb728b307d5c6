//! The Local Auth List Management profile: GetLocalListVersion and SendLocalList.

use ocpp16::{Action, WireError, messages::*};

use super::{Handler, rows};
use crate::{engine::ChargePoint, model::Key, time::Instant};

/// The profile's rows of the dispatch table.
pub(crate) const HANDLERS: &[(Action, Handler)] = rows![
    GetLocalListVersion => |cp, _, _| Ok(cp.local_list_version()),
    SendLocalList => |cp, now, r| Ok(cp.send_local_list(now, &r)),
];

impl ChargePoint {
    /// The list's version; -1 while LocalAuthListEnabled is 0 (OCPP 1.6 §5.9).
    fn local_list_version(&self) -> GetLocalListVersionResponse {
        let list_version = if self.config.bool(Key::LocalAuthListEnabled) {
            self.local_list.version
        } else {
            -1
        };
        GetLocalListVersionResponse { list_version }
    }

    /// SendLocalList within the product's limits (10 entries a message, 50 in the list).
    fn send_local_list(
        &mut self,
        _now: Instant,
        r: &SendLocalListRequest,
    ) -> SendLocalListResponse {
        if !self.config.bool(Key::LocalAuthListEnabled) {
            return SendLocalListResponse {
                status: UpdateStatus::NotSupported,
            };
        }
        let status = self.local_list.apply(r, &self.settings.limits);
        if status == UpdateStatus::Accepted {
            // Tags now on the list are decided by the list, not the cache.
            let list = &self.local_list;
            self.cache.entries.retain(|e| list.get(&e.id_tag).is_none());
            self.changed();
        }
        SendLocalListResponse { status }
    }
}
