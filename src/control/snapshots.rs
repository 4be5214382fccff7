//! Named snapshots: whole copies of a world (clock and generator included),
//! kept in memory, listed in name order. They survive a reset, so a suite
//! can prepare a world once and restore it before each test.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ControlError;
use crate::store::World;

/// The longest snapshot name.
pub const MAX_NAME: usize = 128;

/// A snapshot as listed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SnapshotInfo {
    pub name: String,
    /// When it was saved, on the virtual clock (Unix seconds).
    pub saved_at: i64,
}

/// A tenant's snapshots.
#[derive(Debug, Default)]
pub struct Snapshots {
    /// Each world with its save time (a running clock inside it moves on).
    saved: BTreeMap<String, (World, i64)>,
}

impl Snapshots {
    /// Saves `world` as `name`, replacing a snapshot of that name.
    pub fn save(&mut self, name: &str, world: World) -> Result<SnapshotInfo, ControlError> {
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(ControlError::bad_request(format!("a snapshot name has 1 to {MAX_NAME} characters")));
        }
        let info = SnapshotInfo { name: name.to_string(), saved_at: world.now() };
        self.saved.insert(name.to_string(), (world, info.saved_at));
        Ok(info)
    }

    /// A copy of the snapshot called `name`.
    pub fn get(&self, name: &str) -> Result<World, ControlError> {
        self.saved.get(name).map(|(world, _)| world.clone()).ok_or_else(|| missing(name))
    }

    pub fn delete(&mut self, name: &str) -> Result<(), ControlError> {
        self.saved.remove(name).map(|_| ()).ok_or_else(|| missing(name))
    }

    pub fn list(&self) -> Vec<SnapshotInfo> {
        self.saved
            .iter()
            .map(|(name, (_, saved_at))| SnapshotInfo { name: name.clone(), saved_at: *saved_at })
            .collect()
    }
}

fn missing(name: &str) -> ControlError {
    ControlError::not_found(format!("no snapshot named {name:?}"))
}
