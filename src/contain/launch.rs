//! Starting a contained process: the one place where a check's processes come to life.
//!
//! Every check kind describes what to run as a [`Spawn`] and hands it to [`Launcher::run`].
//! Today that starts `pygrade __supervise` (see `supervise.rs`) around the command; a later
//! launcher may hand the same request to a warm, pre-forked Python worker instead, without
//! the check kinds or the report changing.
//!
//! Here: the environment is cleared to what the caller lists (no token of the caller reaches
//! learner code), stdin is closed unless a case supplies bytes, stdout and stderr are drained
//! concurrently into capped buffers that keep head and tail, and output past the limit stops
//! the process (`OutputLimit`). A process that reports results gets a channel: a pipe, and a
//! token its every line must carry, handed over on another. What the supervisor saw, and the
//! process's last words, become an [`Exit`] that names the limit it ran into, if any.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::process::Command;
use tokio::sync::Notify;

use super::cgroup::{Cgroups, TreeCgroup};
pub(crate) use super::claim::Claim;
use super::claim::give_back_when_idle;
pub(crate) use super::limits::Exit;
use super::limits::{Clock, Limits};
use super::sandbox::{SETUP_FD, Sandbox, View};
use super::supervise::{Ending, Hit, WALL_CEILING};
use super::tree::LoadClock;
use super::warm::{Pool, Pools, WarmSpec};
use super::zygote::{Pool as ZygotePool, Preload, Request as ZygoteRequest, WorkerLost, Zygotes};

/// Bytes kept from the start and from the end of each stream.
const KEEP_HEAD: usize = 256 * 1024;
const KEEP_TAIL: usize = 256 * 1024;
/// The most of a results channel pygrade reads; a channel longer than this is cut.
const CHANNEL_LIMIT: usize = 64 * 1024 * 1024;
/// The descriptor number a process finds its results channel on.
pub(crate) const CHANNEL_FD: i32 = 3;
/// The descriptor it reads its channel's token from.
pub(crate) const TOKEN_FD: i32 = 5;
/// Time between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_millis(500);
/// How long to wait for a stream to close once the process tree is gone.
const DRAIN_WAIT: Duration = Duration::from_secs(2);
/// How often a quiet limit looks at its channel and its clock.
const SILENCE_POLL: Duration = Duration::from_millis(50);

/// What to run, and with what.
#[derive(Debug, Clone)]
pub(crate) struct Spawn {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub cwd: PathBuf,
    /// The complete environment; nothing else is inherited.
    pub env: Vec<(String, OsString)>,
    /// Folders the process may write (in a sandbox, the only ones); what it writes there
    /// counts toward its disk limit.
    pub writable: Vec<PathBuf>,
    /// Folders inside `writable` that stay read-only in a sandbox (the trusted tests).
    pub protected: Vec<PathBuf>,
    /// The folder a sandbox shows as /tmp and /dev/shm (inside `writable`, so that what is
    /// written there counts toward the disk limit instead of filling memory).
    pub scratch: Option<PathBuf>,
    /// Whether it runs in the sandbox: every process that runs learner code does.
    pub sandboxed: bool,
    /// Whether the program is the grading Python, running `-B -m MODULE ...` or a script,
    /// which a warm Python worker may fork instead of starting it afresh.
    pub warm: bool,
    pub stdin: Option<Vec<u8>>,
    pub limits: Limits,
    /// Whether the process gets a results channel: a pipe on descriptor [`CHANNEL_FD`],
    /// opened before it starts, with no name anything could open it by; and on
    /// [`TOKEN_FD`], the token this run's every event must carry.
    pub channel: bool,
    /// How long its results channel may stay silent; past it, the process is stopped
    /// ([`Exit::Quiet`]). A process that reports each step of its work (a test started, a
    /// test finished) is so held to a limit per step.
    pub quiet: Option<Quiet>,
    /// Its check's place among those running at once, given back once the process waits
    /// rather than computes (see `claim.rs`).
    pub claim: Claim,
}

