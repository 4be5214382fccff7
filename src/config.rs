//! Command-line flags, each also read from a `ZADIG_MOCK_*` environment
//! variable (flags win).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

/// A stateful emulator of Zadig's environment OpenAPI.
#[derive(Debug, Clone, Parser)]
#[command(name = "zadig-mock", version, about)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "ZADIG_MOCK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// A seed file (YAML, or JSON when named `*.json`), or a folder of them,
    /// replacing the embedded demo world.
    #[arg(long, env = "ZADIG_MOCK_SEED", conflicts_with = "no_seed")]
    pub seed: Option<PathBuf>,

    /// Start with an empty world.
    #[arg(long, env = "ZADIG_MOCK_NO_SEED")]
    pub no_seed: bool,

    /// Accept only these API tokens (repeatable; the variable is comma
    /// separated). Without any, every non-empty token is accepted.
    #[arg(long = "token", env = "ZADIG_MOCK_TOKENS", value_delimiter = ',')]
    pub tokens: Vec<String>,

    /// How long environments stay `creating`, `updating` or `deleting`.
    #[arg(long, env = "ZADIG_MOCK_SETTLE", default_value = "0s", value_parser = humantime::parse_duration)]
    pub settle: Duration,

    /// Largest accepted request body, in bytes (suffixes K, KiB, M, MiB).
    #[arg(long, env = "ZADIG_MOCK_MAX_BODY", default_value = "4MiB", value_parser = parse_size)]
    pub max_body: usize,

    /// Seed of the generator behind every generated name, IP and log line.
    #[arg(long, env = "ZADIG_MOCK_RANDOM_SEED", default_value_t = 1)]
    pub random_seed: u64,

    /// How long before start the seed's environments came up: their pods
    /// are that old and their containers have that much log history.
    #[arg(long, env = "ZADIG_MOCK_SEED_AGE", default_value = "10m", value_parser = humantime::parse_duration)]
    pub seed_age: Duration,

    /// Start the virtual clock frozen at this Unix time (seconds).
    #[arg(long, env = "ZADIG_MOCK_CLOCK")]
    pub clock: Option<i64>,

    /// Give each API token its own world, journal, faults, clock and
    /// snapshots, cloned from the seed on its first request.
    #[arg(long, env = "ZADIG_MOCK_ISOLATE")]
    pub isolate: bool,

    /// Load the world from this file at start when it exists, and save it
    /// there (atomically) after changes and at shutdown.
    #[arg(long, env = "ZADIG_MOCK_STATE_FILE")]
    pub state_file: Option<PathBuf>,

    /// How many requests the journal keeps (per world); the oldest go first.
    #[arg(long, env = "ZADIG_MOCK_JOURNAL_LIMIT", default_value_t = 10_000)]
    pub journal_limit: usize,

    /// Lines per second each running container writes to its log (0 to
    /// 1000; 0 for none, fractions allowed).
    #[arg(long, env = "ZADIG_MOCK_LOG_RATE", default_value = "1", value_parser = parse_log_rate)]
    pub log_rate: f64,

    /// Log output format.
    #[arg(long, env = "ZADIG_MOCK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Probe `/healthz` of a running instance at `--listen` and exit 0 if it
    /// answers 200 (for container HEALTHCHECKs without curl).
    #[arg(long)]
    pub healthcheck: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Parses `4194304`, `512K`, `512KiB`, `4M` or `4MiB` into bytes.
fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: usize = number.parse().map_err(|_| format!("{text:?} is not a size such as 4MiB"))?;
    let factor = match unit.trim() {
        "" | "B" => 1,
        "K" | "KB" | "KiB" | "k" => 1024,
        "M" | "MB" | "MiB" | "m" => 1024 * 1024,
        other => return Err(format!("unknown size unit {other:?} (use K, KiB, M or MiB)")),
    };
    Ok(number.saturating_mul(factor))
}

/// A `--log-rate`: a finite number of lines per second from 0 to 1000.
fn parse_log_rate(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(rate) if (0.0..=1000.0).contains(&rate) => Ok(rate),
        _ => Err(format!("{text:?} is not a rate from 0 to 1000 lines per second")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_accept_binary_suffixes() {
        assert_eq!(parse_size("4MiB"), Ok(4 * 1024 * 1024));
        assert_eq!(parse_size("512K"), Ok(512 * 1024));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn control_plane_flags_parse() {
        let args = ["zadig-mock", "--isolate", "--state-file", "/tmp/s.json", "--journal-limit", "5"];
        let config = Config::try_parse_from(args).unwrap();
        assert!(config.isolate);
        assert_eq!(config.state_file, Some(PathBuf::from("/tmp/s.json")));
        assert_eq!(config.journal_limit, 5);
        assert!(Config::try_parse_from(["zadig-mock", "--journal-limit", "-1"]).is_err());
    }

    #[test]
    fn defaults_match_the_run_contract() {
        let config = Config::try_parse_from(["zadig-mock"]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.settle, Duration::ZERO);
        assert!(config.tokens.is_empty());
        assert!(!config.isolate);
        assert_eq!(config.journal_limit, 10_000);
        assert!(config.state_file.is_none());
        assert_eq!(config.log_rate, 1.0);
    }

    #[test]
    fn log_rates_are_bounded_and_may_be_fractional() {
        assert_eq!(parse_log_rate("0.5"), Ok(0.5));
        assert_eq!(parse_log_rate("0"), Ok(0.0));
        assert!(parse_log_rate("1001").is_err());
        assert!(parse_log_rate("-1").is_err());
        assert!(parse_log_rate("NaN").is_err());
    }
}
