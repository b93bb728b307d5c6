//! A small TOML reader for scenario files, no_std: comments, `key = value` with bare,
//! quoted and dotted keys, `[table]` and `[[array of tables]]` headers (dotted, as
//! `[[group.step]]`), basic and literal strings with their escapes, integers (decimal,
//! hex, octal, binary, with `_`), floats, booleans, arrays over several lines and inline
//! tables. Left out, each with its own error: multi-line strings and dates (no scenario
//! field takes one). A float is read exactly to the thousandth ([`Decimal`]), without
//! floating point: no scenario field needs more, and a page or an MCU image then links
//! no float parsing or formatting. A syntax error names its line; a key defined twice is an error, as
//! TOML says.

use alloc::{borrow::ToOwned, format, string::String, vec::Vec};

/// A TOML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string.
    String(String),
    /// An integer.
    Integer(i64),
    /// A float (`1.5`, `2e3`), to the thousandth.
    Float(Decimal),
    /// A boolean.
    Boolean(bool),
    /// An array (`[1, 2]`).
    Array(Vec<Value>),
    /// A table (a `[header]` or an inline `{ … }`).
    Table(Table),
    /// An array of tables (`[[header]]`).
    Tables(Vec<Table>),
}

impl Value {
    /// What it is, for error messages: `the string "fast"`, `an array`.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::String(s) => format!("the string {s:?}"),
            Self::Integer(i) => format!("the integer {i}"),
            Self::Float(f) => format!("the number {}", f.show()),
            Self::Boolean(b) => format!("the boolean {b}"),
            Self::Array(_) => String::from("an array"),
            Self::Table(_) => String::from("a table"),
            Self::Tables(_) => String::from("an array of tables"),
        }
    }
}

/// A decimal number, exact to the thousandth: `milli` is the value × 1000, rounded half
/// away from zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    /// The value × 1000.
    pub milli: i64,
}

impl Decimal {
    /// Reads `12`, `-1.5`, `2.5e3`, `.25` (`_` between digits allowed); `None` for
    /// anything else or beyond ±9.2e15.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let (negative, text) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => {
                let exp: i32 = text.get(at + 1..)?.parse().ok()?;
                (text.get(..at)?, exp)
            }
            None => (text, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let mut digits: u128 = 0;
        let mut count = 0usize;
        for b in whole.bytes().chain(fraction.bytes()).filter(|b| *b != b'_') {
            if !b.is_ascii_digit() || count >= 30 {
                return None;
            }
            digits = digits * 10 + u128::from(b - b'0');
            count += 1;
        }
        if count == 0 || !(-40..=40).contains(&exponent) {
            return None;
        }
        let scale = i32::try_from(fraction.bytes().filter(|b| *b != b'_').count()).ok()?;
        let shift = 3 + exponent - scale;
        let magnitude = if shift >= 0 {
            digits.checked_mul(10u128.checked_pow(shift.unsigned_abs())?)?
        } else {
            let div = 10u128
                .checked_pow(shift.unsigned_abs())
                .unwrap_or(u128::MAX);
            digits / div + u128::from(digits % div >= div - div / 2)
        };
        let milli = i64::try_from(magnitude).ok()?;
        Some(Self {
            milli: if negative { -milli } else { milli },
        })
    }

    /// An integer's.
    #[must_use]
    pub const fn from_int(i: i64) -> Option<Self> {
        match i.checked_mul(1000) {
            Some(milli) => Some(Self { milli }),
            None => None,
        }
    }

    /// As written back: `40`, `-1.5`, `0.125`.
    #[must_use]
    pub fn show(self) -> String {
        let sign = if self.milli < 0 { "-" } else { "" };
        let m = self.milli.unsigned_abs();
        let (whole, frac) = (m / 1000, m % 1000);
        if frac == 0 {
            return format!("{sign}{whole}");
        }
        let frac = format!("{frac:03}");
        format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
    }
}

/// A table: its keys in the order of the file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    entries: Vec<(String, Value)>,
    /// Defined by a `[header]` (a second one is an error).
    headed: bool,
    /// Written inline (`{ … }`): complete, nothing may be added later.
    inline: bool,
}

