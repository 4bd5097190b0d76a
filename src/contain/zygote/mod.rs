//! Warm Python workers for the processes that run learner code with pygrade's Python (pytest,
//! and the output check's programs): an interpreter started once (for pytest, with pytest and
//! pygrade's plugin imported), forked for each process.
//!
//! Starting Python and importing pytest and pygrade's plugin costs a fresh process about as
//! much CPU as its whole test session. A warm worker (`pygrade __zygote`, see `serve.rs`) pays
//! it once per command (all of a `watch` session): for each check
//! it forks a supervisor, exactly as [`super::Launcher::run`] would start one, whose child,
//! again a fork, enters the check's own sandbox (new namespaces, root, Landlock and seccomp),
//! cgroup and limits before it runs anything of the learner's, and only then becomes
//! `python -B -m pytest ...`. The supervisor, its limits and the way its child ends are the
//! same code as for a fresh process; only the exec is gone. A worker never runs learner code
//! itself, so no learner's state can reach another's check: each check is a fresh fork of a
//! worker that has run nothing but imports.
//!
//! Where a warm worker cannot start (a Python built without a shared library, say), every
//! check starts Python afresh, and the run says why once.

mod image;
mod python;
mod serve;

use std::collections::HashMap;
use std::ffi::OsString;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};

use super::supervise::pidfd;
pub(crate) use serve::{Reply, Request, run};
use serve::{SOCKET_FD, read_reply, send_request};

/// What a warm worker imports before its first fork, by what its forks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Preload {
    /// `python -B -m pytest ...`: pytest, its own plugins, and pygrade's plugin.
    Pytest,
    /// `python SCRIPT ...` or `python -m MODULE ...` (a learner's program): nothing, so that
    /// the program finds the interpreter as a fresh one would be, only started.
    Nothing,
}

impl Preload {
    /// What the warm worker for `python ARGS` imports; `None` where a warm worker cannot run
    /// it (another option, or `-B -m` of another module than pytest).
    pub(crate) fn for_args(args: &[OsString]) -> Option<Preload> {
        let first = args.first()?.to_str()?;
        if args.len() > 3 && args[..3] == ["-B", "-m", "pytest"].map(OsString::from) {
            Some(Preload::Pytest)
        } else if !first.starts_with('-') || (first == "-m" && args.len() > 1) {
            Some(Preload::Nothing)
        } else {
            None
        }
    }

    fn modules(self) -> &'static [&'static str] {
        match self {
            Preload::Pytest => &[
                "pytest",
                "pygrade_graders.pytest_plugin",
                "pygrade_graders.pytest_preload",
            ],
            Preload::Nothing => &[],
        }
    }
}
/// The longest a worker may take to start.
const START_LIMIT: Duration = Duration::from_secs(60);

/// The warm workers of one command, by the interpreter and environment they start with.
#[derive(Debug, Default)]
pub(crate) struct Zygotes {
    pools: Mutex<HashMap<Vec<OsString>, Arc<Pool>>>,
    /// What the workers' program must not hold (see `image.rs`).
    secrets: Vec<&'static [u8]>,
    /// The workers' program, once made (or why it could not be).
    program: Arc<OnceLock<Result<PathBuf, String>>>,
}

impl Zygotes {
    /// Warm workers whose program holds none of `secrets`: slices of pygrade's own static data
    /// (the bundled bank).
    pub(crate) fn new(secrets: Vec<&'static [u8]>) -> Zygotes {
        Zygotes {
            secrets,
            ..Zygotes::default()
        }
    }

    /// Stops every idle worker.
    pub(crate) fn shut_down(&self) {
        let pools: Vec<Arc<Pool>> = self
            .pools
            .lock()
            .expect("warm pools")
            .values()
            .cloned()
            .collect();
        for pool in pools {
            pool.idle.lock().expect("idle workers").clear();
        }
    }

    /// Whether warm workers served this command's checks: `None` if none was asked for, else
    /// why they could not start, if they could not.
    pub(crate) fn state(&self) -> Option<Result<(), String>> {
        let pools = self.pools.lock().expect("warm pools");
        let broken = pools.values().find_map(|pool| pool.broken());
        match broken {
            Some(why) => Some(Err(why)),
            None => (!pools.is_empty()).then_some(Ok(())),
        }
    }

