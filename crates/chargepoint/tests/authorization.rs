//! Authorization: the cache, the local list, the offline rules and groups of cards.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failure is a failed test"
)]

mod common;

use chargepoint::{Command, Led, harness::Harness, model::Variant, world::EvSpec};
use common::*;
use ocpp16::{Action, DateTime, Request, messages::*};
use serde_json::json;

fn set(h: &mut Harness, key: &str, value: &str) {
    let r = call(
        h,
        "ChangeConfiguration",
        json!({"key": key, "value": value}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "Accepted"}), "{key}={value}");
}

fn offline(h: &mut Harness) {
    h.reachable = false;
    h.drop_connection();
    h.run_for(1_000);
    assert!(!h.connected());
}

fn online(h: &mut Harness) {
    h.reachable = true;
    h.run_for(600_000);
    assert!(h.connected());
}

fn started(h: &Harness) -> Vec<(String, String)> {
    h.csms
        .sent(Action::StartTransaction)
        .iter()
        .map(|r| match r {
            Request::StartTransaction(s) => (s.id_tag.to_string(), s.timestamp.to_rfc3339()),
            _ => unreachable!(),
        })
        .collect()
}

fn charging_now(h: &Harness) -> bool {
    h.cp().connector().transaction().is_some()
}

#[test]
fn a_cached_card_starts_offline_only_with_local_authorize_offline() {
    for offline_allowed in [false, true] {
        let mut h = booted(Variant::Tethered);
        set(
            &mut h,
            "LocalAuthorizeOffline",
            if offline_allowed { "1" } else { "0" },
        );
        h.tap("CARD1"); // online: Authorize.req, Accepted, cached
        h.run_for(200_000); // ConnectionTimeOut (120 s) drops the authorization
        assert_eq!(
            h.cp().cache().get("CARD1").map(|i| i.status),
            Some(AuthorizationStatus::Accepted)
        );
        offline(&mut h);
        h.plug(EvSpec::default());
        h.tap("CARD1");
        h.run_for(1_000);
        assert_eq!(
            charging_now(&h),
            offline_allowed,
            "LocalAuthorizeOffline={offline_allowed}"
        );
        check_wire(&h, &format!("cache_offline_{offline_allowed}"));
    }
}

#[test]
fn an_unknown_card_offline_needs_allow_offline_tx_and_the_csms_may_refuse_it_later() {
    for stop_on_invalid in [false, true] {
        let mut h = booted(Variant::Tethered);
        set(&mut h, "AllowOfflineTxForUnknownId", "1");
        set(
            &mut h,
            "StopTransactionOnInvalidId",
            if stop_on_invalid { "1" } else { "0" },
        );
        h.csms.script.invalid_tags.push("STRANGER".into());
        offline(&mut h);
        h.plug(EvSpec::default());
        h.run_for(60_000);
        let tapped_at = h.wall().to_rfc3339();
        h.tap("STRANGER");
        h.run_for(5_000);
        assert!(charging_now(&h), "started offline");
        online(&mut h);
        // The StartTransaction went out after the reconnect, with its original timestamp.
        assert_eq!(started(&h), [("STRANGER".to_string(), tapped_at.clone())]);
        if stop_on_invalid {
            let Request::StopTransaction(stop) = last(&h, Action::StopTransaction) else {
                unreachable!()
            };
            assert_eq!(stop.reason, Some(Reason::DeAuthorized));
        } else {
            assert!(h.csms.sent(Action::StopTransaction).is_empty());
            assert_eq!(statuses(&h).last(), Some(&ChargePointStatus::SuspendedEvse));
        }
        check_wire(&h, &format!("unknown_offline_{stop_on_invalid}"));
    }
    let mut h = booted(Variant::Tethered);
    offline(&mut h);
    h.plug(EvSpec::default());
    h.tap("STRANGER");
    h.run_for(1_000);
    assert!(
        !charging_now(&h),
        "AllowOfflineTxForUnknownId is 0 by default"
    );
    assert!(
        h.commands
            .iter()
            .any(|(_, c)| *c == Command::Indicator(Led::Rejected))
    );
}