impl Table {
    /// Removes `key` and returns its value.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// The keys still in the table, in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// Whether it has no keys.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn insert(&mut self, key: String, value: Value) -> Result<(), String> {
        if self.entries.iter().any(|(k, _)| *k == key) {
            return Err(format!("`{key}` is defined twice"));
        }
        self.entries.push((key, value));
        Ok(())
    }

    /// The table at `key`, created (implicitly) if absent; the newest element of an
    /// array of tables.
    fn child(&mut self, key: &str) -> Result<&mut Self, String> {
        let at = match self.entries.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                self.entries
                    .push((key.to_owned(), Value::Table(Self::default())));
                self.entries.len() - 1
            }
        };
        match self.entries.get_mut(at).map(|(_, v)| v) {
            Some(Value::Table(t)) => {
                if t.inline {
                    Err(format!("`{key}` is an inline table: it is complete"))
                } else {
                    Ok(t)
                }
            }
            Some(Value::Tables(ts)) => ts
                .last_mut()
                .ok_or_else(|| format!("`{key}` is an empty array")),
            Some(other) => Err(format!("`{key}` is {}, not a table", other.describe())),
            None => Err(format!("`{key}` is missing")),
        }
    }

    /// The table at the dotted `path` under this one.
    fn walk(&mut self, path: &[String]) -> Result<&mut Self, String> {
        let mut table = self;
        for key in path {
            table = table.child(key)?;
        }
        Ok(table)
    }
}

/// Reads a TOML document.
///
/// # Errors
/// A syntax error, with its line: `line 3: expected `=` after the key`.
pub fn parse(text: &str) -> Result<Table, String> {
    let mut root = Table::default();
    let mut current: Vec<String> = Vec::new();
    let mut c = Cursor {
        text,
        pos: 0,
        line: 1,
    };
    loop {
        c.skip_blank();
        c.skip_comment();
        match c.peek() {
            None => return Ok(root),
            Some('\n' | '\r') => c.newline()?,
            Some('[') => {
                let line = c.line;
                current = header(&mut c, &mut root).map_err(|e| at_line(line, &e))?;
                c.end_of_line()?;
            }
            Some(_) => {
                let line = c.line;
                let (path, value) = key_value(&mut c)?;
                c.end_of_line()?;
                root.walk(&current)
                    .and_then(|t| put(t, path, value))
                    .map_err(|e| at_line(line, &e))?;
            }
        }
    }
}

fn at_line(line: usize, message: &str) -> String {
    if message.starts_with("line ") {
        message.to_owned()
    } else {
        format!("line {line}: {message}")
    }
}

/// A `[table]` or `[[array]]` header; returns the path of the table it opens.
fn header(c: &mut Cursor<'_>, root: &mut Table) -> Result<Vec<String>, String> {
    c.bump();
    let array = c.eat('[');
    c.skip_blank();
    let path = c.key()?;
    c.skip_blank();
    let closed = c.eat(']') && (!array || c.eat(']'));
    if !closed {
        return Err(String::from(if array {
            "the header needs `]]`"
        } else {
            "the header needs `]`"
        }));
    }
    let (last, parents) = path.split_last().ok_or("the header has no name")?;
    let parent = root.walk(parents)?;
    if array {
        match parent.entries.iter_mut().find(|(k, _)| k == last) {
            None => parent.insert(last.clone(), Value::Tables(alloc::vec![Table::default()]))?,
            Some((_, Value::Tables(ts))) => ts.push(Table::default()),
            Some((_, other)) => {
                return Err(format!(
                    "`{last}` is {}, not an array of tables",
                    other.describe()
                ));
            }
        }
    } else {
        let table = parent.child(last)?;
        if table.headed {
            return Err(format!("the table [{}] is defined twice", path.join(".")));
        }
        table.headed = true;
    }
    Ok(path)
}

fn key_value(c: &mut Cursor<'_>) -> Result<(Vec<String>, Value), String> {
    let path = c.key()?;
    c.skip_blank();
    if !c.eat('=') {
        return Err(c.error("expected `=` after the key"));
    }
    c.skip_blank();
    let value = value(c)?;
    Ok((path, value))
}

/// Stores `value` at the dotted `path` under `table`.
fn put(table: &mut Table, path: Vec<String>, value: Value) -> Result<(), String> {
    let (last, parents) = path.split_last().ok_or("a key is missing")?;
    table.walk(parents)?.insert(last.clone(), value)
}

