//! Deciding a card: the local list and the cache, LocalPreAuthorize,
//! LocalAuthorizeOffline, AllowOfflineTxForUnknownId, Authorize.req, and stopping a
//! transaction with another card of the same group (parentIdTag).

use ocpp16::{
    CiString20, Request,
    messages::{AuthorizeRequest, IdTagInfo, Reason},
};

use crate::{
    engine::{ChargePoint, Registration},
    id_tags::allows,
    interface::Event,
    model::Key,
    session::Purpose,
    time::Instant,
};

impl ChargePoint {
    /// Whether the CSMS can be asked now.
    pub(crate) fn online(&self) -> bool {
        self.session.is_connected() && self.registration == Registration::Accepted
    }

    /// What the box knows about `tag` without asking: the local list first (when
    /// enabled), then the cache (when enabled).
    pub(crate) fn known_locally(&self, tag: &str) -> Option<IdTagInfo> {
        let list = self
            .config
            .bool(Key::LocalAuthListEnabled)
            .then(|| self.local_list.get(tag))
            .flatten();
        let cache = || {
            self.config
                .bool(Key::AuthorizationCacheEnabled)
                .then(|| self.cache.get(tag))
                .flatten()
        };
        list.or_else(cache).cloned()
    }

    /// Records the CSMS's word on `tag` in the cache (not for tags of the local list).
    pub(crate) fn remember(&mut self, now: Instant, tag: &CiString20, info: &IdTagInfo) {
        if self.config.bool(Key::AuthorizationCacheEnabled) && self.local_list.get(tag).is_none() {
            let wall = self.wall_clock(now);
            self.cache
                .update(tag, info, self.settings.limits.auth_cache, wall);
            self.changed();
        }
    }

    pub(crate) fn on_tap(&mut self, now: Instant, tag: &str) {
        let Ok(tag) = CiString20::new(tag) else {
            self.warn(alloc::format!(
                "card UID \"{tag}\" is longer than 20 characters; ignored"
            ));
            self.flash_rejected();
            return;
        };
        if self.connector.transaction().is_some() {
            return self.tap_during_transaction(now, tag);
        }
        if self.connector.is_inoperative()
            || !self.cp_operative
            || !self.connector.faults().is_empty()
        {
            self.refuse(&tag);
            return;
        }
        if self.authorizing() {
            return; // one check at a time; the card is read again when tapped again
        }
        let wall = self.wall_clock(now);
        let local = self.known_locally(&tag);
        let valid_locally = local.as_ref().is_some_and(|info| allows(info, wall));
        if self.online() {
            if valid_locally && self.config.bool(Key::LocalPreAuthorize) {
                self.cache.touch(&tag);
                let parent = local.and_then(|i| i.parent_id_tag);
                self.grant(now, tag, parent);
            } else {
                let request = Request::Authorize(AuthorizeRequest { id_tag: tag });
                self.session.push(
                    request,
                    Purpose::Authorize {
                        remote: false,
                        stop: false,
                    },
                );
            }
            return;
        }
        // Offline (OCPP 1.6 §3.5): a valid local entry with LocalAuthorizeOffline, or an
        // idTag nobody knows with AllowOfflineTxForUnknownId.
        let offline_ok = match &local {
            Some(_) => valid_locally && self.config.bool(Key::LocalAuthorizeOffline),
            None => self.config.bool(Key::AllowOfflineTxForUnknownId),
        };
        if offline_ok {
            let parent = local.and_then(|i| i.parent_id_tag);
            self.grant(now, tag, parent);
        } else {
            self.warn(alloc::format!("card {tag} refused offline"));
            self.refuse(&tag);
        }
    }

    /// A card during a transaction stops it if it is the same card, or a card of the
    /// same group (parentIdTag), as far as the box knows or the CSMS says.
    fn tap_during_transaction(&mut self, now: Instant, tag: CiString20) {
        let Some(tx) = self.connector.transaction() else {
            return;
        };
        if tx.id_tag.eq_ignore_case(&tag) {
            return self.stop_transaction(now, Reason::Local, Some(tag));
        }
        let group = tx.parent_id_tag.clone();
        let wall = self.wall_clock(now);
        let local = self.known_locally(&tag).filter(|info| allows(info, wall));
        let same_group = |info: &IdTagInfo| {
            group.as_ref().is_some_and(|g| {
                info.parent_id_tag
                    .as_ref()
                    .is_some_and(|p| p.eq_ignore_case(g))
            })
        };
        if local.as_ref().is_some_and(same_group) {
            self.stop_transaction(now, Reason::Local, Some(tag));
        } else if group.is_some() && self.online() && !self.authorizing() {
            let request = Request::Authorize(AuthorizeRequest { id_tag: tag });
            self.session.push(
                request,
                Purpose::Authorize {
                    remote: false,
                    stop: true,
                },
            );
        } else {
            self.refuse(&tag);
        }
    }

    /// A card may charge: reported, and the transaction starts when the EV is there.
    fn grant(&mut self, now: Instant, tag: CiString20, parent: Option<CiString20>) {
        if self.reserved_for_another(&tag, parent.as_ref()) {
            self.warn(alloc::format!(
                "card {tag} refused: the connector is reserved"
            ));
            return self.refuse(&tag);
        }
        self.events.push_back(Event::Authorization {
            id_tag: Self::tag_text(&tag),
            accepted: true,
        });
        self.accept_tag(now, tag, parent);
    }

    fn refuse(&mut self, tag: &CiString20) {
        self.events.push_back(Event::Authorization {
            id_tag: Self::tag_text(tag),
            accepted: false,
        });
        self.flash_rejected();
    }

    pub(crate) fn authorizing(&self) -> bool {
        let is_auth = |p: Purpose| matches!(p, Purpose::Authorize { .. });
        self.session.unanswered().any(|o| is_auth(o.purpose))
    }

    /// The CSMS answered an Authorize.
    pub(crate) fn authorized(
        &mut self,
        now: Instant,
        tag: CiString20,
        info: &IdTagInfo,
        stop: bool,
    ) {
        self.remember(now, &tag, info);
        let accepted = allows(info, self.wall_clock(now));
        if stop {
            let same_group = self.connector.transaction().is_some_and(|tx| {
                let parent = info.parent_id_tag.as_ref();
                tx.parent_id_tag
                    .as_ref()
                    .is_some_and(|g| parent.is_some_and(|p| p.eq_ignore_case(g)))
            });
            if accepted && same_group {
                self.events.push_back(Event::Authorization {
                    id_tag: Self::tag_text(&tag),
                    accepted: true,
                });
                self.stop_transaction(now, Reason::Local, Some(tag));
            } else {
                self.refuse(&tag);
            }
            return;
        }
        if !accepted {
            return self.refuse(&tag);
        }
        self.grant(now, tag, info.parent_id_tag.clone());
    }
}