/// A limit on the silence of a results channel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Quiet {
    /// The longest silence.
    pub limit: Duration,
    /// The lines the channel must have had before the limit applies (the steps before them,
    /// such as starting up and importing, are not held to it).
    pub after_lines: u64,
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

#[derive(Debug, Clone)]
pub(crate) struct Finished {
    pub exit: Exit,
    pub stdout: Captured,
    pub stderr: Captured,
    /// CPU time of the process and everything it started.
    pub cpu_ms: u64,
    /// The largest resident set of any one process in its tree.
    pub peak_rss_kib: u64,
    /// The most memory its whole tree held at once.
    pub peak_memory_kib: u64,
    /// How long it ran on the clock its wall-clock limit is kept on: the wall clock less the
    /// time its tree waited for a core that others held.
    pub clock: Duration,
    /// What the process wrote to its results channel (empty without one).
    pub channel: Channel,
}

/// The events a process wrote to its results channel.
#[derive(Debug, Clone, Default)]
pub(crate) struct Channel {
    /// The lines that carry this run's token, in order.
    pub lines: Vec<String>,
    /// The number of the first line that does not: something other than pygrade's own code
    /// wrote to the channel. A last line cut short by a crash is not counted.
    pub forged: Option<usize>,
}

impl Channel {
    /// Sorts what was read into this run's events and the rest.
    fn read(bytes: &[u8], token: &str) -> Channel {
        #[derive(serde::Deserialize)]
        struct Stamped {
            token: String,
        }
        let text = String::from_utf8_lossy(bytes);
        let all: Vec<&str> = text.lines().collect();
        let mut channel = Channel::default();
        for (i, line) in all.iter().enumerate() {
            match serde_json::from_str::<Stamped>(line) {
                Ok(stamped) if stamped.token == token => channel.lines.push(line.to_string()),
                Err(_) if i + 1 == all.len() && !text.ends_with('\n') => {}
                _ => {
                    channel.forged.get_or_insert(i + 1);
                }
            }
        }
        channel
    }
}

/// A token no learner code can guess: 128 bits from the kernel's random source.
fn new_token() -> Result<String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut source| source.read_exact(&mut bytes))
        .context("could not read /dev/urandom for a results token")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[derive(Debug, Clone)]
pub(crate) struct Launcher {
    /// This very binary, which supervises each process.
    supervisor: PathBuf,
    sandbox: Sandbox,
    /// Folders every sandboxed process may read (Python and the graders).
    readable: Vec<PathBuf>,
    /// The cgroups learner code gets for its process and memory limits, where pygrade may make
    /// them.
    cgroups: Cgroups,
    /// The pools of warm workers, by what they run; `None` when every tool starts afresh.
    warm: Option<Arc<Pools>>,
    /// The warm Python workers that fork the checks running pytest; `None` when every check
    /// starts Python afresh.
    zygotes: Option<Arc<Zygotes>>,
}

impl Launcher {
    pub(crate) fn new(sandbox: Sandbox, readable: Vec<PathBuf>) -> Result<Launcher> {
        let supervisor = std::env::current_exe().context("cannot find pygrade's own executable")?;
        Ok(Launcher {
            supervisor,
            sandbox,
            readable,
            cgroups: Cgroups::allowed(),
            warm: None,
            zygotes: None,
        })
    }

    /// The same launcher, with warm workers for the tools that can use them
    /// ([`Launcher::warm`]).
    /// `tools` and `pythons`: the warm workers, which may outlive this launcher's run (see
    /// [`Warm`]).
    pub(crate) fn with_warm_workers(self, warm: &Warm) -> Launcher {
        Launcher {
            warm: Some(warm.tools.clone()),
            zygotes: Some(warm.pythons.clone()),
            ..self
        }
    }

    /// The pool of warm workers that `spec` starts, shared by every check of this launcher's
    /// run; `None` when this run starts every tool afresh. Only for trusted tools: a warm
    /// worker runs outside the sandbox.
    pub(crate) fn warm(&self, spec: WarmSpec) -> Option<Arc<Pool>> {
        Some(self.warm.as_ref()?.of(spec))
    }

