//! `pygrade __zygote PYTHON MODULE...`: a warm worker, the process that forks each check's
//! Python instead of starting it afresh.
//!
//! It loads PYTHON's own interpreter (see `python.rs`), imports the MODULEs and pygrade's
//! `warm` runner once, and says it is ready on its socket ([`SOCKET_FD`]). Then, for each
//! [`Request`] (with the check's stdin, stdout, stderr and results channel attached), it
//! forks a supervisor exactly like `pygrade __supervise`, whose child, itself a fork, enters
//! the built-in sandbox (or none) and there becomes `python -B -m ...` by calling into the
//! interpreter it already holds. It answers with the supervisor's pid, and then with its exit
//! status. It never runs learner code itself, and nothing a child does comes back into it; it
//! starts no thread, so that its forks may enter new namespaces; and it ends with pygrade,
//! whose end closes its socket.

use std::convert::Infallible;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use nix::sys::socket::{ControlMessage, ControlMessageOwned, MsgFlags, recvmsg, sendmsg};
use nix::unistd::ForkResult;
use serde::{Deserialize, Serialize};

use super::python::Python;
use crate::contain::builtin::{self, Become};
use crate::contain::supervise::{self, Start};
use crate::contain::{CHANNEL_FD, TOKEN_FD};

/// The descriptor of the worker's end of its socket to pygrade.
pub(crate) const SOCKET_FD: RawFd = 3;
/// The largest request.
const MOST_BYTES: usize = 1 << 20;
/// How a check's descriptors are numbered in its process: stdin, stdout, stderr, and with a
/// results channel, the channel and its token.
const TARGETS: [RawFd; 5] = [0, 1, 2, CHANNEL_FD, TOKEN_FD];

/// One check's process, as pygrade asks for it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Request {
    /// What its supervisor enforces.
    pub supervise: supervise::Spec,
    /// The command (`python -B -m MODULE ARGS` or `python SCRIPT ARGS`), its environment
    /// and folder, and, when
    /// `sandboxed`, the built-in sandbox's root.
    pub command: builtin::Spec,
    pub sandboxed: bool,
    /// Whether the results channel and its token come after stdin, stdout and stderr.
    pub channel: bool,
}

/// What the worker says.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Reply {
    /// Its interpreter is started and ready to fork.
    Ready,
    /// The check's supervisor started, with this pid.
    Started { pid: i32 },
    /// The check's supervisor ended with this wait status.
    Ended { status: i32 },
}

static PYTHON: OnceLock<Python> = OnceLock::new();

/// The signal dispositions of the started interpreter, as `python` has them after its start
/// (the supervisor's fork changes some, and an exec would have reset them).
static DISPOSITIONS: OnceLock<Dispositions> = OnceLock::new();

struct Dispositions(Vec<(nix::libc::c_int, nix::libc::sigaction)>);

// SAFETY: plain data (handler addresses, masks and flags) that is only read.
unsafe impl Sync for Dispositions {}
unsafe impl Send for Dispositions {}

impl Dispositions {
    fn now() -> Dispositions {
        let mut kept = Vec::new();
        for signal in 1..=nix::libc::SIGRTMAX() {
            if signal == nix::libc::SIGKILL || signal == nix::libc::SIGSTOP {
                continue;
            }
            // SAFETY: sigaction with no new action only writes the current one into `old`.
            let mut old: nix::libc::sigaction = unsafe { std::mem::zeroed() };
            if unsafe { nix::libc::sigaction(signal, std::ptr::null(), &mut old) } == 0 {
                kept.push((signal, old));
            }
        }
        Dispositions(kept)
    }

    fn restore(&self) {
        for (signal, action) in &self.0 {
            // SAFETY: puts back an action this process had.
            unsafe { nix::libc::sigaction(*signal, action, std::ptr::null_mut()) };
        }
    }
}

/// The interpreter of `python`: its shared library, from its own `sysconfig`, and whether it
/// runs in UTF-8 mode.
fn library_of(python: &Path) -> Result<PathBuf> {
    let script = "import os, sysconfig\n\
        shared = sysconfig.get_config_var('Py_ENABLE_SHARED')\n\
        name = sysconfig.get_config_var('INSTSONAME') or sysconfig.get_config_var('LDLIBRARY')\n\
        print(os.path.join(sysconfig.get_config_var('LIBDIR'), name) if shared else '')";
    let out = std::process::Command::new(python)
        .args(["-I", "-c", script])
        .output()
        .with_context(|| format!("could not run {}", python.display()))?;
    let library = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || library.is_empty() {
        bail!(
            "{} has no shared library to load (it was built without --enable-shared)",
            python.display()
        );
    }
    Ok(PathBuf::from(library))
}

