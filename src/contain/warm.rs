//! Warm workers: long-lived helper processes that answer one request at a time, so that a
//! tool's start-up (an interpreter, its imports, its caches) is paid once per run instead of
//! once per check.
//!
//! Only trusted work runs in a warm worker: a tool that reads the learner's files but never
//! runs them (mypy). Learner code always runs in a process of its own, through
//! [`super::Launcher::run`]. A worker speaks JSON lines: it writes a first line once it is
//! ready, then reads one request line and writes one reply line at a time. While a request is
//! in flight the worker is held to that request's limits, on the same clocks as the
//! supervisor's: its wall-clock limit on a clock that does not count waiting for a busy core,
//! its CPU time, and its memory (measured). A worker that runs into a limit, dies, or says
//! something that is not a reply is killed, its request ends as a cold run would have
//! ([`Exit`]), and the next request starts a fresh worker. An idle worker is kept for the next
//! request; every worker is killed when its pool is dropped. A request's memory is what the
//! worker grew by while serving it, on top of what a fresh worker holds: what earlier requests
//! left behind is not held against it, and a worker that has grown large, or served many
//! requests, is replaced.

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use nix::unistd::Pid;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::limits::{Clock, Exit, Limits};
use super::supervise::WALL_CEILING;
use super::tree::{LoadClock, Sample, sample};

/// How often a request in flight has its worker's clocks and memory looked at.
const POLL: Duration = Duration::from_millis(20);
/// The longest a worker may take to say it is ready.
const START_LIMIT: Duration = Duration::from_secs(120);
/// Requests one worker serves before a fresh one replaces it, so that whatever a tool keeps
/// between requests cannot grow without end (mypy keeps a little of every file it checked).
const MOST_REQUESTS: u32 = 100;
/// The resident memory, in KiB, past which a worker is replaced after its request.
const MOST_RESIDENT_KIB: u64 = 512 * 1024;
/// The most of a worker's stderr kept, from its end, to explain a worker that died.
const STDERR_TAIL: usize = 16 * 1024;

/// How to start a worker.
#[derive(Debug, Clone)]
pub(crate) struct WarmSpec {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub cwd: PathBuf,
    /// The complete environment; nothing else is inherited.
    pub env: Vec<(String, OsString)>,
}

/// What a request came to.
#[derive(Debug)]
pub(crate) enum Answer {
    /// The worker's reply line.
    Reply(String),
    /// The worker ended before replying: a limit stopped it, or it died (with the end of
    /// what it wrote to stderr).
    Ended { exit: Exit, stderr: String },
}

/// A request's answer, and what the worker used to give it.
#[derive(Debug)]
pub(crate) struct Served {
    pub answer: Answer,
    pub cpu_ms: u64,
    /// The worker's resident set at its largest while it served the request.
    pub peak_rss_kib: u64,
}

/// The pools of one run, one for each command that starts workers.
#[derive(Debug, Default)]
pub(crate) struct Pools(Mutex<HashMap<Vec<OsString>, Arc<Pool>>>);

impl Pools {
    /// The pool of the workers that `spec` starts.
    pub(crate) fn of(&self, spec: WarmSpec) -> Arc<Pool> {
        let mut key = vec![spec.program.clone().into_os_string()];
        key.extend(spec.args.iter().cloned());
        let mut pools = self.0.lock().expect("warm pools");
        pools
            .entry(key)
            .or_insert_with(|| Arc::new(Pool::new(spec)))
            .clone()
    }

    /// Stops every idle worker and waits for it to be gone, so that a run leaves no process
    /// behind when it ends.
    pub(crate) async fn shut_down(&self) {
        let pools: Vec<Arc<Pool>> = self
            .0
            .lock()
            .expect("warm pools")
            .values()
            .cloned()
            .collect();
        for pool in pools {
            let idle: Vec<Worker> = pool.idle.lock().expect("idle workers").drain(..).collect();
            for mut worker in idle {
                let _ = worker.child.start_kill();
                let _ = worker.child.wait().await;
            }
        }
    }
}

/// Idle workers of one kind, started as they are needed. A worker's pipes belong to the
/// async runtime that started it: a pool serves one grading run.
pub(crate) struct Pool {
    spec: WarmSpec,
    idle: Mutex<Vec<Worker>>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").field("spec", &self.spec).finish()
    }
}

struct Worker {
    child: Child,
    pid: Pid,
    stdin: ChildStdin,
    replies: Lines<BufReader<ChildStdout>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    served: u32,
    /// Its resident memory once ready, before any request, in KiB.
    fresh_kib: u64,
}

impl Pool {
    pub(crate) fn new(spec: WarmSpec) -> Pool {
        Pool {
            spec,
            idle: Mutex::default(),
        }
    }