    pub(crate) async fn run(&self, spawn: Spawn) -> Result<Finished> {
        let again = spawn.clone();
        match self.run_once(spawn, true).await? {
            Some(finished) => Ok(finished),
            // A warm worker lost in the middle (killed from outside): the check starts afresh.
            None => Ok(self
                .run_once(again, false)
                .await?
                .expect("a fresh process is no warm worker to lose")),
        }
    }

    /// Runs `spawn` once, in a warm worker where `warm` allows and one can take it; `None`
    /// when that worker was lost before the process ended.
    async fn run_once(&self, spawn: Spawn, warm: bool) -> Result<Option<Finished>> {
        let ending_file = tempfile::Builder::new()
            .prefix("pygrade-ending-")
            .tempfile()?;
        let sandbox = if spawn.sandboxed {
            &self.sandbox
        } else {
            &Sandbox::Off
        };
        let view = View {
            readable: &self.readable,
            writable: &spawn.writable,
            protected: &spawn.protected,
            scratch: spawn.scratch.as_deref(),
        };
        let limits = &spawn.limits;
        let spec = super::supervise::Spec {
            // Counting processes costs a move between cgroups: only where learner code runs.
            limits: Limits {
                processes: limits.processes.filter(|_| spawn.sandboxed),
                ..*limits
            },
            cgroups: if spawn.sandboxed {
                self.cgroups
            } else {
                Cgroups::NONE
            },
            grace_ms: GRACE.as_millis() as u64,
            watch: spawn.writable.clone(),
            pass_fd: Vec::new(),
            result: ending_file.path().to_path_buf(),
        };
        // The results channel: the reading end stays here, the writing end and the token's
        // reading end go to the process.
        let channel = if spawn.channel {
            let (reader, writer) = std::io::pipe().context("could not make a results channel")?;
            let (token_reader, token_writer) = std::io::pipe()?;
            Some((
                reader,
                [writer.into(), token_reader.into()],
                token_writer,
                new_token()?,
            ))
        } else {
            None
        };
        let (channel, given) = match channel {
            Some((reader, given, token_writer, token)) => {
                (Some((reader, token_writer, token)), Some(given))
            }
            None => (None, None),
        };
        let warm = match self.warm_pool(&spawn, sandbox).filter(|_| warm) {
            Some(pool) => {
                let spec = spec.clone();
                self.start_warm(&pool, &spawn, sandbox, &view, spec, &given)
                    .await?
            }
            None => None,
        };
        let mut running = match warm {
            Some(running) => {
                // The worker's fork holds the channel's ends now: it ends with that tree.
                drop(given);
                running
            }
            None => self.start_fresh(&spawn, sandbox, &view, spec, given)?,
        };
        // If this run is abandoned (pygrade interrupted), the supervisor is asked to stop, so
        // that it takes its process tree down in order instead of being killed outright.
        let supervisor_pid = Some(running.pid);
        let mut stop_on_drop = StopOnDrop(supervisor_pid);
        // Its claim watched while the process runs (the set ends its task when dropped).
        let mut idle = tokio::task::JoinSet::new();
        if spawn.claim.held() {
            let root = nix::unistd::Pid::from_raw(running.pid as i32);
            idle.spawn(give_back_when_idle(root, spawn.claim.clone()));
        }
        let heard = Arc::new(Heard::default());
        let channel = match channel {
            Some((reader, token_writer, token)) => {
                let reader = tokio::net::unix::pipe::Receiver::from_owned_fd(reader.into())?;
                feed(token_writer, format!("{token}\n").into_bytes())?;
                Some((tokio::spawn(read_channel(reader, heard.clone())), token))
            }
            None => None,
        };
        if let (Some(bytes), Some(mut stdin)) = (spawn.stdin, running.stdin.take()) {
            // A learner program may never read its input; a closed pipe is not an error.
            tokio::spawn(async move {
                let _ = stdin.write_all(&bytes).await;
            });
        }
        let most = limits.output.unwrap_or(u64::MAX);
        let total = Arc::new(AtomicU64::new(0));
        let over = Arc::new(Notify::new());
        let stdout = tokio::spawn(drain(running.stdout, most, total.clone(), over.clone()));
        let stderr = tokio::spawn(drain(running.stderr, most, total.clone(), over.clone()));

        // The supervisor enforces the timeout; this outer bound only guards against the
        // supervisor itself hanging.
        let backstop = limits.timeout.unwrap_or(Duration::from_secs(86_400)) * WALL_CEILING
            + GRACE
            + Duration::from_secs(10);
        let mut output_limit = false;
        let mut quiet = false;
        let status = tokio::select! {
            status = running.ended.wait() => status,
            _ = over.notified() => {
                output_limit = true;
                ask_to_stop(supervisor_pid);
                running.ended.wait().await
            }
            _ = silence(&heard, spawn.quiet, supervisor_pid) => {
                quiet = true;
                ask_to_stop(supervisor_pid);
                running.ended.wait().await
            }
            _ = tokio::time::sleep(backstop) => {
                running.ended.kill(running.pid).await;
                bail!("the supervisor of {} did not finish in time", spawn.program.display());
            }
        };
        stop_on_drop.0 = None;
        let status = match status {
            Ok(status) => status,
            Err(e) if e.is::<WorkerLost>() => return Ok(None),
            Err(e) => return Err(e),
        };
        // Only a supervisor of learner code made cgroups.
        if let Some(pid) =
            supervisor_pid.filter(|_| spawn.sandboxed && self.cgroups != Cgroups::NONE)
        {
            TreeCgroup::remove_after(pid);
        }
        let stdout = collect(stdout).await;
        let stderr = collect(stderr).await;
        let channel = match channel {
            Some((task, token)) => match tokio::time::timeout(DRAIN_WAIT, task).await {
                Ok(Ok(bytes)) => Channel::read(&bytes, &token),
                _ => Channel::default(),
            },
            None => Channel::default(),
        };
        let ending: Ending = match std::fs::read(ending_file.path()) {
            Ok(bytes) if !bytes.is_empty() => serde_json::from_slice(&bytes)?,
            // Killed from outside before it could say how its child ended: without a sandbox,
            // learner code running as the same user can do that. The check gets the signal as
            // its result; the rest of the grading goes on.
            _ if status.signal().is_some() && spawn.sandboxed => Ending {
                signal: status.signal(),
                ..Ending::default()
            },
            _ => bail!(
                "could not run {} ({status}): {}",
                spawn.program.display(),
                stderr.text().trim()
            ),
        };
        let exit = if output_limit {
            Exit::OutputLimit
        } else if quiet {
            Exit::Quiet
        } else {
            verdict(&ending, &stderr.text(), sandbox.codes_signals())
        };
        Ok(Some(Finished {
            exit,
            stdout,
            stderr,
            cpu_ms: ending.cpu_ms,
            peak_rss_kib: ending.max_rss_kb,
            peak_memory_kib: ending.peak_memory_kb,
            clock: Duration::from_millis(ending.clock_ms),
            channel,
        }))
    }

