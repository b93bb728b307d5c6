//! The pull tokenizer: one pass over the payload text, no tree.
//!
//! A decoder asks for the next value as the kind it expects (an object, a string, a
//! number …); the reader answers with borrowed text where it can (keys and strings
//! without escapes, number literals) and says what it found when the kind is wrong.

use alloc::{borrow::Cow, string::String, vec::Vec};

use super::error::{DecodeError, Got};

/// Deeper nesting than this is refused (serde_json's limit too); the schemas need 6.
const MAX_DEPTH: u32 = 128;
/// The frame splitter's limit: deeper frames take the lenient splitter (`scan.rs`),
/// which describes them as serde_json did.
const FRAME_DEPTH: u32 = 32;

/// The JSON kind of the next value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// A reader over one payload's text.
#[derive(Debug)]
pub struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: u32,
    max_depth: u32,
    /// Objects are walked in key order with duplicate keys collapsed to the last one,
    /// as a JSON object model would hold them; this names the same first error as the
    /// tree-based decoder did. Off on the first pass, which reads in text order.
    sorted: bool,
}

impl<'a> Reader<'a> {
    pub(crate) const fn new(text: &'a str, sorted: bool) -> Self {
        Self {
            text,
            pos: 0,
            depth: 0,
            max_depth: MAX_DEPTH,
            sorted,
        }
    }

    /// A reader for splitting a frame.
    pub(crate) const fn for_frame(text: &'a str) -> Self {
        Self {
            max_depth: FRAME_DEPTH,
            ..Self::new(text, false)
        }
    }

    /// Consumes `c` (after white space) if it is next.
    pub(crate) fn punct(&mut self, c: u8) -> bool {
        self.ws();
        let found = self.byte() == Some(c);
        if found {
            self.pos += 1;
        }
        found
    }

    /// The text of the next value, checked against the JSON grammar.
    pub(crate) fn raw(&mut self) -> Result<&'a str, DecodeError> {
        self.ws();
        let start = self.pos;
        self.skip()?;
        self.text
            .get(start..self.pos)
            .ok_or_else(DecodeError::syntax)
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn byte(&self) -> Option<u8> {
        self.bytes().get(self.pos).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.byte() {
            self.pos += 1;
        }
    }

