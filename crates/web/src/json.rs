//! The page's JSON without a JSON library: objects written by hand for the replies of
//! its test API and the exports it offers, the text of frames laid out again, and what a
//! test sends read by ocpp16's tokenizer ([`Fields`]). serde_json's `Value` (its
//! builder, its tree and its parser) cost the page kilobytes for what this does.

use core::fmt::{Display, Write};

use ocpp16::{
    Payload,
    codec::{DecodeError, Reader},
};

/// Whether `text` is one JSON value (white space around it allowed).
pub(crate) fn is_json(text: &str) -> bool {
    let mut r = Reader::over(text);
    r.raw_value().is_ok() && r.finish().is_ok()
}

/// A JSON object read into its fields, each value kept as its JSON text: a test API
/// verb's argument, read by ocpp16's tokenizer (no tree).
pub(crate) struct Fields(Vec<(String, String)>);

impl Payload for Fields {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut fields = Vec::new();
        r.named_entries(&mut |r, key| {
            let value = r.raw_value()?;
            fields.push((String::from(key), String::from(value)));
            Ok(())
        })?;
        Ok(Self(fields))
    }

    fn write(&self, out: &mut String) {
        out.push('{');
        for (i, (key, value)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            ocpp16::codec::write_str(out, key);
            out.push(':');
            out.push_str(value);
        }
        out.push('}');
    }
}

impl Fields {
    /// The object in `text`, or why it is not one (`"payload is not valid JSON: expected
    /// value at line 1 column 2"`).
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        ocpp16::codec::decode::<Self>(text).map_err(|e| e.description)
    }

    /// The JSON text of field `name` (the last one when it repeats, as a JSON object
    /// model keeps it); a `null` counts as absent.
    pub(crate) fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| *v != "null")
    }

    /// Field `name` read as a `T`, when present: the value or what is wrong with it.
    pub(crate) fn get<T: Payload>(&self, name: &str) -> Option<Result<T, DecodeError>> {
        self.raw(name).map(|text| T::read(&mut Reader::over(text)))
    }
}

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

/// JSON text laid out again, without a serializer: `pretty` puts each member and item
/// on its own line, indented by two spaces (as `serde_json::to_string_pretty` does);
/// otherwise on one line without whitespace. `text` must be valid JSON (parse it first):
/// only whitespace outside strings changes.
pub(crate) fn layout(text: &str, pretty: bool) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        if pretty {
            out.push('\n');
            for _ in 0..depth {
                out.push_str("  ");
            }
        }
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            ' ' | '\t' | '\n' | '\r' => {}
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                while chars.next_if(|c| c.is_ascii_whitespace()).is_some() {}
                if chars
                    .next_if(|n| matches!(n, '}' | ']'))
                    .is_some_and(|close| {
                        out.push(close);
                        true
                    })
                {
                    continue;
                }
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => {
                out.push(c);
                if pretty {
                    out.push(' ');
                }
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::layout;

    #[test]
    fn lays_out_as_serde_json_does() {
        for text in [
            // Keys in order and plain numbers: `Value` sorts keys and rewrites numbers
            // (1e3 as 1000.0), `layout` keeps the frame as it was sent.
            r#"[2,"a b",  "Boot",{"e":[ ],"s":"q\"u:o,t{e}\\","x":[1, 2,{}],"y":{ }}]"#,
            r#" { "k" : "v" , "n" : -1.5 , "t" : true , "z" : null } "#,
            "[]",
            r#""only a string""#,
        ] {
            let v: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                layout(text, true),
                serde_json::to_string_pretty(&v).unwrap()
            );
            assert_eq!(layout(text, false), v.to_string());
        }
        assert_eq!(layout(r#"{"z": 1, "a": 2}"#, false), r#"{"z":1,"a":2}"#);
    }
}
