//! `--state-file`: the world survives restarts.
//!
//! At start the file is loaded when it exists; one that cannot be read or
//! is not a state file stops the start, and is left as it is. While
//! running, a saver waits for changes, lets them gather for a moment (at
//! most four saves a second), and writes the file atomically: a temporary
//! file beside it, fsync, rename over it, fsync of the folder. A crash or
//! `kill -9` at any moment thus leaves the previous or the new complete
//! state. A last save happens at shutdown.
//!
//! The file holds `{"zadig_mock_state": 1, "isolate": false, "world": …}`:
//! everyone's world, or with `--isolate` `"tenants": {token: world}`, each
//! token's world (reset still goes back to the seed, not to the file).
//! Journals, faults and snapshots are not saved.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::state;
use super::tenants::{Tenants, Worlds};
use crate::store::World;

/// The format marker's current value.
const FORMAT: u32 = 1;

/// How long changes gather before a save.
const BATCH: Duration = Duration::from_millis(250);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    zadig_mock_state: u32,
    isolate: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    world: Option<World>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    tenants: BTreeMap<String, World>,
}

/// Why a state file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("cannot load the state file {path}: {problem} (it was left untouched; fix or remove it)")]
pub struct LoadError {
    pub path: String,
    pub problem: String,
}

/// Reads the state file at `path`: `None` when there is none yet.
pub fn load(path: &Path, isolate: bool) -> Result<Option<Worlds>, LoadError> {
    let fail = |problem: String| LoadError { path: path.display().to_string(), problem };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Refused now rather than failing every save later.
            return match path.parent().filter(|p| !p.as_os_str().is_empty() && !p.is_dir()) {
                Some(folder) => Err(fail(format!("its folder {} does not exist", folder.display()))),
                None => Ok(None),
            };
        }
        Err(e) => return Err(fail(e.to_string())),
    };
    let file: StateFile =
        serde_json::from_slice(&bytes).map_err(|e| fail(format!("not a zadig-mock state file: {e}")))?;
    if file.zadig_mock_state != FORMAT {
        return Err(fail(format!("unknown format version {} (expected {FORMAT})", file.zadig_mock_state)));
    }
    if file.isolate != isolate {
        let how = if file.isolate { "with" } else { "without" };
        return Err(fail(format!("it was written {how} --isolate; start the same way or use another file")));
    }
    for world in file.world.iter().chain(file.tenants.values()) {
        state::check(world).map_err(fail)?;
    }
    Ok(Some(Worlds { shared: file.world, isolated: file.tenants }))
}

/// The bytes of a state file holding `worlds`.
fn encode(worlds: Worlds, isolate: bool) -> Vec<u8> {
    let file = StateFile { zadig_mock_state: FORMAT, isolate, world: worlds.shared, tenants: worlds.isolated };
    // Serialising plain data into memory cannot fail.
    serde_json::to_vec(&file).unwrap_or_default()
}

/// Writes `bytes` to `path` so that `path` always holds a complete file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    let mut file = File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temp, path)?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    // The rename itself is durable once the folder is synced.
    File::open(folder)?.sync_all()
}

/// Spawns the saver; it makes its last save once `shutdown` turns true.
pub fn spawn_saver(
    path: PathBuf,
    tenants: Arc<Tenants>,
    dirty: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut saved: Option<Vec<u8>> = None;
        loop {
            tokio::select! {
                () = dirty.notified() => {}
                _ = shutdown.wait_for(|down| *down) => break,
            }
            tokio::select! {
                () = tokio::time::sleep(BATCH) => {}
                _ = shutdown.wait_for(|down| *down) => break,
            }
            save(&path, &tenants, &mut saved).await;
        }
        save(&path, &tenants, &mut saved).await;
    })
}

/// Saves when the worlds differ from what was last written.
async fn save(path: &Path, tenants: &Tenants, saved: &mut Option<Vec<u8>>) {
    let bytes = encode(tenants.worlds(), tenants.isolate());
    if saved.as_ref() == Some(&bytes) {
        return;
    }
    let target = path.to_path_buf();
    let written = bytes.clone();
    match tokio::task::spawn_blocking(move || write_atomically(&target, &written)).await {
        Ok(Ok(())) => *saved = Some(bytes),
        Ok(Err(e)) => tracing::warn!(state_file = %path.display(), error = %e, "cannot save the state file"),
        Err(e) => tracing::warn!(state_file = %path.display(), error = %e, "the state file save stopped"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("zadig-mock-persist-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_missing_file_is_no_state_yet() {
        let path = temp_dir("missing").join("state.json");
        assert!(load(&path, false).unwrap().is_none());
    }

    #[test]
    fn a_file_in_a_missing_folder_is_refused_at_start() {
        let path = temp_dir("no-folder").join("missing").join("state.json");
        assert!(load(&path, false).unwrap_err().to_string().contains("does not exist"));
    }

    #[test]
    fn a_corrupt_file_is_refused_with_its_path() {
        let path = temp_dir("corrupt").join("state.json");
        std::fs::write(&path, b"{\"zadig_mock_state\": 1, \"isolate\": fa").unwrap();
        let err = load(&path, false).unwrap_err().to_string();
        assert!(err.contains("state.json") && err.contains("not a zadig-mock state file"), "{err}");
    }

    #[test]
    fn a_file_written_with_isolate_needs_isolate() {
        let path = temp_dir("isolate").join("state.json");
        write_atomically(&path, &encode(Worlds::default(), true)).unwrap();
        assert!(load(&path, false).unwrap_err().to_string().contains("written with --isolate"));
        assert!(load(&path, true).unwrap().is_some());
    }
}
