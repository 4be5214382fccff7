//! The clock API's shapes: `GET /_mock/clock` shows the virtual clock,
//! `POST /_mock/clock` moves it with `{"now": <unix seconds>}`,
//! `{"advance": "10m"}` (or a number of seconds) and `{"frozen": bool}`.

use serde::{Deserialize, Serialize};

use super::ControlError;
use crate::store::{ClockChange, World};

/// The latest `now` accepted: 9999-12-31T23:59:59Z.
pub const LATEST: i64 = 253_402_300_799;

/// The longest single `advance`: a hundred years.
const LONGEST_ADVANCE_MS: i64 = 100 * 366 * 24 * 3_600_000;

/// The body of `POST /_mock/clock`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClockRequest {
    pub now: Option<i64>,
    pub advance: Option<Advance>,
    pub frozen: Option<bool>,
}

/// `"10m"`, `"1h30m"`, `"500ms"`, or a number of seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Advance {
    Seconds(i64),
    Text(String),
}

/// What `GET /_mock/clock` shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ClockView {
    /// Unix seconds, the unit of every time on the wire.
    pub now: i64,
    pub now_ms: i64,
    pub frozen: bool,
}

impl ClockView {
    pub fn of(world: &World) -> Self {
        ClockView { now: world.clock.now(), now_ms: world.clock.now_ms(), frozen: world.clock.is_frozen() }
    }
}

impl ClockRequest {
    /// Checks the request and turns it into a clock change.
    pub fn into_change(self) -> Result<ClockChange, ControlError> {
        if self.now.is_none() && self.advance.is_none() && self.frozen.is_none() {
            return Err(ControlError::bad_request("give now, advance or frozen"));
        }
        let now_ms = match self.now {
            Some(seconds) if (0..=LATEST).contains(&seconds) => Some(seconds * 1000),
            Some(_) => return Err(ControlError::bad_request(format!("now must be Unix seconds from 0 to {LATEST}"))),
            None => None,
        };
        let advance_ms = self.advance.map(advance_ms).transpose()?;
        Ok(ClockChange { frozen: self.frozen, now_ms, advance_ms })
    }
}

fn advance_ms(advance: Advance) -> Result<i64, ControlError> {
    let ms = match advance {
        Advance::Seconds(seconds) => seconds.checked_mul(1000),
        Advance::Text(text) => humantime::parse_duration(text.trim())
            .map_err(|e| ControlError::bad_request(format!("advance {text:?} is not a duration such as 10m: {e}")))?
            .as_millis()
            .try_into()
            .ok(),
    };
    match ms {
        Some(ms) if (0..=LONGEST_ADVANCE_MS).contains(&ms) => Ok(ms),
        Some(ms) if ms < 0 => Err(ControlError::bad_request("advance only moves forward; set now to go back")),
        _ => Err(ControlError::bad_request("advance is at most 100 years at a time")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(json: serde_json::Value) -> Result<ClockChange, ControlError> {
        serde_json::from_value::<ClockRequest>(json).unwrap().into_change()
    }

    #[test]
    fn advance_reads_durations_and_seconds() {
        assert_eq!(change(serde_json::json!({"advance": "10m"})).unwrap().advance_ms, Some(600_000));
        assert_eq!(change(serde_json::json!({"advance": "1h 30m"})).unwrap().advance_ms, Some(5_400_000));
        assert_eq!(change(serde_json::json!({"advance": 90})).unwrap().advance_ms, Some(90_000));
    }

    #[test]
    fn going_back_and_doing_nothing_are_refused() {
        assert!(change(serde_json::json!({"advance": -1})).unwrap_err().message.contains("forward"));
        assert!(change(serde_json::json!({"advance": "soon"})).is_err());
        assert!(change(serde_json::json!({})).is_err());
        assert!(change(serde_json::json!({"now": -1})).is_err());
        assert!(change(serde_json::json!({"advance": i64::MAX})).is_err());
    }
}