/// `pygrade __zygote PYTHON MODULE...`. Returns when pygrade closes the socket.
pub(crate) fn run(python: &Path, modules: &[String]) -> Result<()> {
    // It ends when pygrade closes the socket, or exits (not by a parent-death signal, which
    // would come when the thread that started it ends, not pygrade).
    // SAFETY: the descriptor is handed to this process for it alone (see `mod.rs`).
    let socket = unsafe { OwnedFd::from_raw_fd(SOCKET_FD) };
    let library = library_of(python)?;
    let utf8 = std::env::var_os("PYTHONUTF8").is_some_and(|v| v == "1");
    let program = python.display().to_string();
    let mut preload = String::from("import sys, pygrade_graders.warm\n");
    for module in modules {
        preload.push_str(&format!("import {module}\n"));
    }
    preload.push_str(&format!(
        "if sys.executable != {program:?}:\n    raise SystemExit('the warm interpreter is ' + sys.executable + ', not {program}')\n"
    ));
    // Last, the runner's decoder for requests, and what is imported now frozen for good (see
    // `before_first_fork`).
    preload.push_str("pygrade_graders.warm.before_first_fork()\n");
    let python = Python::start(&library, python, utf8, &preload)?;
    PYTHON.get_or_init(|| python);
    DISPOSITIONS.get_or_init(Dispositions::now);
    send(&socket, Reply::Ready)?;
    loop {
        let Some((request, fds)) = receive(&socket)? else {
            return Ok(());
        };
        // SAFETY: this process has started no thread, so the child may run any code.
        match unsafe { nix::unistd::fork() }.context("could not fork a check's supervisor")? {
            ForkResult::Child => {
                drop(socket);
                supervise_one(request, fds)
            }
            ForkResult::Parent { child } => {
                drop(fds);
                send(
                    &socket,
                    Reply::Started {
                        pid: child.as_raw(),
                    },
                )?;
                let mut status = 0;
                // SAFETY: waitpid writes the status into a local integer.
                while unsafe { nix::libc::waitpid(child.as_raw(), &mut status, 0) } == -1 {
                    if nix::errno::Errno::last() != nix::errno::Errno::EINTR {
                        bail!("lost the check's supervisor");
                    }
                }
                send(&socket, Reply::Ended { status })?;
            }
        }
    }
}

/// The supervisor of one check, in a fork of the worker. Never returns.
fn supervise_one(request: Request, fds: Vec<OwnedFd>) -> ! {
    let outcome = place(fds).and_then(|()| {
        let call = || {
            let inherited: &[RawFd] = if request.channel {
                &[CHANNEL_FD, TOKEN_FD]
            } else {
                &[]
            };
            if request.sandboxed {
                builtin::enter(
                    request.command.clone(),
                    inherited,
                    Become::Call(become_python),
                )
            }
            let error = match std::env::set_current_dir(&request.command.cwd)
                .with_context(|| format!("could not enter {}", request.command.cwd.display()))
                .and_then(|()| become_python(&request.command))
            {
                Ok(never) => match never {},
                Err(e) => e,
            };
            eprintln!("pygrade: {error:#}");
            std::process::exit(126)
        };
        supervise::supervise(request.supervise.clone(), Start::Fork(&call))
    });
    match outcome {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("pygrade: {e:#}");
            std::process::exit(2)
        }
    }
}

/// Puts the check's descriptors at their numbers, and closes every other.
fn place(fds: Vec<OwnedFd>) -> Result<()> {
    // Above every target first, so that one move cannot overwrite another's source.
    let mut high = Vec::new();
    for fd in &fds {
        high.push(nix::fcntl::fcntl(
            fd,
            nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(10),
        )?);
    }
    drop(fds);
    for (&from, &to) in high.iter().zip(TARGETS.iter()) {
        // SAFETY: dup2 onto a number this process does not use otherwise; the copy stays open
        // across the calls to come.
        if unsafe { nix::libc::dup2(from, to) } == -1 {
            bail!("could not place a check's descriptor");
        }
    }
    let keep = &TARGETS[..high.len()];
    for fd in open_descriptors() {
        if !keep.contains(&fd) {
            let _ = nix::unistd::close(fd);
        }
    }
    Ok(())
}

/// The descriptors open in this process.
fn open_descriptors() -> Vec<RawFd> {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    let listed: Vec<RawFd> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .collect();
    listed
        .into_iter()
        // SAFETY: F_GETFD only asks about the number.
        .filter(|&fd| unsafe { nix::libc::fcntl(fd, nix::libc::F_GETFD) } != -1)
        .collect()
}

