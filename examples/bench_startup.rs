//! Start-up time for the benchmark suite (`bench/run.sh`): from the exec of
//! a server to the first `200` on its `/healthz`, over several runs.
//!
//! The server must print `… listening on http://ADDR` on stdout once it
//! accepts connections (zadig-mock and the ceiling both do), so any port
//! works (`--listen 127.0.0.1:0`). Prints `median min max` in milliseconds.
//!
//! ```sh
//! cargo run --release --example bench_startup -- 20 target/release/zadig-mock --listen 127.0.0.1:0
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(runs), Some(program)) = (args.first().and_then(|r| r.parse::<usize>().ok()), args.get(1)) else {
        eprintln!("usage: bench_startup RUNS PROGRAM [ARGS...]");
        std::process::exit(2);
    };
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        match start_once(program, &args[2..]) {
            Ok(elapsed) => times.push(elapsed.as_secs_f64() * 1000.0),
            Err(err) => {
                eprintln!("bench_startup: {program}: {err}");
                std::process::exit(1);
            }
        }
    }
    times.sort_by(f64::total_cmp);
    println!("{:.2} {:.2} {:.2}", times[times.len() / 2], times[0], times[times.len() - 1]);
}

/// One start: exec, wait for the `listening on` line, then ask `/healthz`
/// until it says 200 (the first ask normally does).
fn start_once(program: &str, args: &[String]) -> Result<Duration, String> {
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let result = (|| {
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map_err(|e| e.to_string())?;
        let address = line
            .split("listening on http://")
            .nth(1)
            .map(str::trim)
            .ok_or_else(|| format!("unexpected first line {line:?}"))?
            .to_string();
        let deadline = started + Duration::from_secs(30);
        while Instant::now() < deadline {
            if healthz_ok(&address) {
                return Ok(started.elapsed());
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        Err("no 200 on /healthz within 30 s".to_string())
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn healthz_ok(address: &str) -> bool {
    let probe = || -> std::io::Result<bool> {
        let mut stream = TcpStream::connect(address)?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head)?;
        Ok(head.starts_with(b"HTTP/1.1 200"))
    };
    probe().unwrap_or(false)
}
