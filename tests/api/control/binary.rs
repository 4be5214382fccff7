//! The real binary as a child process, for flags that only it has and for
//! what survives the process (`kill -9`, restarts, two separate runs).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::{Method, RequestBuilder};

const BIN: &str = env!("CARGO_BIN_EXE_zadig-mock");

/// A running `zadig-mock`; killed when dropped.
pub struct Server {
    pub child: Child,
    pub address: String,
    pub client: reqwest::Client,
}

impl Server {
    /// Starts the binary on a free port with `args` and waits for its
    /// `listening on` line.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_env(args, &[])
    }

    /// Like [`Server::start`], with environment variables set.
    pub fn start_with_env(args: &[&str], vars: &[(&str, &str)]) -> Self {
        let mut child = Command::new(BIN)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .envs(vars.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(10)).expect("the server printed its listening line in time");
        let address = line.trim().rsplit("listening on ").next().unwrap_or_default().to_string();
        assert!(address.starts_with("http://"), "unexpected first line: {line}");
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
        Server { child, address, client }
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.request_as("test-token", method, path)
    }

    pub fn request_as(&self, token: &str, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.address))
            .header("Authorization", format!("Bearer {token}"))
    }

    /// SIGTERM, then the exit code.
    pub fn terminate(mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary expecting it to refuse to start: exit code and stderr.
pub fn refused_start(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(BIN).args(["--listen", "127.0.0.1:0"]).args(args).output().expect("binary runs");
    (output.status.code(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// A fresh folder for one test's files.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zadig-mock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}