    /// The pool of warm workers that can run `spawn`, if this run keeps any: `python -B -m
    /// pytest` in the built-in sandbox or in none (bubblewrap can only execute a program).
    fn warm_pool(&self, spawn: &Spawn, sandbox: &Sandbox) -> Option<Arc<ZygotePool>> {
        let zygotes = self.zygotes.as_ref()?;
        let sandbox_allows = matches!(sandbox, Sandbox::Builtin { .. } | Sandbox::None { .. });
        if !(spawn.warm && spawn.sandboxed && sandbox_allows) {
            return None;
        }
        let pool = zygotes.of(&spawn.program, &spawn.env, Preload::for_args(&spawn.args)?);
        pool.broken().is_none().then_some(pool)
    }

    /// Starts `spawn`'s supervisor in a warm worker of `pool`; `None` when no worker can start
    /// here.
    async fn start_warm(
        &self,
        pool: &Arc<ZygotePool>,
        spawn: &Spawn,
        sandbox: &Sandbox,
        view: &View<'_>,
        mut spec: super::supervise::Spec,
        given: &Option<[OwnedFd; 2]>,
    ) -> Result<Option<Running>> {
        let command = super::builtin::Spec {
            program: spawn.program.clone(),
            args: spawn.args.clone(),
            env: spawn.env.clone(),
            cwd: spawn.cwd.clone(),
            root: super::sandbox::root(view),
            probe: false,
        };
        // The supervisor closes its copies of the channel's ends once its child has them.
        if given.is_some() {
            spec.pass_fd = vec![CHANNEL_FD, TOKEN_FD];
        }
        let request = ZygoteRequest {
            supervise: spec,
            command,
            sandboxed: matches!(sandbox, Sandbox::Builtin { .. }),
            channel: given.is_some(),
        };
        let (stdin_reader, stdin_writer) = match spawn.stdin {
            Some(_) => {
                let (reader, writer) = std::io::pipe()?;
                (OwnedFd::from(reader), Some(writer))
            }
            None => (std::fs::File::open("/dev/null")?.into(), None),
        };
        let (stdout_reader, stdout_writer) = std::io::pipe()?;
        let (stderr_reader, stderr_writer) = std::io::pipe()?;
        let mut fds: Vec<OwnedFd> = vec![stdin_reader, stdout_writer.into(), stderr_writer.into()];
        if let Some([channel, token]) = given {
            fds.push(channel.try_clone()?);
            fds.push(token.try_clone()?);
        }
        let Some(started) = pool.start(request, fds).await? else {
            return Ok(None);
        };
        let reader = |pipe: std::io::PipeReader| -> Result<Box<dyn AsyncRead + Unpin + Send>> {
            Ok(Box::new(tokio::net::unix::pipe::Receiver::from_owned_fd(
                pipe.into(),
            )?))
        };
        let stdin: Option<Box<dyn AsyncWrite + Unpin + Send>> = match stdin_writer {
            Some(writer) => Some(Box::new(tokio::net::unix::pipe::Sender::from_owned_fd(
                writer.into(),
            )?)),
            None => None,
        };
        Ok(Some(Running {
            pid: started.pid,
            stdin,
            stdout: reader(stdout_reader)?,
            stderr: reader(stderr_reader)?,
            ended: Ended::Warm(started.ended),
        }))
    }