fn value(c: &mut Cursor<'_>) -> Result<Value, String> {
    match c.peek() {
        Some('"' | '\'') => c.string().map(Value::String),
        Some('[') => array(c),
        Some('{') => inline_table(c),
        None | Some('\n' | '\r' | '#') => Err(c.error("a value is missing")),
        Some(_) => scalar(c),
    }
}

fn array(c: &mut Cursor<'_>) -> Result<Value, String> {
    c.bump();
    let mut items = Vec::new();
    loop {
        c.skip_space()?;
        if c.eat(']') {
            return Ok(Value::Array(items));
        }
        items.push(value(c)?);
        c.skip_space()?;
        if c.eat(']') {
            return Ok(Value::Array(items));
        }
        if !c.eat(',') {
            return Err(c.error("expected `,` or `]` in the array"));
        }
    }
}

fn inline_table(c: &mut Cursor<'_>) -> Result<Value, String> {
    c.bump();
    let mut table = Table::default();
    c.skip_space()?;
    if !c.eat('}') {
        loop {
            c.skip_space()?;
            let line = c.line;
            let (path, value) = key_value(c)?;
            put(&mut table, path, value).map_err(|e| at_line(line, &e))?;
            c.skip_space()?;
            if c.eat('}') {
                break;
            }
            if !c.eat(',') {
                return Err(c.error("expected `,` or `}` in the inline table"));
            }
        }
    }
    table.inline = true;
    Ok(Value::Table(table))
}

