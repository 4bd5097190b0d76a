//! The supervisor: the small process between pygrade and each contained child.
//!
//! pygrade runs `pygrade __supervise ... -- PROGRAM ARGS` for every process of a check. The
//! supervisor makes itself a child subreaper, so whatever the learner's code forks, even a
//! daemon that left the process group with `setsid`, is re-parented to it rather than to init.
//! It starts the child in a new process group, enforces the wall-clock limit (SIGTERM to the
//! group, a grace period, SIGKILL), and when the child has ended kills and reaps every process
//! still below it. It writes how the child ended to a file pygrade names, then exits.
//! It asks for SIGTERM when pygrade dies, and treats SIGTERM as "stop the child now".

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use nix::sys::signal::{self, SigHandler, Signal};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

/// How the supervised child ended, as the supervisor writes it for pygrade.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub(crate) struct Ending {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    /// The wall-clock limit ran out (not a stop pygrade asked for).
    pub timed_out: bool,
    pub cpu_ms: u64,
    pub max_rss_kb: u64,
}

pub(crate) struct Supervise {
    pub timeout: Duration,
    /// Address-space limit for the child, in bytes (RLIMIT_AS).
    pub memory_limit: Option<u64>,
    pub grace: Duration,
    pub result: PathBuf,
    pub command: Vec<String>,
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_: nix::libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// How often the wait wakes to notice a stop request; a child's exit wakes it at once.
const POLL: Duration = Duration::from_millis(50);

pub(crate) fn run(args: Supervise) -> Result<()> {
    let started = Instant::now();
    // Opened now and written at the end: if pygrade has given up on this run and removed the
    // file meanwhile, nothing is left behind.
    let mut result = std::fs::File::create(&args.result)
        .with_context(|| format!("could not create {}", args.result.display()))?;
    become_reaper();
    // TERM from pygrade, INT from a terminal's Ctrl-C, HUP from a closed terminal: each means
    // "stop the child now and clean up", never "die and leave it running".
    for stop in [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP] {
        // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
        unsafe { signal::signal(stop, SigHandler::Handler(request_stop)) }?;
    }

    let (program, rest) = args.command.split_first().context("nothing to supervise")?;
    let mut command = Command::new(program);
    command.args(rest).process_group(0);
    let memory_limit = args.memory_limit;
    // SAFETY: prctl and setrlimit are plain system calls, safe between fork and exec.
    unsafe {
        command.pre_exec(move || {
            // Should the supervisor itself be killed outright, its child goes with it.
            #[cfg(target_os = "linux")]
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
            if let Some(bytes) = memory_limit {
                use nix::sys::resource::{Resource, setrlimit};
                setrlimit(Resource::RLIMIT_AS, bytes, bytes)?;
            }
            Ok(())
        });
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("could not start {program}"))?;
    let group = Pid::from_raw(child.id() as i32);

    let mut ending = Ending::default();
    let deadline = started + args.timeout;
    let status = loop {
        let now = Instant::now();
        if STOP.load(Ordering::SeqCst) || now >= deadline {
            ending.timed_out = !STOP.load(Ordering::SeqCst);
            break stop_group(&mut child, group, args.grace)?;
        }
        if let Some(status) = child.wait_timeout(POLL.min(deadline - now))? {
            break status;
        }
    };
    use std::os::unix::process::ExitStatusExt;
    ending.code = status.code();
    ending.signal = status.signal();
    kill_descendants(group);

    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)?;
    let cpu = usage.user_time() + usage.system_time();
    ending.cpu_ms = (cpu.tv_sec() * 1000 + cpu.tv_usec() / 1000) as u64;
    ending.max_rss_kb = usage.max_rss() as u64;

    result.write_all(&serde_json::to_vec(&ending)?)?;
    Ok(())
}

/// TERM to the whole group, a grace period to exit cleanly, then KILL.
fn stop_group(
    child: &mut std::process::Child,
    group: Pid,
    grace: Duration,
) -> Result<std::process::ExitStatus> {
    let _ = signal::killpg(group, Signal::SIGTERM);
    if let Some(status) = child.wait_timeout(grace)? {
        return Ok(status);
    }
    let _ = signal::killpg(group, Signal::SIGKILL);
    Ok(child.wait()?)
}

#[cfg(target_os = "linux")]
fn become_reaper() {
    // Orphans below us come to us instead of init, so none can outlive the check.
    let _ = nix::sys::prctl::set_child_subreaper(true);
    // If pygrade dies, we are told to stop, and we take the child down with us.
    let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGTERM);
}

#[cfg(not(target_os = "linux"))]
fn become_reaper() {}

/// Kills the child's group and then every process still below the supervisor, until none is
/// left. As each one dies its own children are re-parented to us, so the loop walks down the
/// tree. Bounded (about a second), so a pathological tree cannot hold the supervisor forever.
fn kill_descendants(group: Pid) {
    use nix::errno::Errno;
    use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};

    let _ = signal::killpg(group, Signal::SIGKILL);
    let me = nix::unistd::getpid();
    for _ in 0..400 {
        // Reap what has ended; with nothing left below us the check is clean. This comes
        // first so that the usual case, no process left, costs no scan of /proc.
        loop {
            match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => break,
                Ok(_) => continue,
                Err(Errno::ECHILD) => return,
                Err(_) => break,
            }
        }
        for pid in children_of(me) {
            let _ = signal::kill(pid, Signal::SIGKILL);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The processes whose parent is `parent`, read from /proc.
fn children_of(parent: Pid) -> Vec<Pid> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pid: i32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
            let after = &stat[stat.rfind(')')? + 1..];
            let ppid: i32 = after.split_whitespace().nth(1)?.parse().ok()?;
            (ppid == parent.as_raw()).then(|| Pid::from_raw(pid))
        })
        .collect()
}