#[test]
fn local_pre_authorize_skips_the_authorize_request_for_known_cards() {
    for pre in [true, false] {
        let mut h = booted(Variant::Tethered);
        set(&mut h, "LocalPreAuthorize", if pre { "1" } else { "0" });
        h.tap("CARD1");
        h.run_for(200_000);
        assert_eq!(h.csms.sent(Action::Authorize).len(), 1);
        h.plug(EvSpec::default());
        h.tap("CARD1");
        h.run_for(5_000);
        assert!(charging_now(&h));
        assert_eq!(
            h.csms.sent(Action::Authorize).len(),
            if pre { 1 } else { 2 },
            "LocalPreAuthorize={pre}"
        );
        check_wire(&h, &format!("pre_authorize_{pre}"));
    }
}

#[test]
fn the_cache_holds_twenty_cards_honours_expiry_and_can_be_cleared_or_disabled() {
    let mut h = booted(Variant::Tethered);
    for i in 0..21 {
        h.tap(&format!("CARD{i:02}"));
        h.run_for(130_000);
    }
    let cache = h.cp().cache();
    assert_eq!(cache.entries.len(), 20);
    assert!(
        cache.get("CARD00").is_none(),
        "the least recently used went first"
    );
    assert!(cache.get("CARD20").is_some());
    assert_eq!(
        call(&mut h, "ClearCache", json!({})).unwrap(),
        json!({"status": "Accepted"})
    );
    assert!(h.cp().cache().entries.is_empty());
    // An expired entry is not good enough: the CSMS is asked again.
    h.csms.script.expiry = Some(DateTime::from_unix_millis(0));
    h.tap("CARD1");
    h.run_for(130_000);
    let asked = h.csms.sent(Action::Authorize).len();
    h.tap("CARD1");
    h.run_for(1_000);
    assert_eq!(h.csms.sent(Action::Authorize).len(), asked + 1);
    set(&mut h, "AuthorizationCacheEnabled", "0");
    assert!(
        h.cp().cache().entries.is_empty(),
        "disabling the cache empties it"
    );
    check_wire(&h, "cache_limits");
}