    /// Starts `spawn`'s supervisor afresh: `pygrade __supervise`, around the command wrapped
    /// in its sandbox.
    fn start_fresh(
        &self,
        spawn: &Spawn,
        sandbox: &Sandbox,
        view: &View<'_>,
        mut spec: super::supervise::Spec,
        given: Option<[OwnedFd; 2]>,
    ) -> Result<Running> {
        let wrapped = sandbox.wrap(&spawn.program, &spawn.args, &spawn.env, &spawn.cwd, view);
        let mut command = Command::new(&self.supervisor);
        command
            .arg("__supervise")
            .current_dir(&spawn.cwd)
            .env_clear()
            .envs(wrapped.env.iter().map(|(k, v)| (k, v)))
            .stdin(if spawn.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // Descriptors the supervisor passes on to its child: the results channel's writing
        // end and its token's reading end, and the reading end of the sandbox's setup.
        let mut passed: Vec<(OwnedFd, i32)> = Vec::new();
        if let Some([channel, token]) = given {
            passed.push((channel, CHANNEL_FD));
            passed.push((token, TOKEN_FD));
        }
        let setup = if wrapped.setup.is_empty() {
            None
        } else {
            let (reader, writer) =
                std::io::pipe().context("could not make a pipe for the sandbox")?;
            passed.push((reader.into(), SETUP_FD));
            Some(writer)
        };
        pass_descriptors(&mut command, &passed)?;
        spec.pass_fd = passed.iter().map(|(_, target)| *target).collect();
        command
            .arg(serde_json::to_string(&spec)?)
            .arg("--")
            .arg(&wrapped.program)
            .args(&wrapped.args);
        let mut child = command
            .spawn()
            .with_context(|| format!("could not start {}", self.supervisor.display()))?;
        // Only the supervisor's tree holds them now (the command's copies go with it): the
        // channel ends when that tree does.
        drop(command);
        drop(passed);
        if let Some(writer) = setup {
            feed(writer, wrapped.setup)?;
        }
        let stdin: Option<Box<dyn AsyncWrite + Unpin + Send>> = match child.stdin.take() {
            Some(stdin) => Some(Box::new(stdin)),
            None => None,
        };
        Ok(Running {
            pid: child.id().context("a supervisor with no process id")?,
            stdin,
            stdout: Box::new(child.stdout.take().expect("piped")),
            stderr: Box::new(child.stderr.take().expect("piped")),
            ended: Ended::Spawned(child),
        })
    }
}

/// A supervisor that has started, with its end of the process's streams.
struct Running {
    pid: u32,
    stdin: Option<Box<dyn AsyncWrite + Unpin + Send>>,
    stdout: Box<dyn AsyncRead + Unpin + Send>,
    stderr: Box<dyn AsyncRead + Unpin + Send>,
    ended: Ended,
}

/// How a supervisor's end is waited for: as pygrade's child, or as a warm worker's.
enum Ended {
    Spawned(tokio::process::Child),
    Warm(tokio::task::JoinHandle<Result<std::process::ExitStatus>>),
}

impl Ended {
    async fn wait(&mut self) -> Result<std::process::ExitStatus> {
        match self {
            Ended::Spawned(child) => Ok(child.wait().await?),
            Ended::Warm(ended) => (&mut *ended).await?,
        }
    }

