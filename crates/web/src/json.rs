//! A JSON object written by hand: the page links no JSON serializer for the replies
//! of its test API and the exports it offers (serde_json's `Value` builder costs
//! kilobytes of page weight; `serde_json` stays for parsing what a test sends).

use core::fmt::{Display, Write};

/// A JSON object written by hand: the page links no JSON serializer for this.
pub(crate) struct Json(String);

impl Json {
    pub(crate) fn new() -> Self {
        Json(String::from("{"))
    }

    pub(crate) fn key(&mut self, k: &str) {
        if !self.0.ends_with('{') {
            self.0.push(',');
        }
        ocpp16::codec::write_str(&mut self.0, k);
        self.0.push(':');
    }

    pub(crate) fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        ocpp16::codec::write_str(&mut self.0, v);
    }

    pub(crate) fn num(&mut self, k: &str, v: impl Display) {
        self.key(k);
        let _ = write!(self.0, "{v}");
    }

    pub(crate) fn opt(&mut self, k: &str, v: Option<impl Display>) {
        match v {
            Some(v) => self.num(k, v),
            None => self.raw(k, "null"),
        }
    }

    /// An optional string: `null` when absent.
    pub(crate) fn opt_str(&mut self, k: &str, v: Option<&str>) {
        match v {
            Some(v) => self.str(k, v),
            None => self.raw(k, "null"),
        }
    }

    /// `v` is JSON text already.
    pub(crate) fn raw(&mut self, k: &str, v: &str) {
        self.key(k);
        self.0.push_str(v);
    }

    pub(crate) fn end(mut self) -> String {
        self.0.push('}');
        self.0
    }
}