#[test]
fn send_local_list_full_differential_versions_and_limits() {
    let mut h = booted(Variant::Tethered);
    let version =
        |h: &mut Harness| call(h, "GetLocalListVersion", json!({})).unwrap()["listVersion"].clone();
    assert_eq!(version(&mut h), json!(0));
    let entry = |tag: &str, status: &str| json!({"idTag": tag, "idTagInfo": {"status": status}});
    let full = json!({"listVersion": 5, "updateType": "Full", "localAuthorizationList": [entry("A", "Accepted"), entry("B", "Blocked")]});
    assert_eq!(
        call(&mut h, "SendLocalList", full).unwrap(),
        json!({"status": "Accepted"})
    );
    assert_eq!(version(&mut h), json!(5));
    let old = json!({"listVersion": 4, "updateType": "Differential", "localAuthorizationList": [entry("C", "Accepted")]});
    assert_eq!(
        call(&mut h, "SendLocalList", old).unwrap(),
        json!({"status": "VersionMismatch"})
    );
    let diff = json!({"listVersion": 6, "updateType": "Differential", "localAuthorizationList": [entry("C", "Accepted"), {"idTag": "A"}]});
    assert_eq!(
        call(&mut h, "SendLocalList", diff).unwrap(),
        json!({"status": "Accepted"})
    );
    let list = h.cp().local_list();
    assert_eq!((list.version, list.entries.len()), (6, 2));
    assert!(list.get("A").is_none() && list.get("c").is_some());
    let eleven: Vec<_> = (0..11)
        .map(|i| entry(&format!("T{i}"), "Accepted"))
        .collect();
    let r = call(
        &mut h,
        "SendLocalList",
        json!({"listVersion": 7, "updateType": "Full", "localAuthorizationList": eleven}),
    )
    .unwrap();
    assert_eq!(
        r,
        json!({"status": "Failed"}),
        "more than 10 entries in one message"
    );
    for batch in 0..5 {
        let ten: Vec<_> = (0..10)
            .map(|i| entry(&format!("T{batch}{i}"), "Accepted"))
            .collect();
        let kind = if batch == 0 { "Full" } else { "Differential" };
        let r = call(
            &mut h,
            "SendLocalList",
            json!({"listVersion": 10 + batch, "updateType": kind, "localAuthorizationList": ten}),
        )
        .unwrap();
        assert_eq!(r, json!({"status": "Accepted"}));
    }
    assert_eq!(h.cp().local_list().entries.len(), 50);
    let one_more = json!({"listVersion": 20, "updateType": "Differential", "localAuthorizationList": [entry("X", "Accepted")]});
    assert_eq!(
        call(&mut h, "SendLocalList", one_more).unwrap(),
        json!({"status": "Failed"}),
        "51 entries"
    );
    assert_eq!(
        h.cp().local_list().version,
        14,
        "a refused update changes nothing"
    );
    let no_info = json!({"listVersion": 21, "updateType": "Full", "localAuthorizationList": [{"idTag": "Y"}]});
    assert_eq!(
        call(&mut h, "SendLocalList", no_info).unwrap(),
        json!({"status": "Failed"})
    );
    set(&mut h, "LocalAuthListEnabled", "0");
    assert_eq!(version(&mut h), json!(-1));
    let r = call(
        &mut h,
        "SendLocalList",
        json!({"listVersion": 30, "updateType": "Full"}),
    )
    .unwrap();
    assert_eq!(r, json!({"status": "NotSupported"}));
    check_wire(&h, "local_list");
}

#[test]
fn the_local_list_decides_offline_even_against_allow_offline_tx_for_unknown_id() {
    let mut h = booted(Variant::Tethered);
    set(&mut h, "LocalAuthorizeOffline", "1");
    set(&mut h, "AllowOfflineTxForUnknownId", "1");
    let list = json!({"listVersion": 1, "updateType": "Full", "localAuthorizationList": [
        {"idTag": "LISTED", "idTagInfo": {"status": "Accepted"}},
        {"idTag": "BLOCKED", "idTagInfo": {"status": "Blocked"}}]});
    call(&mut h, "SendLocalList", list).unwrap();
    offline(&mut h);
    h.plug(EvSpec::default());
    h.tap("BLOCKED");
    h.run_for(1_000);
    assert!(!charging_now(&h), "a blocked card stays blocked offline");
    h.tap("LISTED");
    h.run_for(1_000);
    assert!(charging_now(&h));
    check_wire(&h, "list_offline");
}

#[test]
fn another_card_of_the_same_group_stops_the_transaction() {
    let mut h = booted(Variant::Tethered);
    h.csms.script.parents = vec![
        ("ALICE".into(), "FAMILY".into()),
        ("BOB".into(), "FAMILY".into()),
        ("EVE".into(), "OTHER".into()),
    ];
    h.tap("ALICE");
    h.plug(EvSpec::default());
    h.run_for(60_000);
    h.tap("EVE");
    h.run_for(5_000);
    assert!(charging_now(&h), "another group does not stop it");
    h.tap("BOB");
    h.run_for(5_000);
    assert!(!charging_now(&h));
    let Request::StopTransaction(stop) = last(&h, Action::StopTransaction) else {
        unreachable!()
    };
    assert_eq!(
        (stop.id_tag.as_deref(), stop.reason),
        (Some("BOB"), Some(Reason::Local))
    );
    check_wire(&h, "group_stop");
}