/// The command's process becomes `python [-B] -m MODULE ARGS` or `python SCRIPT ARGS`: as an
/// `exec` would, it closes the descriptors marked close-on-exec, then the interpreter runs the
/// module or the script (see `graders/pygrade_graders/warm.py`). Returns only with an error.
fn become_python(spec: &builtin::Spec) -> Result<Infallible> {
    for fd in open_descriptors() {
        // SAFETY: F_GETFD only asks about the number.
        let flags = unsafe { nix::libc::fcntl(fd, nix::libc::F_GETFD) };
        if fd > 2 && flags != -1 && flags & nix::libc::FD_CLOEXEC != 0 {
            let _ = nix::unistd::close(fd);
        }
    }
    let args: Vec<String> = spec
        .args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let env: serde_json::Map<String, serde_json::Value> = spec
        .env
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string_lossy().into_owned().into()))
        .collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    let request = match words.as_slice() {
        ["-B", "-m", module, rest @ ..] => {
            serde_json::json!({ "module": module, "args": rest, "env": env, "bytecode": false })
        }
        ["-m", module, rest @ ..] => {
            serde_json::json!({ "module": module, "args": rest, "env": env, "bytecode": true })
        }
        [script, rest @ ..] if !script.starts_with('-') => {
            serde_json::json!({ "script": script, "args": rest, "env": env })
        }
        _ => bail!(
            "a warm worker runs `python [-B] -m MODULE ...` or `python SCRIPT ...`, not {args:?}"
        ),
    };
    let hex: String = serde_json::to_vec(&request)?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let python = PYTHON.get().context("no interpreter in this warm worker")?;
    if let Some(dispositions) = DISPOSITIONS.get() {
        dispositions.restore();
    }
    python.after_fork();
    python.run(&format!("pygrade_graders.warm.main('{hex}')"))?;
    bail!("the warm runner returned without exiting")
}

fn send(socket: &OwnedFd, reply: Reply) -> Result<()> {
    let bytes = serde_json::to_vec(&reply)?;
    sendmsg::<()>(
        socket.as_raw_fd(),
        &[IoSlice::new(&bytes)],
        &[],
        MsgFlags::empty(),
        None,
    )
    .context("could not answer pygrade")?;
    Ok(())
}

/// The next request and its descriptors, or `None` once pygrade has closed the socket.
fn receive(socket: &OwnedFd) -> Result<Option<(Request, Vec<OwnedFd>)>> {
    let mut bytes = vec![0u8; MOST_BYTES];
    let mut space = nix::cmsg_space!([RawFd; 8]);
    let mut iov = [IoSliceMut::new(&mut bytes)];
    let message = recvmsg::<()>(
        socket.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )
    .context("could not read pygrade's request")?;
    let mut fds = Vec::new();
    for cmsg in message.cmsgs()? {
        if let ControlMessageOwned::ScmRights(received) = cmsg {
            // SAFETY: the kernel made these descriptors for this process.
            fds.extend(
                received
                    .into_iter()
                    .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) }),
            );
        }
    }
    let length = message.bytes;
    if length == 0 {
        return Ok(None);
    }
    let request: Request = serde_json::from_slice(&bytes[..length])
        .context("pygrade's request to its warm worker is not valid")?;
    let expected = if request.channel { 5 } else { 3 };
    if fds.len() != expected {
        bail!(
            "a request came with {} descriptors, not {expected}",
            fds.len()
        );
    }
    Ok(Some((request, fds)))
}

/// Sends `request` with its descriptors over `socket`.
pub(crate) fn send_request(socket: RawFd, request: &Request, fds: &[RawFd]) -> Result<()> {
    let bytes = serde_json::to_vec(request)?;
    sendmsg::<()>(
        socket,
        &[IoSlice::new(&bytes)],
        &[ControlMessage::ScmRights(fds)],
        MsgFlags::empty(),
        None,
    )
    .context("could not send a check to its warm worker")?;
    Ok(())
}

/// The worker's next reply, or `None` once it has ended.
pub(crate) fn read_reply(socket: RawFd) -> Result<Option<Reply>> {
    let mut bytes = [0u8; 256];
    let mut iov = [IoSliceMut::new(&mut bytes)];
    let length = recvmsg::<()>(socket, &mut iov, None, MsgFlags::empty())
        .context("could not hear from a warm worker")?
        .bytes;
    if length == 0 {
        return Ok(None);
    }
    Ok(Some(serde_json::from_slice(&bytes[..length]).context(
        "a warm worker said something that is not a reply",
    )?))
}
