//! Starting a contained process: the one place where a check's processes come to life.
//!
//! Every check kind describes what to run as a [`Spawn`] and hands it to [`Launcher::run`].
//! Today that starts `pygrade __supervise` (see `supervise.rs`) around the command; a later
//! launcher may hand the same request to a warm, pre-forked Python worker instead, without
//! the check kinds or the report changing.
//!
//! Here: the environment is cleared to what the caller lists (no token of the caller reaches
//! learner code), stdin is closed unless a case supplies bytes, stdout and stderr are drained
//! concurrently into capped buffers that keep head and tail, and output past the hard limit
//! stops the process (`OutputLimit`).

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;
use tokio::sync::Notify;

use super::sandbox::Sandbox;
use super::supervise::Ending;

/// Bytes kept from the start and from the end of each stream.
const KEEP_HEAD: usize = 256 * 1024;
const KEEP_TAIL: usize = 256 * 1024;
/// Output (stdout and stderr together) past which the process is stopped.
pub(crate) const OUTPUT_LIMIT: u64 = 16 * 1024 * 1024;
/// Time between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_millis(500);
/// How long to wait for a stream to close once the process tree is gone.
const DRAIN_WAIT: Duration = Duration::from_secs(2);

/// What to run, and with what.
#[derive(Debug, Clone)]
pub(crate) struct Spawn {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub cwd: PathBuf,
    /// The complete environment; nothing else is inherited.
    pub env: Vec<(String, OsString)>,
    /// Folders the process may write (in a sandbox, the only ones).
    pub writable: Vec<PathBuf>,
    /// Whether it runs in the sandbox: every process that runs learner code does.
    pub sandboxed: bool,
    pub stdin: Option<Vec<u8>>,
    pub timeout: Duration,
    /// The process's address-space limit, in bytes.
    pub memory_limit: Option<u64>,
}

/// A stream as far as it was kept.
#[derive(Debug, Clone, Default)]
pub(crate) struct Captured {
    pub bytes: Vec<u8>,
    pub truncated: bool,
}

impl Captured {
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    Code(i32),
    Signal(i32),
    Timeout,
    OutputLimit,
    /// It ran out of memory under its limit.
    MemoryLimit,
}

#[derive(Debug, Clone)]
pub(crate) struct Finished {
    pub exit: Exit,
    pub stdout: Captured,
    pub stderr: Captured,
    /// CPU time of the process and everything it started.
    pub cpu_ms: u64,
    /// The largest resident set of any one process in its tree.
    pub peak_rss_kib: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Launcher {
    /// This very binary, which supervises each process.
    supervisor: PathBuf,
    sandbox: Sandbox,
    /// Folders every sandboxed process may read (Python and the graders).
    readable: Vec<PathBuf>,
}

impl Launcher {
    pub(crate) fn new(sandbox: Sandbox, readable: Vec<PathBuf>) -> Result<Launcher> {
        let supervisor = std::env::current_exe().context("cannot find pygrade's own executable")?;
        Ok(Launcher {
            supervisor,
            sandbox,
            readable,
        })
    }