/// A boolean or a number.
fn scalar(c: &mut Cursor<'_>) -> Result<Value, String> {
    let start = c.pos;
    while c
        .peek()
        .is_some_and(|ch| ch.is_ascii_alphanumeric() || "_+-.:".contains(ch))
    {
        c.bump();
    }
    let word = c.text.get(start..c.pos).unwrap_or_default();
    let not_a_value = || {
        let shown: String = c
            .text
            .get(start..)
            .unwrap_or_default()
            .chars()
            .take(20)
            .collect();
        let shown = shown
            .lines()
            .next()
            .unwrap_or_default()
            .trim_end()
            .to_owned();
        c.error(&format!("`{shown}` is not a value (a string needs quotes)"))
    };
    match word {
        "" => return Err(not_a_value()),
        "true" => return Ok(Value::Boolean(true)),
        "false" => return Ok(Value::Boolean(false)),
        _ => {}
    }
    if word.contains(':')
        || (word.get(4..5) == Some("-") && word.bytes().take(4).all(|b| b.is_ascii_digit()))
    {
        return Err(c.error("dates and times are not scenario values; write them as strings"));
    }
    let digits: String = word.chars().filter(|&ch| ch != '_').collect();
    let radix = [("0x", 16), ("0o", 8), ("0b", 2)]
        .into_iter()
        .find(|(p, _)| digits.starts_with(p));
    if let Some((prefix, radix)) = radix {
        let body = digits.get(prefix.len()..).unwrap_or_default();
        return i64::from_str_radix(body, radix)
            .map(Value::Integer)
            .map_err(|_| not_a_value());
    }
    if digits.ends_with("inf") || digits.ends_with("nan") {
        return Err(c.error(&format!("`{word}`: a scenario number is finite")));
    }
    if digits.contains(['.', 'e', 'E']) {
        Decimal::parse(&digits)
            .map(Value::Float)
            .ok_or_else(not_a_value)
    } else {
        digits
            .parse::<i64>()
            .map(Value::Integer)
            .map_err(|_| not_a_value())
    }
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..)?.chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        if ch == '\n' {
            self.line += 1;
        }
        Some(ch)
    }

    fn eat(&mut self, ch: char) -> bool {
        let hit = self.peek() == Some(ch);
        if hit {
            self.bump();
        }
        hit
    }

    fn error(&self, message: &str) -> String {
        format!("line {}: {message}", self.line)
    }

    fn skip_blank(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
    }

    fn skip_comment(&mut self) {
        if self.peek() == Some('#') {
            while !matches!(self.peek(), None | Some('\n' | '\r')) {
                self.bump();
            }
        }
    }

    /// A line break (`\n` or `\r\n`).
    fn newline(&mut self) -> Result<(), String> {
        if self.eat('\r') && self.peek() != Some('\n') {
            return Err(self.error("a carriage return without a line feed"));
        }
        self.eat('\n');
        Ok(())
    }

    /// Blanks, comments and line breaks (inside arrays and inline tables).
    fn skip_space(&mut self) -> Result<(), String> {
        loop {
            self.skip_blank();
            self.skip_comment();
            match self.peek() {
                Some('\n' | '\r') => self.newline()?,
                _ => return Ok(()),
            }
        }
    }

    /// After a value or a header: blanks, a comment, then the line's end.
    fn end_of_line(&mut self) -> Result<(), String> {
        self.skip_blank();
        self.skip_comment();
        match self.peek() {
            None => Ok(()),
            Some('\n' | '\r') => self.newline(),
            Some(ch) => Err(self.error(&format!("expected the end of the line, found `{ch}`"))),
        }
    }

    /// A key, dotted or not: `step`, `"a b"`, `group.ev`.
    fn key(&mut self) -> Result<Vec<String>, String> {
        let mut path = Vec::new();
        loop {
            self.skip_blank();
            let part = match self.peek() {
                Some('"' | '\'') => self.string()?,
                _ => {
                    let start = self.pos;
                    while self
                        .peek()
                        .is_some_and(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-')
                    {
                        self.bump();
                    }
                    let bare = self.text.get(start..self.pos).unwrap_or_default();
                    if bare.is_empty() {
                        return Err(self.error(&match self.peek() {
                            Some(ch) => format!("expected a key, found `{ch}`"),
                            None => String::from("expected a key"),
                        }));
                    }
                    bare.to_owned()
                }
            };
            path.push(part);
            self.skip_blank();
            if !self.eat('.') {
                return Ok(path);
            }
        }
    }

    /// A basic (`"…"`, with escapes) or literal (`'…'`) string on one line.
    fn string(&mut self) -> Result<String, String> {
        let quote = self.bump().unwrap_or('"');
        if self
            .text
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with([quote, quote]))
        {
            return Err(self.error("multi-line strings are not supported in scenarios"));
        }
        let mut out = String::new();
        loop {
            match self.bump() {
                None | Some('\n' | '\r') => return Err(self.error("the string is not closed")),
                Some(ch) if ch == quote => return Ok(out),
                Some('\\') if quote == '"' => out.push(self.escape()?),
                Some(ch) => out.push(ch),
            }
        }
    }

    fn escape(&mut self) -> Result<char, String> {
        let hex = |c: &mut Self, n: usize| {
            let start = c.pos;
            for _ in 0..n {
                c.bump();
            }
            c.text
                .get(start..c.pos)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
                .ok_or_else(|| c.error("a \\u escape needs hex digits of a character"))
        };
        match self.bump() {
            Some('n') => Ok('\n'),
            Some('t') => Ok('\t'),
            Some('r') => Ok('\r'),
            Some('b') => Ok('\u{8}'),
            Some('f') => Ok('\u{c}'),
            Some('e') => Ok('\u{1b}'),
            Some('"') => Ok('"'),
            Some('\\') => Ok('\\'),
            Some('u') => hex(self, 4),
            Some('U') => hex(self, 8),
            Some(ch) => Err(self.error(&format!("unknown escape `\\{ch}`"))),
            None => Err(self.error("the string is not closed")),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test code")]
mod tests {
    use super::*;
    use alloc::vec;

    fn s(v: &str) -> Value {
        Value::String(v.to_owned())
    }

    #[test]
    fn reads_what_scenarios_write() {
        let mut t = parse(
            "# a comment\nspeed = 10 # trailing\nname = \"a \\\"b\\\" \\u00e9\"\nlit = 'C:\\x'\n\
             f = 1.5\nneg = -3\nbig = 1_000\nhex = 0xff\nyes = true\n\
             ev = { battery_kwh = 40, soc = \"20..40\" }\n\
             cards = [\n  \"A\", # first\n  \"B\",\n]\n\
             a.b = 1\n\
             [[step]]\ndo = \"plug\"\n[[step]]\n\"do\" = 'tap'\n\
             [[group]]\ncps = \"0..9\"\n[[group.step]]\nwait = \"1s\"\n[group.ev]\nphases = 1\n[[group]]\r\ncps = \"10\"\r\n",
        )
        .unwrap();
        assert_eq!(t.take("speed"), Some(Value::Integer(10)));
        assert_eq!(t.take("name"), Some(s("a \"b\" é")));
        assert_eq!(t.take("lit"), Some(s("C:\\x")));
        assert_eq!(t.take("f"), Some(Value::Float(Decimal { milli: 1500 })));
        assert_eq!(t.take("neg"), Some(Value::Integer(-3)));
        assert_eq!(t.take("big"), Some(Value::Integer(1000)));
        assert_eq!(t.take("hex"), Some(Value::Integer(255)));
        assert_eq!(t.take("yes"), Some(Value::Boolean(true)));
        let Some(Value::Table(mut ev)) = t.take("ev") else {
            panic!()
        };
        assert_eq!(ev.take("battery_kwh"), Some(Value::Integer(40)));
        assert_eq!(ev.take("soc"), Some(s("20..40")));
        assert_eq!(t.take("cards"), Some(Value::Array(vec![s("A"), s("B")])));
        let Some(Value::Table(mut a)) = t.take("a") else {
            panic!()
        };
        assert_eq!(a.take("b"), Some(Value::Integer(1)));
        let Some(Value::Tables(mut steps)) = t.take("step") else {
            panic!()
        };
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[1].take("do"), Some(s("tap")));
        let Some(Value::Tables(mut groups)) = t.take("group") else {
            panic!()
        };
        assert_eq!(groups.len(), 2);
        let Some(Value::Tables(gs)) = groups[0].take("step") else {
            panic!()
        };
        assert_eq!(gs.len(), 1);
        let Some(Value::Table(mut gev)) = groups[0].take("ev") else {
            panic!()
        };
        assert_eq!(gev.take("phases"), Some(Value::Integer(1)));
        assert_eq!(groups[1].take("cps"), Some(s("10")));
        assert!(t.is_empty());
    }

    #[test]
    fn decimals_are_exact_to_the_thousandth() {
        let m = |t: &str| Decimal::parse(t).map(|d| d.milli);
        assert_eq!(m("40"), Some(40_000));
        assert_eq!(m("-1.5"), Some(-1500));
        assert_eq!(m("0.1"), Some(100));
        assert_eq!(m(".25"), Some(250));
        assert_eq!(m("2.5e3"), Some(2_500_000));
        assert_eq!(m("1E-3"), Some(1));
        assert_eq!(m("0.0005"), Some(1), "half rounds away from zero");
        assert_eq!(m("0.0004"), Some(0));
        assert_eq!(m("1_000.5"), Some(1_000_500));
        assert_eq!(m("9e40"), None);
        assert_eq!(m("1e99"), None);
        for bad in ["", ".", "1.2.3", "e5", "1e", "abc", "1x"] {
            assert_eq!(m(bad), None, "{bad:?}");
        }
        let show = |milli| Decimal { milli }.show();
        assert_eq!(
            (show(40_000), show(-1500), show(125)),
            ("40".into(), "-1.5".into(), "0.125".into())
        );
    }

    #[test]
    fn bad_documents_name_the_line_and_the_problem() {
        let err = |t: &str| parse(t).unwrap_err();
        assert_eq!(err("[[step]\ndo = 'plug'"), "line 1: the header needs `]]`");
        assert!(err("a = 1\nb 2").starts_with("line 2: expected `=`"));
        assert!(err("a = 1\na = 2").contains("line 2: `a` is defined twice"));
        assert!(err("speed = fast").contains("`fast` is not a value"));
        assert!(err("a = \"open").contains("not closed"));
        assert!(err("a = \"\"\"x\"\"\"").contains("multi-line"));
        assert!(err("a = 1979-05-27").contains("dates"));
        assert!(err("a = [1 2]").contains("`,` or `]`"));
        assert!(err("a = { b = 1 c = 2 }").contains("`,` or `}`"));
        assert!(err("a = 1 b = 2").contains("end of the line"));
        assert!(err("a = \"\\q\"").contains("unknown escape"));
        assert!(err("[t]\n[t]").contains("defined twice"));
        assert!(err("a = 1\n[[a]]").contains("not an array of tables"));
        assert!(err("ev = { a = 1 }\n[ev]").contains("inline"));
        assert!(err("= 3").contains("expected a key"));
        assert!(err("a = ").contains("missing"));
        assert!(err("a = 99999999999999999999").contains("not a value"));
        assert!(err("a = 1\rb = 2").contains("carriage return"));
        assert!(err("a = inf").contains("finite"));
    }
}
