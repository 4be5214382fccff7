//! The request journal: what clients sent to `/openapi` and what they got,
//! oldest first, capped at `--journal-limit` entries (the oldest go first).
//!
//! Only `/openapi` requests that passed the token check are recorded:
//! `/_mock` (so reading the journal never records itself), `/healthz` and
//! requests refused with 401 are not.

use std::collections::VecDeque;

use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::wire::QueryParams;

/// Bodies longer than this are recorded as their first bytes of text, so a
/// full journal stays bounded whatever clients send.
pub const BODY_LIMIT: usize = 64 * 1024;

/// One recorded request.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Entry {
    /// Arrival order, from 1 (restarts at reset).
    pub id: u64,
    /// Arrival on the virtual clock, Unix seconds.
    pub time: i64,
    pub method: String,
    /// The path as sent, without the query.
    pub path: String,
    /// Each query parameter's first value, as Zadig's `c.Query` reads it
    /// (written as an object of them; kept as parsed, so that recording a
    /// request copies nothing).
    #[serde(serialize_with = "first_values")]
    pub query: QueryParams,
    /// The route template that matched, e.g. `/openapi/environments/{env}`;
    /// `null` when none did.
    pub route: Option<String>,
    /// The body parsed when it is JSON, else its text; `null` when empty.
    pub body: Value,
    /// Whether `body` is cut short (bodies over 64 KiB).
    pub body_truncated: bool,
    /// `null` when a fault dropped the connection.
    pub status: Option<u16>,
    /// Real (wall-clock) time until the response head was ready; streams
    /// are recorded when they start.
    pub duration_ms: u64,
    /// The id of the fault that acted on this request, if one did.
    pub fault: Option<u64>,
}

/// The query as an object of each parameter's first value, in order.
fn first_values<S: Serializer>(query: &QueryParams, serializer: S) -> Result<S::Ok, S::Error> {
    let pairs = query.pairs();
    let first =
        pairs.iter().enumerate().filter(|(i, (name, _))| !pairs[..*i].iter().any(|(earlier, _)| earlier == name));
    serializer.collect_map(first.map(|(_, (name, value))| (name, value)))
}

/// Which entries to list; every given field must match.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Compared case-insensitively.
    pub method: Option<String>,
    /// The exact path.
    pub path: Option<String>,
    /// The exact route template.
    pub route: Option<String>,
}

impl Filter {
    fn matches(&self, entry: &Entry) -> bool {
        self.method.as_ref().is_none_or(|m| m.eq_ignore_ascii_case(&entry.method))
            && self.path.as_ref().is_none_or(|p| *p == entry.path)
            && self.route.as_ref().is_none_or(|r| Some(r) == entry.route.as_ref())
    }
}

/// A tenant's journal.
#[derive(Debug)]
pub struct Journal {
    limit: usize,
    last_id: u64,
    entries: VecDeque<Entry>,
}

impl Journal {
    pub fn new(limit: usize) -> Self {
        Journal { limit, last_id: 0, entries: VecDeque::new() }
    }

    /// Takes the id of a request as it arrives, so that entries list in
    /// arrival order even when a slow request finishes last.
    pub fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }

    /// Adds a finished request in its arrival place, dropping the oldest
    /// entries beyond the limit.
    pub fn record(&mut self, entry: Entry) {
        let at = self.entries.partition_point(|e| e.id < entry.id);
        self.entries.insert(at, entry);
        while self.entries.len() > self.limit {
            self.entries.pop_front();
        }
    }

    pub fn list(&self, filter: &Filter) -> Vec<Entry> {
        self.entries.iter().filter(|e| filter.matches(e)).cloned().collect()
    }

    /// Empties the journal; ids keep counting. Returns how many went.
    pub fn clear(&mut self) -> usize {
        let count = self.entries.len();
        self.entries.clear();
        count
    }

    /// Back to a new journal: empty, ids from 1 again.
    pub fn reset(&mut self) {
        self.entries.clear();
        self.last_id = 0;
    }
}

/// What the journal keeps of a body.
pub fn recorded_body(bytes: &[u8]) -> (Value, bool) {
    if bytes.is_empty() {
        return (Value::Null, false);
    }
    if bytes.len() > BODY_LIMIT {
        let text = String::from_utf8_lossy(&bytes[..BODY_LIMIT]);
        // A multi-byte character cut in two becomes U+FFFD; drop it.
        return (Value::String(text.trim_end_matches('\u{FFFD}').to_string()), true);
    }
    match serde_json::from_slice(bytes) {
        Ok(value) => (value, false),
        Err(_) => (Value::String(String::from_utf8_lossy(bytes).into_owned()), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: u64, method: &str, path: &str) -> Entry {
        Entry {
            id,
            time: 0,
            method: method.into(),
            path: path.into(),
            query: QueryParams::default(),
            route: Some(path.into()),
            body: Value::Null,
            body_truncated: false,
            status: Some(200),
            duration_ms: 0,
            fault: None,
        }
    }

    #[test]
    fn entries_list_in_arrival_order_and_the_oldest_go_first() {
        let mut journal = Journal::new(2);
        let (a, b, c) = (journal.next_id(), journal.next_id(), journal.next_id());
        journal.record(entry(b, "GET", "/b"));
        journal.record(entry(a, "GET", "/a"));
        journal.record(entry(c, "GET", "/c"));
        let ids: Vec<u64> = journal.list(&Filter::default()).iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![2, 3]);
    }

    #[test]
    fn filters_combine_and_methods_ignore_case() {
        let mut journal = Journal::new(10);
        journal.record(entry(1, "GET", "/a"));
        journal.record(entry(2, "POST", "/a"));
        let filter = Filter { method: Some("post".into()), path: Some("/a".into()), route: None };
        assert_eq!(journal.list(&filter).len(), 1);
    }

    #[test]
    fn bodies_are_parsed_when_json_and_cut_when_long() {
        assert_eq!(recorded_body(br#"{"a":1}"#), (serde_json::json!({"a": 1}), false));
        assert_eq!(recorded_body(b"plain"), (Value::String("plain".into()), false));
        assert_eq!(recorded_body(b""), (Value::Null, false));
        let (long, truncated) = recorded_body(&vec![b'x'; BODY_LIMIT + 1]);
        assert!(truncated);
        assert_eq!(long.as_str().map(str::len), Some(BODY_LIMIT));
    }
}
