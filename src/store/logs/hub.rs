//! Live container logs: any number of followers per container, one
//! producer.
//!
//! The first follower of a container starts a producer task and a `watch`
//! channel carrying the container's [`LogHead`]: how many generated lines
//! exist, the written lines, and whether the container is gone. Only the
//! producer touches the world: it wakes when a generated line is due (the
//! wall-clock equivalent, while the virtual clock runs; never while it is
//! frozen) and when the world changes ([`Store::changes`]: lines written,
//! pods replaced, the clock moved), and takes the lock only for the latter. A
//! follower only renders what the head says is new, so a thousand
//! followers cost a thousand small tasks and one lock per change, and a
//! follower that leaves frees everything it had. The producer ends with its
//! last follower, or when the container goes away.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::watch;

use super::{ContainerId, LogLine, LogSource, Timeline};
use crate::store::Store;

/// What followers of one container see.
#[derive(Debug, Clone)]
pub struct LogHead {
    /// How many generated lines exist.
    pub generated: u64,
    /// The written lines, oldest first.
    pub written: Arc<Vec<LogLine>>,
    /// The container (its pod) no longer exists: nothing more will come.
    pub gone: bool,
}

/// The live logs of one world.
pub struct LogHub {
    streams: Mutex<HashMap<ContainerId, watch::Sender<LogHead>>>,
    followers: watch::Sender<usize>,
}

impl Default for LogHub {
    fn default() -> Self {
        LogHub { streams: Mutex::new(HashMap::new()), followers: watch::channel(0).0 }
    }
}

impl LogHub {
    /// The number of open log streams, as it changes.
    pub fn followers(&self) -> watch::Receiver<usize> {
        self.followers.subscribe()
    }

    /// Forgets a container's channel once it has no follower left; `false`
    /// when a follower arrived meanwhile (the producer must go on).
    fn release(&self, id: &ContainerId, tx: &watch::Sender<LogHead>) -> bool {
        let mut streams = self.streams.lock();
        if tx.receiver_count() > 0 {
            return false;
        }
        if streams.get(id).is_some_and(|current| current.same_channel(tx)) {
            streams.remove(id);
        }
        true
    }
}

/// One follower's view of a container's log. Dropping it is all it takes
/// to leave.
pub struct Follow {
    pub source: LogSource,
    pub timeline: Timeline,
    pub head: watch::Receiver<LogHead>,
    _counted: Counted,
}

/// Keeps [`LogHub::followers`] right, whatever way a follower ends.
struct Counted(watch::Sender<usize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Store {
    /// The live logs of this world.
    pub fn logs(&self) -> &LogHub {
        &self.inner.logs
    }

    /// Starts following a container's log (§7's lookup: see
    /// [`World::log_source`](crate::store::World::log_source)); `None` when
    /// there is nothing to follow.
    pub fn follow_log(&self, project: &str, env: &str, pod: &str, container: &str) -> Option<Follow> {
        let found = self.with(|w| {
            let (source, written) = w.log_source(project, env, pod, container)?;
            let period_us = Some(w.log_period_us).filter(|p| *p > 0);
            Some((Timeline { start_ms: source.start_ms, period_us }, source, written, w.clock.now_ms()))
        });
        let (timeline, source, written, now_ms) = found?;
        let hub = self.logs();
        let mut streams = hub.streams.lock();
        let head = match streams.get(&source.id) {
            Some(tx) => tx.subscribe(),
            None => {
                let head = LogHead { generated: timeline.count_at(now_ms), written: Arc::new(written), gone: false };
                let (tx, rx) = watch::channel(head);
                streams.insert(source.id.clone(), tx.clone());
                tokio::spawn(produce(self.clone(), source.id.clone(), timeline, tx));
                rx
            }
        };
        drop(streams);
        hub.followers.send_modify(|n| *n += 1);
        Some(Follow { source, timeline, head, _counted: Counted(hub.followers.clone()) })
    }
}

/// The producer of one container's head; see the module documentation.
/// Transitions that fall due on a running clock (a pod deleted with
/// `--settle`) reach it through the world's settler, as a change.
async fn produce(store: Store, id: ContainerId, timeline: Timeline, tx: watch::Sender<LogHead>) {
    let mut changes = store.changes();
    loop {
        // Marked seen before reading, so a change racing with it wakes us.
        changes.borrow_and_update();
        let known = tx.borrow().written.last().map(|l| l.seq);
        let (clock, written) = store.with(|w| {
            let written =
                w.written_log(&id).map(|lines| (lines.last().map(|l| l.seq) != known).then(|| lines.to_vec()));
            (w.clock.clone(), written)
        });
        let Some(written) = written else {
            tx.send_modify(|head| head.gone = true);
            store.logs().release(&id, &tx);
            return;
        };
        if let Some(lines) = written {
            tx.send_modify(|head| head.written = Arc::new(lines));
        }
        loop {
            let now_ms = clock.now_ms();
            let generated = timeline.count_at(now_ms);
            tx.send_if_modified(|head| std::mem::replace(&mut head.generated, generated) != generated);
            // The next line is due after this many real milliseconds, while the clock runs.
            let next_line = timeline.period_us.filter(|_| !clock.is_frozen()).map(|_| timeline.time_of(generated));
            let sleep = next_line.map_or(Duration::MAX, |at_ms| Duration::from_millis((at_ms - now_ms).unsigned_abs()));
            tokio::select! {
                () = tx.closed() => {
                    if store.logs().release(&id, &tx) {
                        return;
                    }
                }
                changed = changes.changed() => match changed {
                    Ok(()) => break,
                    Err(_) => return,
                },
                () = tokio::time::sleep(sleep) => {}
            }
        }
    }
}
