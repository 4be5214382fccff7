//! The test control plane under `/_mock/` and the flags around it:
//! `--isolate`, `--state-file`, `--journal-limit`, `--random-seed` and `--clock`.

mod binary;
mod clock;
mod determinism;
mod faults;
mod helpers;
mod isolation;
mod journal;
mod persistence;
mod world;