    /// The pool of workers for `python` with the learner environment `env` (whose `HOME` and
    /// `TMPDIR`, a check's own, do not count).
    pub(crate) fn of(
        &self,
        python: &Path,
        env: &[(String, OsString)],
        preload: Preload,
    ) -> Arc<Pool> {
        let shared: Vec<(String, OsString)> = env
            .iter()
            .filter(|(key, _)| key != "HOME" && key != "TMPDIR")
            .cloned()
            .collect();
        let mut key = vec![python.as_os_str().to_owned(), format!("{preload:?}").into()];
        for (name, value) in &shared {
            key.push(name.into());
            key.push(value.clone());
        }
        let mut pools = self.pools.lock().expect("warm pools");
        pools
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Pool {
                    python: python.to_path_buf(),
                    env: shared,
                    preload,
                    secrets: self.secrets.clone(),
                    program: self.program.clone(),
                    idle: Mutex::default(),
                    broken: Mutex::default(),
                })
            })
            .clone()
    }
}

/// Idle warm workers of one interpreter and environment.
pub(crate) struct Pool {
    python: PathBuf,
    env: Vec<(String, OsString)>,
    preload: Preload,
    secrets: Vec<&'static [u8]>,
    program: Arc<OnceLock<Result<PathBuf, String>>>,
    idle: Mutex<Vec<Zygote>>,
    /// Why a worker could not start, once one could not: the run then starts Python afresh.
    broken: Mutex<Option<String>>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("python", &self.python)
            .finish()
    }
}

/// A worker, and its end of the socket.
struct Zygote {
    child: std::process::Child,
    socket: OwnedFd,
}

