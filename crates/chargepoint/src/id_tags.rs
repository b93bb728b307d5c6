//! What the box knows about idTags without asking: the local authorization list the
//! CSMS sends (SendLocalList) and the cache of the CSMS's recent answers.

use alloc::vec::Vec;
use ocpp16::{
    CiString20, DateTime,
    messages::{AuthorizationStatus, IdTagInfo, SendLocalListRequest, UpdateStatus, UpdateType},
};

use crate::model::Limits;

/// An idTag and what is known about it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthEntry {
    /// The idTag.
    pub id_tag: CiString20,
    /// Its status, expiry and group.
    pub info: IdTagInfo,
}

/// The entry of `tag` (case-insensitive, as idTags compare).
fn find<'a>(entries: &'a [AuthEntry], tag: &str) -> Option<&'a IdTagInfo> {
    entries
        .iter()
        .find(|e| e.id_tag.eq_ignore_case(tag))
        .map(|e| &e.info)
}

/// Whether an idTagInfo lets its tag charge at `now`.
#[must_use]
pub fn allows(info: &IdTagInfo, now: DateTime) -> bool {
    info.status == AuthorizationStatus::Accepted && info.expiry_date.is_none_or(|e| e > now)
}

/// The local authorization list.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LocalList {
    /// Its version (0 until the CSMS sends one).
    pub version: i32,
    /// Its entries.
    pub entries: Vec<AuthEntry>,
}

impl LocalList {
    /// What the list says about `tag` (case-insensitive, as idTags compare).
    #[must_use]
    pub fn get(&self, tag: &str) -> Option<&IdTagInfo> {
        find(&self.entries, tag)
    }

    /// Applies a SendLocalList (OCPP 1.6 §5.15): a full list replaces the old one, a
    /// differential one adds, changes (entries with idTagInfo) and removes (without).
    /// Nothing changes unless the answer is Accepted.
    pub fn apply(&mut self, r: &SendLocalListRequest, limits: &Limits) -> UpdateStatus {
        let entries = r.local_authorization_list.as_deref().unwrap_or_default();
        if entries.len() > limits.send_local_list {
            return UpdateStatus::Failed;
        }
        let mut next = match r.update_type {
            UpdateType::Full => Vec::new(),
            UpdateType::Differential => {
                // A differential update must carry a higher version than the list's.
                if r.list_version <= self.version {
                    return UpdateStatus::VersionMismatch;
                }
                self.entries.clone()
            }
        };
        for entry in entries {
            next.retain(|e: &AuthEntry| !e.id_tag.eq_ignore_case(&entry.id_tag));
            match (&entry.id_tag_info, r.update_type) {
                (Some(info), _) => next.push(AuthEntry {
                    id_tag: entry.id_tag.clone(),
                    info: info.clone(),
                }),
                // A full list must say something about every idTag it names.
                (None, UpdateType::Full) => return UpdateStatus::Failed,
                (None, UpdateType::Differential) => {}
            }
        }
        if next.len() > limits.local_list {
            return UpdateStatus::Failed;
        }
        self.entries = next;
        self.version = r.list_version;
        UpdateStatus::Accepted
    }
}

/// The authorization cache: the CSMS's latest answer per idTag, least recently used first
/// out when full.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AuthCache {
    /// Entries, least recently used first.
    pub entries: Vec<AuthEntry>,
}

impl AuthCache {
    /// What the cache says about `tag`.
    #[must_use]
    pub fn get(&self, tag: &str) -> Option<&IdTagInfo> {
        find(&self.entries, tag)
    }

    /// Records the CSMS's answer for `tag`, making room by dropping an expired entry
    /// or else the least recently used one.
    pub fn update(&mut self, tag: &CiString20, info: &IdTagInfo, capacity: usize, now: DateTime) {
        self.entries.retain(|e| !e.id_tag.eq_ignore_case(tag));
        if self.entries.len() >= capacity {
            let expired = self
                .entries
                .iter()
                .position(|e| e.info.expiry_date.is_some_and(|x| x <= now));
            self.entries.remove(expired.unwrap_or(0));
        }
        if capacity > 0 {
            self.entries.push(AuthEntry {
                id_tag: tag.clone(),
                info: info.clone(),
            });
        }
    }

    /// Marks `tag` as just used.
    pub fn touch(&mut self, tag: &str) {
        if let Some(i) = self
            .entries
            .iter()
            .position(|e| e.id_tag.eq_ignore_case(tag))
        {
            let entry = self.entries.remove(i);
            self.entries.push(entry);
        }
    }

    /// Empties it (ClearCache).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

// The stored form (see `crate::durable`): format 1's names after `|`.
ocpp16::stored_struct! {
    AuthEntry {
        id_tag: "idTag" | "id_tag" req,
        info: "info" req,
    }
    LocalList {
        version: "version" def,
        entries: "entries" def,
    }
    AuthCache {
        entries: "entries" def,
    }
}
