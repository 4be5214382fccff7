//! The generated part of container logs: plausible, deterministic lines.
//!
//! Line `i` depends only on the container's [`Profile`] (whose seed comes
//! from the pod instance, itself named by the seeded generator) and `i`, so
//! any line can be produced at any time, by anyone, in any order.

use std::time::{Duration, UNIX_EPOCH};

use super::ContainerId;
use crate::store::model::PodContainer;

/// What kind of program a container runs, which decides what it logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Program {
    /// Serves HTTP on its first port.
    Server(u16),
    /// Has no port: works through a queue.
    Worker,
    /// Istio's Envoy sidecar.
    Proxy,
}

/// A container, as its log needs to know it.
#[derive(Debug, Clone)]
pub struct Profile {
    seed: u64,
    container: String,
    service: String,
    version: String,
    program: Program,
}

impl Profile {
    pub fn new(id: &ContainerId, service: &str, container: &PodContainer) -> Self {
        let mut hash = Fnv::new();
        hash.write(id.pod_uid.as_bytes());
        hash.write(id.container.as_bytes());
        let program = match (container.name.as_str(), container.ports.first()) {
            (crate::store::share::ISTIO_PROXY, _) => Program::Proxy,
            (_, Some(port)) => Program::Server(*port),
            (_, None) => Program::Worker,
        };
        let version = container.image.rsplit_once(':').map_or("latest", |(_, tag)| tag).to_string();
        Profile {
            seed: hash.finish(),
            container: container.name.to_string(),
            service: service.to_string(),
            version,
            program,
        }
    }

    /// Line `i`, written at `at_ms` on the virtual clock (its timestamp).
    pub fn line(&self, i: u64, at_ms: i64) -> String {
        let mut r = Draws::new(self.seed, i);
        let ts = timestamp(at_ms);
        match self.program {
            Program::Proxy => self.proxy_line(i, &ts, &mut r),
            Program::Server(port) => self.server_line(i, &ts, port, &mut r),
            Program::Worker => self.worker_line(i, &ts, &mut r),
        }
    }

    fn server_line(&self, i: u64, ts: &str, port: u16, r: &mut Draws) -> String {
        let name = &self.container;
        match i {
            0 => return format!("{ts} INFO starting {name} {}", self.version),
            1 => return format!("{ts} INFO configuration loaded from /etc/{name}/config.yaml"),
            2 => return format!("{ts} INFO listening on 0.0.0.0:{port}"),
            _ => {}
        }
        match r.below(100) {
            0..75 => {
                let (method, path) = request(r);
                let (level, status, millis) = outcome(method, r);
                let client = format!("10.200.{}.{}", r.below(16), 2 + r.below(250));
                let bytes = if status == 204 { 0 } else { 64 + r.below(4000) };
                format!("{ts} {level} {client} \"{method} {path} HTTP/1.1\" {status} {bytes} {millis}ms")
            }
            75..90 => format!("{ts} DEBUG cache refreshed: {} keys in {}ms", 16 + r.below(500), 1 + r.below(20)),
            90..97 => format!("{ts} INFO health check ok, {} goroutines", 12 + r.below(40)),
            _ => format!("{ts} WARN slow downstream call to {} took {}ms", peer(&self.service, r), 800 + r.below(2200)),
        }
    }

    fn worker_line(&self, i: u64, ts: &str, r: &mut Draws) -> String {
        let name = &self.container;
        match i {
            0 => return format!("{ts} INFO starting {name} {}", self.version),
            1 => return format!("{ts} INFO connected to queue {}-jobs", self.service),
            _ => {}
        }
        let job = 10_000 + r.below(90_000);
        match r.below(100) {
            0..85 => format!("{ts} INFO processed job {job} in {}ms", 5 + r.below(400)),
            85..97 => format!("{ts} WARN retrying job {job} (attempt {}/5)", 2 + r.below(3)),
            _ => format!("{ts} ERROR job {job} failed: context deadline exceeded"),
        }
    }

    fn proxy_line(&self, i: u64, ts: &str, r: &mut Draws) -> String {
        match i {
            0 => return format!("{ts} info Version 1.19.3 Envoy proxy starting for {}", self.service),
            1 => return format!("{ts} info Envoy proxy is ready"),
            _ => {}
        }
        let (method, path) = request(r);
        let (_, status, millis) = outcome(method, r);
        format!(
            "[{ts}] \"{method} {path} HTTP/1.1\" {status} - via_upstream - \"-\" 0 {} {millis} {} \"-\" \"Go-http-client/1.1\" \"{}.svc\"",
            64 + r.below(4000),
            millis.saturating_sub(1),
            self.service
        )
    }
}

const PATHS: &[&str] = &["/api/v1/orders", "/api/v1/users", "/api/v1/items", "/api/v1/cart", "/healthz", "/metrics"];

fn request(r: &mut Draws) -> (&'static str, String) {
    let method = match r.below(100) {
        0..60 => "GET",
        60..85 => "POST",
        85..95 => "PUT",
        _ => "DELETE",
    };
    // Only reads go to the health and metrics endpoints.
    let choices = if method == "GET" { PATHS } else { &PATHS[..4] };
    let path = choices[r.below(choices.len() as u64) as usize];
    let path = match (method, path) {
        ("GET", "/healthz" | "/metrics") | ("POST", _) => path.to_string(),
        _ => format!("{path}/{}", 1 + r.below(9999)),
    };
    (method, path)
}

/// Level, status and latency of a request.
fn outcome(method: &str, r: &mut Draws) -> (&'static str, u64, u64) {
    match r.below(100) {
        0..92 => {
            let status = match method {
                "POST" => 201,
                "DELETE" => 204,
                _ => 200,
            };
            ("INFO", status, 1 + r.below(250))
        }
        92..98 => ("WARN", 404, 1 + r.below(30)),
        _ => ("ERROR", 500, 1000 + r.below(2000)),
    }
}

fn peer(service: &str, r: &mut Draws) -> String {
    let peers = ["mysql:3306", "redis:6379", "backend:8080", "kafka:9092"];
    let peer = peers[r.below(peers.len() as u64) as usize];
    if peer.starts_with(service) { format!("{peer}-replica") } else { peer.to_string() }
}

/// RFC 3339 with milliseconds, UTC, as most loggers print it.
fn timestamp(unix_ms: i64) -> String {
    let ms = u64::try_from(unix_ms).unwrap_or(0);
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

/// A stream of draws for one line: SplitMix64 from the container's seed
/// and the line number.
struct Draws(u64);

impl Draws {
    fn new(seed: u64, i: u64) -> Self {
        Draws(seed ^ i.wrapping_mul(0xD6E8_FEB8_6659_FD93))
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n.max(1)
    }
}

/// FNV-1a, 64 bits: a hash whose values never change between builds, unlike
/// the standard library's.
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv {
    pub fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    /// Hashes `bytes` and a separator, so that `("ab","c")` and `("a","bc")` differ.
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes.iter().chain(&[0xff]) {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn finish(&self) -> u64 {
        self.0
    }
}
