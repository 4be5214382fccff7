//! The body of a container-log stream: the last `tails` lines, then every
//! new line, as gin-contrib/sse v0.1.0 frames `c.SSEvent("message", line)`
//! (`sse-encoder.go`): `event:message\ndata:<line>\n\n`, no space after the
//! colons, no `id:`, no `retry:`, no heartbeat.
//!
//! Lines are cut as `containerLogStream` cuts them (log/service/sse.go:90-130):
//! a line is trimmed of surrounding white space, unless it holds a `\r`, in
//! which case it is split at each `\r` and each piece (the newline left in
//! the last) is sent with a `\r` appended, untrimmed. The encoder then
//! writes a `\r` as the two characters `\r` and a `\n` as `\ndata:`.
//!
//! The stream ends when the container's pod goes away or the server shuts
//! down; the real server goes silent instead and never ends the response.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;

use axum::body::{Body, Bytes};
use futures_util::FutureExt;

use crate::store::logs::{Follow, LogHead, tail_start};

/// Lines rendered per chunk, so that a long backlog streams with
/// backpressure instead of filling memory.
const BATCH: usize = 256;

/// The streaming body of one follower.
pub fn body(follow: Follow, tails: i64, shutdown: impl Future<Output = ()> + Send + 'static) -> Body {
    let reader = Reader::new(follow, tails, Box::pin(shutdown));
    Body::from_stream(futures_util::stream::unfold(reader, |mut reader| async move {
        let chunk = reader.next_chunk().await?;
        Some((Ok::<_, Infallible>(chunk), reader))
    }))
}

/// Where one follower stands in the log.
struct Reader {
    follow: Follow,
    /// The next generated line to send.
    generated: u64,
    /// The `seq` of the next written line to send.
    written: u64,
    shutdown: Pin<Box<dyn Future<Output = ()> + Send>>,
}

impl Reader {
    fn new(mut follow: Follow, tails: i64, shutdown: Pin<Box<dyn Future<Output = ()> + Send>>) -> Self {
        let head = follow.head.borrow_and_update().clone();
        let (generated, written) = tail_start(&follow.timeline, head.generated, &head.written, tails);
        Reader { follow, generated, written, shutdown }
    }

    /// The next frames to send, waiting for lines when there are none;
    /// `None` ends the stream.
    async fn next_chunk(&mut self) -> Option<Bytes> {
        loop {
            if (&mut self.shutdown).now_or_never().is_some() {
                return None;
            }
            let head = self.follow.head.borrow_and_update().clone();
            let chunk = self.render(&head);
            if !chunk.is_empty() {
                return Some(Bytes::from(chunk));
            }
            if head.gone {
                return None;
            }
            tokio::select! {
                () = &mut self.shutdown => return None,
                changed = self.follow.head.changed() => changed.ok()?,
            }
        }
    }

    /// Frames for up to [`BATCH`] lines the head has and we have not sent,
    /// in time order (a generated line before a written one of the same
    /// instant).
    fn render(&mut self, head: &LogHead) -> Vec<u8> {
        let mut out = Vec::new();
        let first_seq = head.written.first().map_or(0, |l| l.seq);
        let end_seq = head.written.last().map_or(0, |l| l.seq + 1);
        if self.written > end_seq {
            // The world was replaced (a reset or a restore) with this pod in
            // it: its written log starts over, and so do we.
            self.written = first_seq;
        }
        // Lines dropped from a full log are skipped.
        self.written = self.written.max(first_seq);
        let timeline = self.follow.timeline;
        for _ in 0..BATCH {
            let index = usize::try_from(self.written - first_seq).unwrap_or(usize::MAX);
            let written = head.written.get(index);
            let generated = (self.generated < head.generated).then(|| timeline.time_of(self.generated));
            match (generated, written) {
                (Some(at_ms), w) if w.is_none_or(|w| at_ms <= w.at_ms) => {
                    frame(&mut out, &self.follow.source.profile.line(self.generated, at_ms));
                    self.generated += 1;
                }
                (_, Some(w)) => {
                    for data in events_of(&w.text) {
                        frame(&mut out, &data);
                    }
                    self.written += 1;
                }
                (_, None) => break,
            }
        }
        out
    }
}

/// The event data a written line becomes (see the module documentation).
fn events_of(line: &str) -> Vec<String> {
    if line.contains('\r') {
        format!("{line}\n").split('\r').map(|piece| format!("{piece}\r")).collect()
    } else {
        vec![line.trim().to_string()]
    }
}

/// One `message` event, escaped as gin-contrib/sse v0.1.0's `dataReplacer`.
fn frame(out: &mut Vec<u8>, data: &str) {
    out.extend_from_slice(b"event:message\ndata:");
    for piece in data.split_inclusive(['\n', '\r']) {
        match piece.as_bytes().split_last() {
            Some((b'\n', rest)) => {
                out.extend_from_slice(rest);
                out.extend_from_slice(b"\ndata:");
            }
            Some((b'\r', rest)) => {
                out.extend_from_slice(rest);
                out.extend_from_slice(b"\\r");
            }
            _ => out.extend_from_slice(piece.as_bytes()),
        }
    }
    out.extend_from_slice(b"\n\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(data: &str) -> String {
        let mut out = Vec::new();
        frame(&mut out, data);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_line_is_one_message_event_without_spaces() {
        assert_eq!(framed("hello world"), "event:message\ndata:hello world\n\n");
        assert_eq!(framed(""), "event:message\ndata:\n\n");
    }

    #[test]
    fn carriage_returns_and_newlines_are_escaped_as_the_encoder_escapes_them() {
        assert_eq!(framed("a\r"), "event:message\ndata:a\\r\n\n");
        assert_eq!(framed("b\n\r"), "event:message\ndata:b\ndata:\\r\n\n");
    }

    #[test]
    fn lines_are_trimmed_unless_they_hold_a_carriage_return() {
        assert_eq!(events_of("  padded\t"), ["padded"]);
        assert_eq!(events_of("a\rb"), ["a\r", "b\n\r"]);
        assert_eq!(events_of(" progress 50%\r"), [" progress 50%\r", "\n\r"]);
    }
}
