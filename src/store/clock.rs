//! The virtual clock every time the server shows is read from.
//!
//! It runs with the wall clock by default, shifted by an offset; a test can
//! freeze it, set it, or move it forward, and every `--settle` transition,
//! `update_time`, pod age and event time follows.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::World;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Clock {
    /// Added to the wall clock while running.
    offset_ms: i64,
    /// Where the clock stands while frozen.
    frozen_at_ms: Option<i64>,
}

fn wall_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

impl Clock {
    /// A clock frozen at `unix_seconds` (the `--clock` flag).
    pub fn frozen_at(unix_seconds: i64) -> Self {
        Clock { offset_ms: 0, frozen_at_ms: Some(unix_seconds.saturating_mul(1000)) }
    }

    pub fn now_ms(&self) -> i64 {
        self.frozen_at_ms.unwrap_or_else(|| wall_ms().saturating_add(self.offset_ms))
    }

    /// Unix seconds, the unit of every time on the wire.
    pub fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen_at_ms.is_some()
    }

    /// Moves the clock to `unix_ms`, keeping it frozen or running.
    pub fn set_ms(&mut self, unix_ms: i64) {
        match self.frozen_at_ms {
            Some(_) => self.frozen_at_ms = Some(unix_ms),
            None => self.offset_ms = unix_ms.saturating_sub(wall_ms()),
        }
    }

    pub fn advance_ms(&mut self, by_ms: i64) {
        let now = self.now_ms();
        self.set_ms(now.saturating_add(by_ms));
    }

    /// Stops the clock where it stands, or lets it run on from there.
    pub fn set_frozen(&mut self, frozen: bool) {
        let now = self.now_ms();
        if frozen {
            self.frozen_at_ms = Some(now);
        } else if self.frozen_at_ms.take().is_some() {
            self.offset_ms = now.saturating_sub(wall_ms());
        }
    }
}

/// A move of the virtual clock, applied in this order: freeze or resume,
/// then set, then advance (so `{"frozen": true, "now": t}` stops exactly at `t`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClockChange {
    pub frozen: Option<bool>,
    pub now_ms: Option<i64>,
    pub advance_ms: Option<i64>,
}

impl World {
    /// Moves the virtual clock. Whatever falls due settles at once, and
    /// streams are woken so that they follow the new time.
    pub fn change_clock(&mut self, change: ClockChange) {
        if let Some(frozen) = change.frozen {
            self.clock.set_frozen(frozen);
        }
        if let Some(now_ms) = change.now_ms {
            self.clock.set_ms(now_ms);
        }
        if let Some(by_ms) = change.advance_ms {
            self.clock.advance_ms(by_ms);
        }
        self.settle_due();
        self.touch();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_told() {
        let mut clock = Clock::frozen_at(1_700_000_000);
        assert_eq!(clock.now(), 1_700_000_000);
        clock.advance_ms(90_000);
        assert_eq!(clock.now(), 1_700_000_090);
        clock.set_ms(5_000);
        assert_eq!(clock.now(), 5);
    }

    #[test]
    fn freezing_then_setting_stops_exactly_at_the_given_time() {
        let mut world = World::new(Clock::default(), crate::store::Rng::new(1), 0);
        world.change_clock(ClockChange { frozen: Some(true), now_ms: Some(5_000), advance_ms: Some(1_000) });
        assert!(world.clock.is_frozen());
        assert_eq!(world.clock.now_ms(), 6_000);
    }

    fn demo(settle_ms: i64) -> World {
        let texts = crate::seed::read_source(&crate::seed::Source::Demo).unwrap();
        let mut world =
            crate::seed::build_world(&texts, Clock::frozen_at(1_000), crate::store::Rng::new(1), 0).unwrap();
        world.settle_ms = settle_ms;
        world
    }

    #[test]
    fn moving_the_clock_past_a_deadline_settles_at_once() {
        let mut world = demo(60_000);
        world.begin_transition("simple-demo", "dev", crate::store::EnvStatus::Deleting, crate::store::Settle::Remove);
        world.change_clock(ClockChange { advance_ms: Some(59_999), ..Default::default() });
        assert!(world.env("simple-demo", "dev").is_some());
        world.change_clock(ClockChange { advance_ms: Some(1), ..Default::default() });
        assert!(world.env("simple-demo", "dev").is_none());
    }

    #[test]
    fn a_store_tells_its_settler_how_long_to_sleep_only_while_the_clock_runs() {
        let store = crate::store::Store::new(demo(60_000));
        store.with(|w| {
            w.begin_transition("simple-demo", "dev", crate::store::EnvStatus::Deleting, crate::store::Settle::Remove)
        });
        assert_eq!(store.settle(), None, "a frozen clock never reaches the deadline by itself");
        store.with(|w| w.change_clock(ClockChange { frozen: Some(false), ..Default::default() }));
        let wait = store.settle().expect("a running clock reaches it");
        assert!((59_000..=60_000).contains(&wait), "{wait}");
    }

    #[test]
    fn unfreezing_continues_from_the_frozen_time() {
        let mut clock = Clock::frozen_at(1_000);
        clock.set_frozen(false);
        assert!(!clock.is_frozen());
        assert!((clock.now() - 1_000).abs() <= 1);
    }
}