    /// Kills the supervisor outright and waits for it.
    async fn kill(&mut self, pid: u32) {
        match self {
            Ended::Spawned(child) => {
                let _ = child.kill().await;
            }
            Ended::Warm(ended) => {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid as i32),
                    nix::sys::signal::Signal::SIGKILL,
                );
                let _ = (&mut *ended).await;
            }
        }
    }
}

/// The warm workers of a command: the trusted tools' (mypy) and the Python workers that fork
/// pytest checks. They live from one run to the next (`pygrade watch` grades again and again)
/// until [`Warm::shut_down`]. The tools' workers belong to the async runtime that started
/// them: their runs must share one.
#[derive(Debug)]
pub(crate) struct Warm {
    tools: Arc<Pools>,
    pythons: Arc<Zygotes>,
}

impl Warm {
    /// Warm workers whose program holds none of `secrets` (see `zygote/image.rs`).
    pub(crate) fn new(secrets: Vec<&'static [u8]>) -> Warm {
        Warm {
            tools: Arc::default(),
            pythons: Arc::new(Zygotes::new(secrets)),
        }
    }

    /// Stops every idle worker and waits for it, so that a command leaves no process behind.
    pub(crate) async fn shut_down(&self) {
        self.tools.shut_down().await;
        self.pythons.shut_down();
    }

    /// Whether warm Python workers served the checks: `None` if none was asked for, else why
    /// they could not start, if they could not.
    pub(crate) fn pythons_state(&self) -> Option<Result<(), String>> {
        self.pythons.state()
    }
}

/// Writes `bytes` into a pipe and closes it, without waiting: what reads it reads it all before
/// it starts anything, and if it never starts, no matter.
fn feed(writer: std::io::PipeWriter, bytes: Vec<u8>) -> Result<()> {
    let mut writer = tokio::net::unix::pipe::Sender::from_owned_fd(writer.into())?;
    tokio::spawn(async move {
        let _ = writer.write_all(&bytes).await;
    });
    Ok(())
}