impl Drop for Zygote {
    fn drop(&mut self) {
        // Closing the socket ends an idle worker; one that is not idle is killed.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A warm worker died (was killed from outside) while it ran a check: the check's result is
/// not the learner's, and the check runs again in a fresh process.
#[derive(Debug, thiserror::Error)]
#[error("a warm Python worker was lost while it ran a check")]
pub(crate) struct WorkerLost;

/// A check's supervisor, started in a warm worker.
pub(crate) struct Started {
    pub pid: u32,
    /// Its exit status, once it has ended.
    pub ended: tokio::task::JoinHandle<Result<ExitStatus>>,
}

impl Pool {
    /// Why this pool's workers cannot start, if one has failed to.
    pub(crate) fn broken(&self) -> Option<String> {
        self.broken.lock().expect("broken").clone()
    }

    /// Starts `request` in an idle worker, or a new one, handing it `fds` (stdin, stdout,
    /// stderr and, with a results channel, the channel and its token). `Ok(None)` when no
    /// worker can start here (see [`Pool::broken`]): the caller then starts Python afresh.
    pub(crate) async fn start(
        self: &Arc<Self>,
        request: Request,
        fds: Vec<OwnedFd>,
    ) -> Result<Option<Started>> {
        let pool = self.clone();
        let started = match tokio::task::spawn_blocking(move || -> Result<_> {
            let zygote = match pool.idle.lock().expect("idle workers").pop() {
                Some(zygote) => zygote,
                None => match pool.start_worker() {
                    Ok(zygote) => zygote,
                    Err(e) => {
                        let why = format!("{e:#}");
                        eprintln!(
                            "pygrade: warm Python workers cannot start here, so every pytest check starts Python afresh: {why}"
                        );
                        *pool.broken.lock().expect("broken") = Some(why);
                        return Ok(None);
                    }
                },
            };
            let raw: Vec<RawFd> = fds.iter().map(AsRawFd::as_raw_fd).collect();
            let started = send_request(zygote.socket.as_raw_fd(), &request, &raw)
                .and_then(|()| read_reply(zygote.socket.as_raw_fd()));
            drop(fds);
            match started {
                Ok(Some(Reply::Started { pid })) => {
                    // Watched from now on, should the worker be lost before it says the end.
                    let watch = pidfd(pid).ok();
                    Ok(Some((zygote, pid as u32, watch)))
                }
                // A worker that died, or said something else, is dropped (and killed); this
                // check starts Python afresh.
                _ => Ok(None),
            }
        })
        .await??
        {
            Some(started) => started,
            None => return Ok(None),
        };
        let (zygote, pid, watch) = started;
        let pool = self.clone();
        let ended = tokio::task::spawn_blocking(move || -> Result<ExitStatus> {
            match read_reply(zygote.socket.as_raw_fd()) {
                Ok(Some(Reply::Ended { status })) => {
                    pool.idle.lock().expect("idle workers").push(zygote);
                    Ok(ExitStatus::from_raw(status))
                }
                // The worker is gone: its supervisor, told by its parent's death, stops the
                // check. Once it is gone too, the check is for a fresh process to run.
                _ => {
                    drop(zygote);
                    if let Some(watch) = watch {
                        let mut fds = [PollFd::new(watch.as_fd(), PollFlags::POLLIN)];
                        let _ = nix::poll::poll(&mut fds, PollTimeout::NONE);
                    }
                    Err(WorkerLost.into())
                }
            }
        });
        Ok(Some(Started { pid, ended }))
    }

    /// Starts a worker and waits until it is ready.
    fn start_worker(&self) -> Result<Zygote> {
        let (ours, theirs) = socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .context("could not make a socket for a warm worker")?;
        let program = self
            .program
            .get_or_init(|| {
                let cache = crate::toolchain::home().map_err(|e| format!("{e:#}"))?;
                image::scrubbed(&cache, &self.secrets).map_err(|e| format!("{e:#}"))
            })
            .clone()
            .map_err(anyhow::Error::msg)?;
        let mut command = std::process::Command::new(program);
        // Its command line is what the sandbox's process 1 shows learner code: nothing of the
        // caller's beyond Python's own path. No `HOME` nor `TMPDIR`: each check brings its own.
        command
            .arg0("pygrade")
            .arg("__zygote")
            .arg(&self.python)
            .args(self.preload.modules())
            .current_dir("/")
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let raw = theirs.as_raw_fd();
        // SAFETY: plain system calls, safe between fork and exec; the socket's end stays open
        // until the command has been spawned.
        unsafe {
            command.pre_exec(move || crate::contain::descriptors::open_across_exec(raw, SOCKET_FD));
        }
        let mut child = command.spawn().context("could not start a warm worker")?;
        drop(theirs);
        let stderr = child.stderr.take().expect("piped");
        let zygote = Zygote {
            child,
            socket: ours,
        };
        set_timeout(&zygote.socket, Some(START_LIMIT))?;
        let ready = read_reply(zygote.socket.as_raw_fd());
        set_timeout(&zygote.socket, None)?;
        match ready {
            Ok(Some(Reply::Ready)) => Ok(zygote),
            other => {
                drop(zygote);
                let mut said = String::new();
                use std::io::Read;
                let _ = std::io::BufReader::new(stderr)
                    .take(16 * 1024)
                    .read_to_string(&mut said);
                let why = match other {
                    Err(e) => format!("{e:#}"),
                    _ => "it ended as it started".into(),
                };
                bail!(
                    "a warm Python worker could not start ({why}): {}",
                    said.trim()
                )
            }
        }
    }
}

/// How long a read from `socket` may wait (`None`: for ever).
fn set_timeout(socket: &OwnedFd, limit: Option<Duration>) -> Result<()> {
    let value = nix::sys::time::TimeVal::new(
        limit.map_or(0, |l| l.as_secs() as i64),
        limit.map_or(0, |l| l.subsec_micros() as i64),
    );
    nix::sys::socket::setsockopt(socket, nix::sys::socket::sockopt::ReceiveTimeout, &value)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preload(args: &[&str]) -> Option<Preload> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        Preload::for_args(&args)
    }

    #[test]
    fn pytest_sessions_scripts_and_modules_run_warm_and_other_options_do_not() {
        assert_eq!(
            preload(&["-B", "-m", "pytest", "-q"]),
            Some(Preload::Pytest)
        );
        assert_eq!(preload(&["word_count.py", "-n"]), Some(Preload::Nothing));
        assert_eq!(preload(&["-m", "logagg", "in.log"]), Some(Preload::Nothing));
        assert_eq!(preload(&["-m"]), None);
        assert_eq!(preload(&["-B", "-m", "logagg"]), None);
        assert_eq!(preload(&["-c", "print(1)"]), None);
    }
}
