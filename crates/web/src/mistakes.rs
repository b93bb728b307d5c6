//! The report of the CSMS's mistakes: every [`Mistake`] the engine reported (see
//! `chargepoint::mistakes`), kept apart from the event list a demo trims, with counts
//! per kind; each entry links to its frame in the trace; the list exports as JSON and
//! as a readable report.

use std::{cell::RefCell, collections::VecDeque, rc::Rc};

use chargepoint::{
    ChargePoint, Event, Instant,
    mistakes::{Mistake, MistakeKind},
};
use yew::{Html, html};

use crate::json::Json;

/// How many entries the report keeps (the counts stay whole).
const KEPT: usize = 500;

/// One mistake with the box's wall time when it happened.
#[derive(Clone, PartialEq)]
pub(crate) struct Entry {
    pub(crate) wall: String,
    pub(crate) mistake: Mistake,
}

/// The mistakes so far.
#[derive(Default, Clone, PartialEq)]
pub(crate) struct Mistakes {
    entries: VecDeque<Entry>,
    counts: [u64; MistakeKind::ALL.len()],
    /// The exports' `data:` links as last made: (total, charge point id, JSON, text).
    exports: RefCell<Option<Exports>>,
}

type Exports = (u64, String, Rc<str>, Rc<str>);

fn index(kind: MistakeKind) -> usize {
    MistakeKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0)
}

/// The anchor of the frame a mistake is about (see `trace.rs`: rows carry
/// `f-in-<id>` / `f-out-<id>`): the box's own CALL for a time-out, else the CSMS's frame.
pub(crate) fn frame_anchor(m: &Mistake) -> Option<String> {
    let dir = if m.kind == MistakeKind::AnswerTimeout {
        "out"
    } else {
        "in"
    };
    m.message_id.as_ref().map(|id| format!("f-{dir}-{id}"))
}

impl Mistakes {
    /// Moves the mistakes out of a home's event list into the report.
    pub(crate) fn collect(&mut self, events: &mut Vec<(Instant, Event)>, cp: &ChargePoint) {
        events.retain(|(at, event)| {
            let Event::CsmsMistake(m) = event else {
                return true;
            };
            if let Some(n) = self.counts.get_mut(index(m.kind)) {
                *n += 1;
            }
            if self.entries.len() == KEPT {
                self.entries.pop_front();
            }
            self.entries.push_back(Entry {
                wall: cp.wall_clock(*at).to_rfc3339(),
                mistake: m.clone(),
            });
            false
        });
    }

    /// How many, all kinds together.
    pub(crate) fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The entries kept, oldest first.
    pub(crate) fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        self.entries.iter()
    }

    /// The report as JSON: counts per kind and every entry kept.
    pub(crate) fn to_json(&self, charge_point: &str) -> String {
        let mut counts = Json::new();
        for (k, n) in MistakeKind::ALL.iter().zip(self.counts) {
            counts.num(k.as_str(), n);
        }
        let mut list = String::from("[");
        for e in &self.entries {
            if list.len() > 1 {
                list.push(',');
            }
            let m = &e.mistake;
            let mut o = Json::new();
            o.str("time", &e.wall);
            o.str("kind", m.kind.as_str());
            o.str("title", m.kind.title());
            o.opt_str("action", m.action.as_deref());
            o.opt_str("messageId", m.message_id.as_deref());
            o.str("detail", &m.detail);
            list.push_str(&o.end());
        }
        list.push(']');
        let mut out = Json::new();
        out.str("chargePoint", charge_point);
        out.num("total", self.total());
        out.raw("counts", &counts.end());
        out.raw("mistakes", &list);
        out.end()
    }

    /// The report for people: a count per kind, then the entries of each kind.
    pub(crate) fn to_text(&self, charge_point: &str) -> String {
        let mut out = format!(
            "CSMS mistakes seen by charge point {charge_point}: {}\n",
            self.total()
        );
        for (kind, n) in MistakeKind::ALL.iter().zip(self.counts) {
            if n == 0 {
                continue;
            }
            out.push_str(&format!("\n{} ({}): {n}\n", kind.title(), kind.as_str()));
            for e in self.entries.iter().filter(|e| e.mistake.kind == *kind) {
                let m = &e.mistake;
                out.push_str(&format!(
                    "  {}  {}  id {}  {}\n",
                    e.wall,
                    m.action.as_deref().unwrap_or("-"),
                    m.message_id.as_deref().unwrap_or("-"),
                    m.detail
                ));
            }
        }
        out
    }
}

fn data_url(kind: &str, text: &str) -> Rc<str> {
    format!(
        "data:{kind};charset=utf-8,{}",
        js_sys::encode_uri_component(text)
    )
    .into()
}

impl Mistakes {
    /// The JSON and text exports as `data:` links, made again only when a mistake came
    /// (the page redraws five times a second; 500 entries are a few hundred KB).
    fn export_links(&self, charge_point: &str) -> (Rc<str>, Rc<str>) {
        let mut cache = self.exports.borrow_mut();
        if let Some((n, id, json, text)) = cache.as_ref()
            && *n == self.total()
            && id == charge_point
        {
            return (json.clone(), text.clone());
        }
        let json = data_url("application/json", &self.to_json(charge_point));
        let text = data_url("text/plain", &self.to_text(charge_point));
        *cache = Some((
            self.total(),
            charge_point.to_owned(),
            json.clone(),
            text.clone(),
        ));
        (json, text)
    }
}

/// The report's card: counts, the list (newest first, each linked to its frame) and
/// the two exports.
pub(crate) fn view(report: &Mistakes, charge_point: &str) -> Html {
    let (json, text) = report.export_links(charge_point);
    html! {
        <div class="mistakes" id="mistakes">
            <h2>{"CSMS mistakes "}<span class="count" id="mistake-count">{report.total()}</span></h2>
            if report.total() == 0 {
                <p class="hint">{"None so far."}</p>
            } else {
                <div class="row">
                    <a class="button" id="mistakes-json" download="csms-mistakes.json" href={json}>{"Export JSON"}</a>
                    <a class="button" id="mistakes-report" download="csms-mistakes.txt" href={text}>{"Export report"}</a>
                </div>
                <ol class="mistake-list" id="mistake-list">
                    { for report.entries().rev().take(100).map(|e| {
                        let m = &e.mistake;
                        let what = match (&m.action, &m.message_id) {
                            (Some(a), Some(id)) => format!("{a} · id {id}"),
                            (Some(a), None) => a.clone(),
                            (None, Some(id)) => format!("id {id}"),
                            (None, None) => String::new(),
                        };
                        html! {
                            <li class={format!("mistake {}", m.kind.as_str())} data-kind={m.kind.as_str()}>
                                <span class="time">{e.wall.get(11..19).unwrap_or("").to_owned()}</span>
                                <span class="kind">{m.kind.title()}</span>
                                if let Some(anchor) = frame_anchor(m) {
                                    <a class="frame-link" href={format!("#{}", js_sys::encode_uri_component(&anchor))}>{what}</a>
                                } else {
                                    <span>{what}</span>
                                }
                                <span class="detail">{m.detail.clone()}</span>
                            </li>
                        }
                    }) }
                </ol>
            }
        </div>
    }
}