/// Arranges for each `(descriptor, number)` to be open, under that number, in the supervisor
/// (and so in its child), and tells the supervisor which numbers they are.
fn pass_descriptors(command: &mut Command, passed: &[(OwnedFd, i32)]) -> Result<()> {
    let mut moves = Vec::new();
    for (fd, target) in passed {
        // Above every target number first, so that one move cannot overwrite another's source.
        let high = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(10))?;
        // SAFETY: fcntl returned a new descriptor that nothing else owns.
        let high = unsafe { OwnedFd::from_raw_fd(high) };
        moves.push((high, *target));
    }
    let raw: Vec<(i32, i32)> = moves.iter().map(|(fd, t)| (fd.as_raw_fd(), *t)).collect();
    // SAFETY: dup2 is a plain system call, safe between fork and exec; the sources stay open
    // until the command has been spawned, as the closure owns them.
    unsafe {
        command.pre_exec(move || {
            let _keep = &moves;
            for &(from, to) in &raw {
                // dup2 to another number leaves the copy open across exec.
                if nix::libc::dup2(from, to) == -1 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    Ok(())
}

/// How a process ended, from what its supervisor saw and the last words on its stderr.
/// `coded_signals`: the sandbox reports a command killed by a signal as 128 + its number.
fn verdict(ending: &Ending, stderr: &str, coded_signals: bool) -> Exit {
    match ending.limit {
        Some(Hit::Wall) => return Exit::Timeout(Clock::Wall),
        Some(Hit::Cpu) => return Exit::Timeout(Clock::Cpu),
        Some(Hit::Disk) => return Exit::DiskLimit,
        Some(Hit::Processes) => return Exit::ProcessLimit,
        Some(Hit::Memory) => {
            return Exit::MemoryLimit {
                peak_kib: Some(ending.peak_memory_kb),
            };
        }
        None => {}
    }
    let signal = ending.signal.or(match ending.code {
        // bwrap reports a command killed by a signal as 128 + the signal's number.
        Some(code) if coded_signals && (129..=128 + 64).contains(&code) => Some(code - 128),
        _ => None,
    });
    if signal.is_none() && ending.code == Some(0) {
        return Exit::Code(0);
    }
    // Past the address-space limit (where the supervisor measures the tree's memory rather
    // than a cgroup holding it), running out shows as Python's MemoryError (or an
    // allocator's abort); past the file-size limit, as "File too large" (Python ignores
    // SIGXFSZ, so the write fails with EFBIG).
    if ["MemoryError", "Cannot allocate memory", "bad_alloc"]
        .iter()
        .any(|sign| stderr.contains(sign))
    {
        return Exit::MemoryLimit { peak_kib: None };
    }
    if stderr.contains("[Errno 27] File too large") || signal == Some(nix::libc::SIGXFSZ) {
        return Exit::DiskLimit;
    }
    match (signal, ending.code) {
        (Some(signal), _) => Exit::Signal(signal),
        (None, code) => Exit::Code(code.unwrap_or(-1)),
    }
}

/// How many lines a results channel has had so far.
#[derive(Default)]
struct Heard {
    lines: AtomicU64,
}

impl Heard {
    fn now(&self, lines: u64) {
        self.lines.fetch_add(lines, Ordering::SeqCst);
    }
}

/// Ends when the channel, having had the lines `quiet` waits for, has then been silent for
/// its limit since its last line; never without a limit. Silence is timed like the
/// supervisor's wall-clock limit: time the process tree under `root` spent waiting for a core
/// that others held does not count (up to [`WALL_CEILING`] times the limit).
async fn silence(heard: &Heard, quiet: Option<Quiet>, root: Option<u32>) {
    let Some(Quiet { limit, after_lines }) = quiet else {
        return std::future::pending().await;
    };
    let mut clock = LoadClock::new(root.map(|pid| nix::unistd::Pid::from_raw(pid as i32)));
    let (mut seen, mut silent, mut since) = (0, Duration::ZERO, tokio::time::Instant::now());
    loop {
        tokio::time::sleep(SILENCE_POLL).await;
        let step = clock.tick();
        let lines = heard.lines.load(Ordering::SeqCst);
        if lines != seen || lines < after_lines.max(1) {
            (seen, silent, since) = (lines, Duration::ZERO, tokio::time::Instant::now());
            continue;
        }
        silent += step;
        if silent >= limit || since.elapsed() >= limit * WALL_CEILING {
            return;
        }
    }
}

/// Reads a results channel to its end (when every process holding it has ended), keeping at
/// most [`CHANNEL_LIMIT`] bytes.
async fn read_channel(mut reader: tokio::net::unix::pipe::Receiver, heard: Arc<Heard>) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = reader.read(&mut buf).await {
        if n == 0 {
            break;
        }
        let lines = buf[..n].iter().filter(|b| **b == b'\n').count();
        if lines > 0 {
            heard.now(lines as u64);
        }
        let room = CHANNEL_LIMIT.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
    }
    kept
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
/// the whole process passes `limit`. It keeps reading after that so the writer never
/// blocks on a full pipe while it is being stopped.
async fn drain(
    mut stream: impl AsyncRead + Unpin,
    limit: u64,
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
        if total.fetch_add(n as u64, Ordering::SeqCst) + n as u64 > limit && !told {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_keeps_the_lines_with_the_token_and_finds_the_first_without() {
        let bytes = b"{\"token\": \"k\", \"event\": \"hello\"}\n{\"event\": \"result\"}\nnot json\n{\"token\": \"k\", \"event\": \"done\"}\n";
        let channel = Channel::read(bytes, "k");
        assert_eq!(channel.lines.len(), 2);
        assert_eq!(channel.forged, Some(2));
        assert_eq!(Channel::read(bytes, "other").lines.len(), 0);
    }

    #[test]
    fn a_last_line_cut_short_by_a_crash_is_no_forgery() {
        let channel = Channel::read(
            b"{\"token\": \"k\", \"event\": \"hello\"}\n{\"token\": \"k\", \"ev",
            "k",
        );
        assert_eq!(channel.lines.len(), 1);
        assert_eq!(channel.forged, None);
    }

    #[test]
    fn a_refused_fork_an_exhausted_clock_or_a_full_memory_names_its_limit() {
        let ending = |limit, signal, cpu_ms| Ending {
            code: None,
            signal,
            limit,
            cpu_ms,
            max_rss_kb: 0,
            peak_memory_kb: 0,
            clock_ms: 0,
        };
        assert_eq!(
            verdict(&ending(Some(Hit::Processes), Some(9), 0), "", false),
            Exit::ProcessLimit
        );
        assert_eq!(
            verdict(&ending(Some(Hit::Cpu), Some(15), 10_000), "", false),
            Exit::Timeout(Clock::Cpu)
        );
        // Stopped for its tree's memory, or killed by the kernel for it: the peak goes with it.
        let memory = Ending {
            peak_memory_kb: 530 << 10,
            ..ending(Some(Hit::Memory), Some(9), 0)
        };
        assert_eq!(
            verdict(&memory, "", true),
            Exit::MemoryLimit {
                peak_kib: Some(530 << 10)
            }
        );
        // Under bwrap, a signal death shows as 128 + the signal.
        let bwrap = Ending {
            code: Some(128 + 11),
            ..ending(None, None, 0)
        };
        assert_eq!(verdict(&bwrap, "", true), Exit::Signal(11));
        let efbig = Ending {
            code: Some(1),
            ..ending(None, None, 0)
        };
        assert_eq!(
            verdict(&efbig, "OSError: [Errno 27] File too large", false),
            Exit::DiskLimit
        );
        // Words on stderr do not turn a clean exit into a verdict.
        let clean = Ending {
            code: Some(0),
            ..ending(None, None, 0)
        };
        assert_eq!(verdict(&clean, "MemoryError", false), Exit::Code(0));
    }
}