    /// Hands `request` (one line of JSON) to an idle worker, or a new one, and waits for its
    /// answer within `limits`.
    pub(crate) async fn ask(&self, request: &str, limits: &Limits) -> Result<Served> {
        let idle = self.idle.lock().expect("idle workers").pop();
        let mut worker = match idle {
            Some(worker) => worker,
            None => self.start().await?,
        };
        let served = worker.serve(request, limits).await?;
        let kept = matches!(served.answer, Answer::Reply(_))
            && worker.served < MOST_REQUESTS
            && sample(worker.pid).resident_kib < MOST_RESIDENT_KIB;
        if kept {
            self.idle.lock().expect("idle workers").push(worker);
        }
        Ok(served)
    }

    async fn start(&self) -> Result<Worker> {
        let spec = &self.spec;
        let mut child = Command::new(&spec.program)
            .args(&spec.args)
            .current_dir(&spec.cwd)
            .env_clear()
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("could not start {}", spec.program.display()))?;
        let pid = Pid::from_raw(child.id().context("a worker with no process id")? as i32);
        let stdin = child.stdin.take().expect("piped");
        let mut replies = BufReader::new(child.stdout.take().expect("piped")).lines();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        tokio::spawn(keep_tail(
            child.stderr.take().expect("piped"),
            stderr.clone(),
        ));
        let ready = tokio::time::timeout(START_LIMIT, replies.next_line()).await;
        let said = |stderr: &Arc<Mutex<Vec<u8>>>| {
            String::from_utf8_lossy(&stderr.lock().expect("stderr")).into_owned()
        };
        match ready {
            Ok(Ok(Some(line))) if line.contains("\"ready\"") => Ok(Worker {
                child,
                pid,
                stdin,
                replies,
                stderr,
                served: 0,
                fresh_kib: sample(pid).resident_kib,
            }),
            Ok(Ok(Some(line))) => bail!("a warm worker began with {line:?} instead of `ready`"),
            Ok(_) => {
                let _ = child.wait().await;
                bail!(
                    "a warm worker ({}) ended as it started: {}",
                    spec.args_text(),
                    said(&stderr).trim()
                )
            }
            Err(_) => bail!(
                "a warm worker ({}) was not ready after {}",
                spec.args_text(),
                humantime::format_duration(START_LIMIT)
            ),
        }
    }
}

impl WarmSpec {
    fn args_text(&self) -> String {
        let args: Vec<_> = self.args.iter().map(|a| a.to_string_lossy()).collect();
        args.join(" ")
    }
}

impl Worker {
    async fn serve(&mut self, request: &str, limits: &Limits) -> Result<Served> {
        self.served += 1;
        let before = sample(self.pid);
        // What the request holds: what the worker grew by while serving it, on top of what a
        // fresh worker holds, as a process started for this request alone would. What earlier
        // requests left behind is not this request's.
        let held =
            |now: &Sample| now.resident_kib.saturating_sub(before.resident_kib) + self.fresh_kib;
        let mut peak_rss_kib = held(&before);
        let mut clock = LoadClock::new(Some(self.pid));
        let started = Instant::now();
        let ceiling = limits.timeout.map(|t| t * WALL_CEILING);
        let mut line = request.trim_end().to_string();
        line.push('\n');
        let sent = self.stdin.write_all(line.as_bytes()).await;
        let mut ticks = tokio::time::interval(POLL);
        let hit = loop {
            if sent.is_err() {
                break None;
            }
            tokio::select! {
                reply = self.replies.next_line() => match reply {
                    Ok(Some(reply)) => {
                        let now = sample(self.pid);
                        return Ok(Served {
                            answer: Answer::Reply(reply),
                            cpu_ms: now.cpu_ms.saturating_sub(before.cpu_ms),
                            peak_rss_kib: peak_rss_kib.max(held(&now)),
                        });
                    }
                    _ => break None,
                },
                _ = ticks.tick() => {
                    clock.tick();
                    let now = sample(self.pid);
                    peak_rss_kib = peak_rss_kib.max(held(&now));
                    let cpu = Duration::from_millis(now.cpu_ms.saturating_sub(before.cpu_ms));
                    if limits.memory.is_some_and(|most| held(&now) * 1024 > most) {
                        break Some(Exit::MemoryLimit { peak_kib: Some(peak_rss_kib) });
                    }
                    if limits.cpu_time.is_some_and(|most| cpu > most) {
                        break Some(Exit::Timeout(Clock::Cpu));
                    }
                    let past = |most: Option<Duration>, spent: Duration| most.is_some_and(|m| spent > m);
                    if past(limits.timeout, clock.elapsed()) || past(ceiling, started.elapsed()) {
                        break Some(Exit::Timeout(Clock::Wall));
                    }
                }
            }
        };
        let now = sample(self.pid);
        let cpu_ms = now.cpu_ms.saturating_sub(before.cpu_ms);
        let _ = self.child.start_kill();
        let status = self.child.wait().await?;
        let exit = hit.unwrap_or(match (status.code(), status.signal()) {
            (Some(code), _) => Exit::Code(code),
            (_, Some(signal)) => Exit::Signal(signal),
            _ => Exit::Code(-1),
        });
        // The reader of its stderr sees the pipe close once the worker is gone.
        tokio::time::sleep(Duration::from_millis(10)).await;
        let stderr = String::from_utf8_lossy(&self.stderr.lock().expect("stderr")).into_owned();
        Ok(Served {
            answer: Answer::Ended { exit, stderr },
            cpu_ms,
            peak_rss_kib,
        })
    }
}