    /// After the last value: only white space may follow.
    pub(crate) fn end(&mut self) -> Result<(), DecodeError> {
        self.ws();
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(DecodeError::syntax())
        }
    }

    /// The kind of the next value (white space skipped).
    pub(crate) fn kind(&mut self) -> Result<Kind, DecodeError> {
        self.ws();
        Ok(match self.byte() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            Some(b'-' | b'0'..=b'9') => Kind::Number,
            _ => return Err(DecodeError::syntax()),
        })
    }

    /// A type error for the next value, which is not `expected`; the value's kind (and
    /// text, for scalars) goes into the description as serde's `Unexpected` writes it.
    pub(crate) fn wrong_type(&mut self, expected: &'static str) -> DecodeError {
        let got = match self.kind() {
            Ok(Kind::Null) => Got::Null,
            Ok(Kind::Bool) => Got::Bool(self.byte() == Some(b't')),
            Ok(Kind::Number) => match self.number() {
                Ok(n) => Got::Number(n),
                Err(e) => return e,
            },
            Ok(Kind::String) => match self.string() {
                Ok(s) => Got::Str(s.into_owned()),
                Err(e) => return e,
            },
            Ok(Kind::Array) => Got::Seq,
            Ok(Kind::Object) => Got::Map,
            Err(e) => return e,
        };
        DecodeError::wrong_type(expected, &got)
    }

    fn literal(&mut self, word: &'static str) -> Result<(), DecodeError> {
        if self
            .bytes()
            .get(self.pos..)
            .is_some_and(|b| b.starts_with(word.as_bytes()))
        {
            self.pos += word.len();
            Ok(())
        } else {
            Err(DecodeError::syntax())
        }
    }

    /// A boolean.
    pub(crate) fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.kind()? {
            Kind::Bool if self.byte() == Some(b't') => self.literal("true").map(|()| true),
            Kind::Bool => self.literal("false").map(|()| false),
            _ => Err(self.wrong_type("a boolean")),
        }
    }

    /// A number literal's text, checked against the JSON grammar.
    pub(crate) fn number(&mut self) -> Result<&'a str, DecodeError> {
        self.ws();
        let start = self.pos;
        let b = self.bytes();
        let mut at = start;
        let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
        if b.get(at) == Some(&b'-') {
            at += 1;
        }
        match b.get(at) {
            Some(b'0') => at += 1,
            Some(b'1'..=b'9') => {
                while digit(at) {
                    at += 1;
                }
            }
            _ => return Err(DecodeError::syntax()),
        }
        if b.get(at) == Some(&b'.') {
            at += 1;
            if !digit(at) {
                return Err(DecodeError::syntax());
            }
            while digit(at) {
                at += 1;
            }
        }
        if let Some(b'e' | b'E') = b.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = b.get(at) {
                at += 1;
            }
            if !digit(at) {
                return Err(DecodeError::syntax());
            }
            while digit(at) {
                at += 1;
            }
        }
        self.pos = at;
        self.text.get(start..at).ok_or_else(DecodeError::syntax)
    }

    /// A string, unescaped (borrowed when it has no escapes).
    pub(crate) fn string(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        if self.kind()? != Kind::String {
            return Err(self.wrong_type("a string"));
        }
        self.pos += 1;
        let start = self.pos;
        let b = self.bytes();
        // Plain run up to the closing quote or the first escape.
        let run = b
            .get(start..)
            .and_then(|rest| {
                rest.iter()
                    .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
            })
            .ok_or_else(DecodeError::syntax)?;
        self.pos = start + run;
        match b.get(self.pos) {
            Some(b'"') => {
                let s = self
                    .text
                    .get(start..self.pos)
                    .ok_or_else(DecodeError::syntax)?;
                self.pos += 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            _ => return Err(DecodeError::syntax()),
        }
        let mut out = String::from(
            self.text
                .get(start..self.pos)
                .ok_or_else(DecodeError::syntax)?,
        );
        loop {
            let run = self.pos;
            while let Some(c) = b.get(self.pos) {
                if *c == b'"' || *c == b'\\' || *c < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(
                self.text
                    .get(run..self.pos)
                    .ok_or_else(DecodeError::syntax)?,
            );
            match b.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.escape()?;
                    out.push(c);
                }
                _ => return Err(DecodeError::syntax()),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let digits = self
            .bytes()
            .get(self.pos..self.pos + 4)
            .ok_or_else(DecodeError::syntax)?;
        let mut n = 0u32;
        for d in digits {
            let v = char::from(*d)
                .to_digit(16)
                .ok_or_else(DecodeError::syntax)?;
            n = n * 16 + v;
        }
        self.pos += 4;
        Ok(n)
    }

    /// One escape after its backslash.
    fn escape(&mut self) -> Result<char, DecodeError> {
        let c = self.byte().ok_or_else(DecodeError::syntax)?;
        self.pos += 1;
        Ok(match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&first) {
                    // A leading surrogate must be followed by a trailing one.
                    if self.byte() != Some(b'\\') {
                        return Err(DecodeError::syntax());
                    }
                    self.pos += 1;
                    if self.byte() != Some(b'u') {
                        return Err(DecodeError::syntax());
                    }
                    self.pos += 1;
                    let second = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&second) {
                        return Err(DecodeError::syntax());
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    first
                };
                char::from_u32(code).ok_or_else(DecodeError::syntax)?
            }
            _ => return Err(DecodeError::syntax()),
        })
    }

    fn enter(&mut self) -> Result<(), DecodeError> {
        self.depth += 1;
        if self.depth > self.max_depth {
            Err(DecodeError::syntax())
        } else {
            Ok(())
        }
    }

    /// Skips one value of any kind, checking its grammar.
    pub(crate) fn skip(&mut self) -> Result<(), DecodeError> {
        match self.kind()? {
            Kind::Null => self.literal("null"),
            Kind::Bool => self.bool().map(drop),
            Kind::Number => self.number().map(drop),
            Kind::String => self.string().map(drop),
            Kind::Array => {
                self.pos += 1;
                self.enter()?;
                let mut first = true;
                while self.next_item(&mut first)? {
                    self.skip()?;
                }
                self.depth -= 1;
                Ok(())
            }
            Kind::Object => {
                self.pos += 1;
                self.enter()?;
                let mut first = true;
                while self.next_key(&mut first)?.is_some() {
                    self.skip()?;
                }
                self.depth -= 1;
                Ok(())
            }
        }
    }

    /// Inside an array: whether another item follows (consumes `,` and `]`).
    fn next_item(&mut self, first: &mut bool) -> Result<bool, DecodeError> {
        self.ws();
        match self.byte() {
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b',') if !*first => {
                self.pos += 1;
                self.ws();
                if self.byte() == Some(b']') {
                    return Err(DecodeError::syntax());
                }
                Ok(true)
            }
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            _ => Err(DecodeError::syntax()),
        }
    }

    /// Inside an object: the next key (consumes `,`, the key and `:`), or `None` at `}`.
    fn next_key(&mut self, first: &mut bool) -> Result<Option<Cow<'a, str>>, DecodeError> {
        self.ws();
        match self.byte() {
            Some(b'}') => {
                self.pos += 1;
                return Ok(None);
            }
            Some(b',') if !*first => {
                self.pos += 1;
                self.ws();
            }
            Some(b'"') if *first => {}
            _ => return Err(DecodeError::syntax()),
        }
        *first = false;
        if self.byte() != Some(b'"') {
            return Err(DecodeError::syntax());
        }
        let key = self.string()?;
        self.ws();
        if self.byte() != Some(b':') {
            return Err(DecodeError::syntax());
        }
        self.pos += 1;
        Ok(Some(key))
    }

    /// Walks an array, calling `item` for each element with its index; the error of an
    /// element is placed at `[index]`.
    pub(crate) fn array(
        &mut self,
        item: &mut dyn FnMut(&mut Self, usize) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        if self.kind()? != Kind::Array {
            return Err(self.wrong_type("an array"));
        }
        self.pos += 1;
        self.enter()?;
        let mut first = true;
        let mut index = 0;
        while self.next_item(&mut first)? {
            item(self, index).map_err(|e| e.at_index(index))?;
            index += 1;
        }
        self.depth -= 1;
        Ok(())
    }

    /// Walks an object whose fields are `names`, calling `field` with the index of each
    /// present field; an unknown key is a `FormationViolation`, an error inside a field
    /// is placed at that field.
    pub(crate) fn object(
        &mut self,
        names: &'static [&'static str],
        field: &mut dyn FnMut(&mut Self, usize) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        if self.kind()? != Kind::Object {
            return Err(self.wrong_type("an object"));
        }
        self.pos += 1;
        self.enter()?;
        let mut first = true;
        if self.sorted {
            let mut entries: Vec<(Cow<'a, str>, usize)> = Vec::new();
            while let Some(key) = self.next_key(&mut first)? {
                self.ws();
                entries.push((key, self.pos));
                self.skip()?;
            }
            let end = self.pos;
            // An insertion sort (objects are small, and it is small code); stable: of
            // equal keys the last one stays last, and is the one kept.
            for i in 1..entries.len() {
                let mut j = i;
                while j > 0 && entries.get(j - 1).map(|e| &e.0) > entries.get(j).map(|e| &e.0) {
                    entries.swap(j - 1, j);
                    j -= 1;
                }
            }
            let mut it = entries.iter().peekable();
            while let Some((key, at)) = it.next() {
                if it.peek().is_some_and(|(next, _)| next == key) {
                    continue;
                }
                self.pos = *at;
                Self::one_field(self, names, key, field)?;
            }
            self.pos = end;
        } else {
            while let Some(key) = self.next_key(&mut first)? {
                Self::one_field(self, names, &key, field)?;
            }
        }
        self.depth -= 1;
        Ok(())
    }

    fn one_field(
        &mut self,
        names: &'static [&'static str],
        key: &str,
        field: &mut dyn FnMut(&mut Self, usize) -> Result<(), DecodeError>,
    ) -> Result<(), DecodeError> {
        match names.iter().position(|n| *n == key) {
            Some(i) => field(self, i).map_err(|e| e.at_field(key)),
            None => Err(DecodeError::unknown_field(key, names)),
        }
    }
}

impl Kind {
    /// The kind as messages name it (`got an array`).
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool => "a boolean",
            Self::Number => "a number",
            Self::String => "a string",
            Self::Array => "an array",
            Self::Object => "an object",
        }
    }
}
