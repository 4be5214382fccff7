//! A world's settler: a task that applies `--settle` transitions when they
//! fall due on the virtual clock, so that they happen even when nobody asks
//! (an environment deleted with `--settle 3s` is gone three seconds later,
//! and streams watching it hear so).
//!
//! It sleeps until the next deadline; with nothing pending, or the clock
//! frozen, it sleeps until the world changes, so it costs nothing when idle.
//! Each wake after a change also tells the state file that there is
//! something to save.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use crate::store::Store;

/// Spawns the settler of `store`; it ends when `shutdown` turns true.
pub fn spawn(store: Store, dirty: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
    tokio::spawn(async move {
        let mut edits = store.edits();
        loop {
            // Marked seen before settling, so an edit racing with it wakes us.
            edits.borrow_and_update();
            let wait = store.settle();
            let due = async {
                match wait {
                    Some(ms) => tokio::time::sleep(Duration::from_millis(ms.max(1).unsigned_abs())).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                changed = edits.changed() => match changed {
                    Ok(()) => dirty.notify_one(),
                    Err(_) => break,
                },
                () = due => {}
                _ = shutdown.wait_for(|down| *down) => break,
            }
        }
    });
}