/// Reads `stream` to its end, keeping its last [`STDERR_TAIL`] bytes in `into`.
async fn keep_tail(mut stream: impl AsyncReadExt + Unpin, into: Arc<Mutex<Vec<u8>>>) {
    let mut buffer = [0u8; 8192];
    while let Ok(n) = stream.read(&mut buffer).await {
        if n == 0 {
            break;
        }
        let mut kept = into.lock().expect("stderr");
        kept.extend_from_slice(&buffer[..n]);
        let excess = kept.len().saturating_sub(STDERR_TAIL);
        kept.drain(..excess);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker in Python that does what each request's `do` says.
    fn pool() -> Pool {
        let script = r#"
import json, sys
print(json.dumps({"ready": True}), flush=True)
kept = []
for line in sys.stdin:
    do = json.loads(line)["do"]
    if do == "hang":
        while True:
            pass
    if do == "hoard":
        hoard = [bytearray(1024 * 1024) for _ in range(400)]
    if do == "keep":
        kept.extend(bytearray(1024 * 1024) for _ in range(200))
    if do == "die":
        sys.exit(3)
    print(json.dumps({"did": do}), flush=True)
"#;
        Pool::new(WarmSpec {
            program: "python3".into(),
            args: vec!["-c".into(), script.into()],
            cwd: std::env::temp_dir(),
            env: vec![("PATH".into(), std::env::var_os("PATH").unwrap_or_default())],
        })
    }

    /// Asks on the runtime the pool's workers were started on: a worker's pipes belong to
    /// the runtime that started it, as in a grading run.
    fn ask(pool: &Pool, what: &str, limits: Limits) -> Served {
        thread_local! {
            static RUNTIME: tokio::runtime::Runtime = tokio::runtime::Runtime::new().unwrap();
        }
        let request = format!(r#"{{"do": "{what}"}}"#);
        RUNTIME.with(|runtime| runtime.block_on(pool.ask(&request, &limits)).unwrap())
    }

    fn pid_of(pool: &Pool) -> Option<Pid> {
        pool.idle.lock().unwrap().first().map(|w| w.pid)
    }

    #[test]
    fn one_worker_answers_request_after_request() {
        let pool = pool();
        let first = ask(&pool, "a", Limits::default());
        assert!(matches!(&first.answer, Answer::Reply(r) if r.contains("\"a\"")));
        let worker = pid_of(&pool).expect("kept for the next request");
        let second = ask(&pool, "b", Limits::default());
        assert!(matches!(&second.answer, Answer::Reply(r) if r.contains("\"b\"")));
        assert_eq!(pid_of(&pool), Some(worker), "the same warm worker");
    }

    #[test]
    fn a_worker_past_its_time_is_stopped_and_replaced() {
        let pool = pool();
        let limits = Limits {
            timeout: Some(Duration::from_millis(300)),
            ..Limits::default()
        };
        let hung = ask(&pool, "hang", limits);
        assert!(
            matches!(
                hung.answer,
                Answer::Ended {
                    exit: Exit::Timeout(Clock::Wall),
                    ..
                }
            ),
            "{hung:?}"
        );
        assert!(hung.cpu_ms >= 100, "it computed until stopped: {hung:?}");
        assert_eq!(pid_of(&pool), None, "a stopped worker is not kept");
        let next = ask(&pool, "c", Limits::default());
        assert!(matches!(&next.answer, Answer::Reply(r) if r.contains("\"c\"")));
    }

    #[test]
    fn a_worker_past_its_memory_is_stopped() {
        let pool = pool();
        let limits = Limits {
            memory: Some(128 * 1024 * 1024),
            ..Limits::default()
        };
        let hoarded = ask(&pool, "hoard", limits);
        match hoarded.answer {
            Answer::Ended {
                exit:
                    Exit::MemoryLimit {
                        peak_kib: Some(peak),
                    },
                ..
            } => assert!(peak > 128 * 1024, "{peak}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn what_earlier_requests_left_behind_is_not_held_against_the_next() {
        let pool = pool();
        let limits = Limits {
            memory: Some(128 * 1024 * 1024),
            ..Limits::default()
        };
        assert!(matches!(
            ask(&pool, "keep", Limits::default()).answer,
            Answer::Reply(_)
        ));
        let next = ask(&pool, "a", limits);
        assert!(matches!(next.answer, Answer::Reply(_)), "{next:?}");
        assert!(next.peak_rss_kib < 100 * 1024, "{next:?}");
    }

    #[test]
    fn a_worker_that_dies_ends_its_request_with_its_status() {
        let pool = pool();
        let died = ask(&pool, "die", Limits::default());
        assert!(
            matches!(
                died.answer,
                Answer::Ended {
                    exit: Exit::Code(3),
                    ..
                }
            ),
            "{died:?}"
        );
    }
}
