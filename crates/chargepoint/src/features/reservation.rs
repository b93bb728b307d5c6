//! The Reservation profile: ReserveNow and CancelReservation for connector 1 (connector 0
//! reservations are not supported: the product has no ReserveConnectorZeroSupported).
//! A reservation holds the connector for one idTag (or its group) until it expires or
//! a transaction of that idTag starts, which sends its reservationId.

use ocpp16::{Action, CiString20, DateTime, WireError, messages::*};

use super::{Handler, rows};
use crate::{engine::ChargePoint, time::Instant, timers::Timer};

/// A reservation of connector 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// The CSMS's reservation id.
    pub id: i32,
    /// The idTag it is held for.
    pub id_tag: CiString20,
    /// Its group: any idTag with this parentIdTag may use it too.
    pub parent_id_tag: Option<CiString20>,
    /// When it lapses (UTC).
    pub expiry: DateTime,
}

// The stored form (see `crate::durable`): format 1's names after `|`.
ocpp16::stored_struct! {
    Reservation {
        id: "id" req,
        id_tag: "idTag" | "id_tag" req,
        parent_id_tag: "parentIdTag" | "parent_id_tag" opt,
        expiry: "expiry" req,
    }
}

impl Reservation {
    /// Whether `tag` (of group `parent`) may use the reserved connector.
    #[must_use]
    pub fn admits(&self, tag: &CiString20, parent: Option<&CiString20>) -> bool {
        self.id_tag.eq_ignore_case(tag)
            || self
                .parent_id_tag
                .as_ref()
                .is_some_and(|g| parent.is_some_and(|p| p.eq_ignore_case(g)))
    }
}

/// The Reservation profile's rows of the dispatch table.
pub(crate) const HANDLERS: &[(Action, Handler)] = rows![
    ReserveNow => |cp, now, r| Ok(cp.reserve(now, r)),
    CancelReservation => |cp, now, r| Ok(cp.cancel_reservation(now, &r)),
];

impl ChargePoint {
    fn reserve(&mut self, now: Instant, r: ReserveNowRequest) -> ReserveNowResponse {
        let c = &self.connector;
        let same = c.reservation().is_some_and(|x| x.id == r.reservation_id);
        let wall = self.wall_clock(now);
        let left_ms = r
            .expiry_date
            .unix_millis()
            .saturating_sub(wall.unix_millis());
        let status = if r.connector_id != 1 || left_ms <= 0 {
            self.senseless(if r.connector_id == 1 {
                alloc::format!("expiryDate {} is not in the future", r.expiry_date)
            } else {
                alloc::format!("reservations are for connector 1, not {}", r.connector_id)
            });
            ReservationStatus::Rejected
        } else if !c.faults().is_empty() {
            ReservationStatus::Faulted
        } else if c.is_inoperative() || !self.cp_operative {
            ReservationStatus::Unavailable
        } else if c.transaction().is_some()
            || c.ev_plugged()
            || c.authorized().is_some()
            || (c.reservation().is_some() && !same)
        {
            ReservationStatus::Occupied
        } else {
            ReservationStatus::Accepted
        };
        if status == ReservationStatus::Accepted {
            self.connector.reserve(Reservation {
                id: r.reservation_id,
                id_tag: r.id_tag,
                parent_id_tag: r.parent_id_tag,
                expiry: r.expiry_date,
            });
            let left = u64::try_from(left_ms).unwrap_or(0);
            self.timers.set(Timer::ReservationExpiry, now + left);
            self.changed();
            self.update_outputs(now);
        }
        ReserveNowResponse { status }
    }

    fn cancel_reservation(
        &mut self,
        now: Instant,
        r: &CancelReservationRequest,
    ) -> CancelReservationResponse {
        let ours = self
            .connector
            .reservation()
            .is_some_and(|x| x.id == r.reservation_id);
        if ours {
            self.end_reservation(now);
        } else {
            let held = match self.connector.reservation() {
                Some(x) => alloc::format!("reservation {} is", x.id),
                None => alloc::string::String::from("none is"),
            };
            self.senseless(alloc::format!(
                "no reservation {} on this box ({held} held)",
                r.reservation_id
            ));
        }
        CancelReservationResponse {
            status: if ours {
                CancelReservationStatus::Accepted
            } else {
                CancelReservationStatus::Rejected
            },
        }
    }

    /// The reservation ends (cancelled, expired or used).
    pub(crate) fn end_reservation(&mut self, now: Instant) {
        if self.connector.take_reservation().is_some() {
            self.timers.clear(Timer::ReservationExpiry);
            self.changed();
            self.update_outputs(now);
        }
    }

    /// Re-arms the expiry of a restored reservation (or drops it if it lapsed meanwhile).
    pub(crate) fn arm_reservation(&mut self, now: Instant) {
        let Some(expiry) = self.connector.reservation().map(|r| r.expiry) else {
            return;
        };
        let left_ms = expiry
            .unix_millis()
            .saturating_sub(self.wall_clock(now).unix_millis());
        match u64::try_from(left_ms) {
            Ok(left) if left > 0 => self.timers.set(Timer::ReservationExpiry, now + left),
            _ => self.end_reservation(now),
        }
    }

    /// Whether a reservation keeps `tag` from using the connector.
    pub(crate) fn reserved_for_another(
        &self,
        tag: &CiString20,
        parent: Option<&CiString20>,
    ) -> bool {
        self.connector
            .reservation()
            .is_some_and(|r| !r.admits(tag, parent))
    }
}