    pub(crate) async fn run(&self, spawn: Spawn) -> Result<Finished> {
        let ending_file = tempfile::Builder::new()
            .prefix("pygrade-ending-")
            .tempfile()?;
        let sandbox = if spawn.sandboxed {
            &self.sandbox
        } else {
            &Sandbox::Off
        };
        let (program, args) = sandbox.wrap(
            &spawn.program,
            &spawn.args,
            &spawn.cwd,
            &self.readable,
            &spawn.writable,
        );
        let mut command = Command::new(&self.supervisor);
        command
            .arg("__supervise")
            .arg("--timeout-ms")
            .arg(spawn.timeout.as_millis().to_string())
            .arg("--grace-ms")
            .arg(GRACE.as_millis().to_string())
            .args(
                spawn
                    .memory_limit
                    .map(|bytes| format!("--memory-limit={bytes}")),
            )
            .arg("--result")
            .arg(ending_file.path())
            .arg("--")
            .arg(&program)
            .args(&args)
            .current_dir(&spawn.cwd)
            .env_clear()
            .envs(spawn.env.iter().map(|(k, v)| (k, v)))
            .stdin(if spawn.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .with_context(|| format!("could not start {}", self.supervisor.display()))?;
        // If this run is abandoned (pygrade interrupted), the supervisor is asked to stop, so
        // that it takes its process tree down in order instead of being killed outright.
        let mut stop_on_drop = StopOnDrop(child.id());

        if let (Some(bytes), Some(mut stdin)) = (spawn.stdin, child.stdin.take()) {
            // A learner program may never read its input; a closed pipe is not an error.
            tokio::spawn(async move {
                let _ = stdin.write_all(&bytes).await;
            });
        }
        let total = Arc::new(AtomicU64::new(0));
        let over = Arc::new(Notify::new());
        let stdout = tokio::spawn(drain(
            child.stdout.take().expect("piped"),
            total.clone(),
            over.clone(),
        ));
        let stderr = tokio::spawn(drain(
            child.stderr.take().expect("piped"),
            total.clone(),
            over.clone(),
        ));

        // The supervisor enforces the timeout; this outer bound only guards against the
        // supervisor itself hanging.
        let backstop = spawn.timeout + GRACE + Duration::from_secs(10);
        let mut output_limit = false;
        let status = tokio::select! {
            status = child.wait() => status?,
            _ = over.notified() => {
                output_limit = true;
                ask_to_stop(child.id());
                child.wait().await?
            }
            _ = tokio::time::sleep(backstop) => {
                child.kill().await?;
                bail!("the supervisor of {} did not finish in time", spawn.program.display());
            }
        };
        stop_on_drop.0 = None;
        let stdout = collect(stdout).await;
        let stderr = collect(stderr).await;
        let ending: Ending = match std::fs::read(ending_file.path()) {
            Ok(bytes) if !bytes.is_empty() => serde_json::from_slice(&bytes)?,
            _ => bail!(
                "could not run {} ({status}): {}",
                spawn.program.display(),
                stderr.text().trim()
            ),
        };
        // Under an address-space limit, running out shows as Python's MemoryError (or an
        // allocator's abort), not as a signal of its own.
        let out_of_memory = spawn.memory_limit.is_some()
            && ["MemoryError", "Cannot allocate memory", "bad_alloc"]
                .iter()
                .any(|sign| stderr.text().contains(sign));
        let exit = if output_limit {
            Exit::OutputLimit
        } else if out_of_memory {
            Exit::MemoryLimit
        } else if ending.timed_out {
            Exit::Timeout
        } else if let Some(signal) = ending.signal {
            Exit::Signal(signal)
        } else {
            match ending.code.unwrap_or(-1) {
                // bwrap reports a command killed by a signal as 128 + the signal's number.
                code if sandbox.is_active() && (129..=128 + 64).contains(&code) => {
                    Exit::Signal(code - 128)
                }
                code => Exit::Code(code),
            }
        };
        Ok(Finished {
            exit,
            stdout,
            stderr,
            cpu_ms: ending.cpu_ms,
            peak_rss_kib: ending.max_rss_kb,
        })
    }
}

/// Asks a supervisor to stop its command (it treats SIGTERM as "stop now, and clean up").
fn ask_to_stop(supervisor: Option<u32>) {
    if let Some(pid) = supervisor {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGTERM,
        );
    }
}

/// Stops a supervisor that is still running when its run is dropped. Disarmed (set to `None`)
/// once the supervisor has been waited for, since its pid may then be reused.
struct StopOnDrop(Option<u32>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        ask_to_stop(self.0);
    }
}

/// Waits for a stream's reader, but not forever: a stream held open by something outside
/// the process tree must not hang the run.
async fn collect(task: tokio::task::JoinHandle<std::io::Result<Captured>>) -> Captured {
    match tokio::time::timeout(DRAIN_WAIT, task).await {
        Ok(Ok(Ok(captured))) => captured,
        _ => Captured {
            truncated: true,
            ..Captured::default()
        },
    }
}

/// Reads a stream to its end, keeping its head and tail, and raises `over` once the output of
/// the whole process passes [`OUTPUT_LIMIT`]. It keeps reading after that so the writer never
/// blocks on a full pipe while it is being stopped.
async fn drain(
    mut stream: impl AsyncRead + Unpin,
    total: Arc<AtomicU64>,
    over: Arc<Notify>,
) -> std::io::Result<Captured> {
    let mut head = Vec::new();
    let mut tail: VecDeque<u8> = VecDeque::new();
    let mut seen: u64 = 0;
    let mut told = false;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        seen += n as u64;
        let chunk = &buf[..n];
        let room = KEEP_HEAD.saturating_sub(head.len());
        head.extend_from_slice(&chunk[..room.min(n)]);
        if n > room {
            tail.extend(&chunk[room..]);
            let excess = tail.len().saturating_sub(KEEP_TAIL);
            tail.drain(..excess);
        }
        if total.fetch_add(n as u64, Ordering::SeqCst) + n as u64 > OUTPUT_LIMIT && !told {
            told = true;
            over.notify_one();
        }
    }
    let truncated = seen > (KEEP_HEAD + KEEP_TAIL) as u64;
    let mut bytes = head;
    if truncated {
        let cut = seen - bytes.len() as u64 - tail.len() as u64;
        bytes.extend_from_slice(format!("\n[... {cut} bytes cut by pygrade ...]\n").as_bytes());
    }
    bytes.extend(tail);
    Ok(Captured { bytes, truncated })
}
