//! The supervisor: the small process between pygrade and each contained child.
//!
//! pygrade runs `pygrade __supervise ... -- PROGRAM ARGS` for every process of a check. The
//! supervisor makes itself a child subreaper, so whatever the learner's code forks, even a
//! daemon that left the process group with `setsid`, is re-parented to it rather than to init.
//! It starts the child in a new process group with its resource limits set, enforces the
//! wall-clock and disk limits itself (SIGTERM to the group, a grace period, SIGKILL), counts
//! the tree's processes in a pids cgroup where it may make one, and when the child has ended
//! kills and reaps every process still below it. It writes how the child ended, and which
//! limit it ran into, to a file pygrade names, then exits. It asks for SIGTERM when pygrade
//! dies, and treats SIGTERM as "stop the child now".

use std::io::Write;
use std::os::fd::FromRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
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
    /// The limit the supervisor stopped it for (not a stop pygrade asked for).
    pub limit: Option<Hit>,
    pub cpu_ms: u64,
    pub max_rss_kb: u64,
}

/// A limit the supervisor saw the child's tree run into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Hit {
    /// The wall clock ran out.
    Wall,
    /// The tree used up its CPU time.
    Cpu,
    /// The watched folders grew past the disk limit.
    Disk,
    /// A process or thread could not start because the tree had as many as it may.
    Processes,
}

/// `pygrade __supervise`: its options are the limits of one process (see `runner::limits`).
#[derive(Debug, clap::Args)]
pub(crate) struct Supervise {
    /// Wall-clock limit, in milliseconds.
    #[arg(long)]
    pub timeout_ms: u64,
    /// Time between SIGTERM and SIGKILL, in milliseconds.
    #[arg(long)]
    pub grace_ms: u64,
    /// CPU time of the whole tree, in milliseconds, measured as it runs.
    #[arg(long)]
    pub cpu_ms: Option<u64>,
    /// Address space of each process, in bytes (RLIMIT_AS).
    #[arg(long)]
    pub memory: Option<u64>,
    /// Processes and threads of the tree at once (a pids cgroup, else RLIMIT_NPROC).
    #[arg(long)]
    pub processes: Option<u32>,
    /// Bytes the tree may add to the `--watch` folders; also the largest file (RLIMIT_FSIZE).
    #[arg(long)]
    pub disk: Option<u64>,
    /// Folders whose growth counts toward `--disk`.
    #[arg(long)]
    pub watch: Vec<PathBuf>,
    /// Open files of each process (RLIMIT_NOFILE).
    #[arg(long)]
    pub open_files: Option<u64>,
    /// Descriptors the child inherits (the results channel, bwrap's options) and the
    /// supervisor closes once the child has them, so that a channel ends with the child's tree.
    #[arg(long)]
    pub pass_fd: Vec<i32>,
    /// Where to write the [`Ending`].
    #[arg(long)]
    pub result: PathBuf,
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_: nix::libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// How often the wait wakes to notice a stop request and measure CPU time and disk; a child's
/// exit wakes it at once.
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
    // The supervisor joins the cgroup first, so that the child and all it starts are in it.
    let cgroup = args.processes.and_then(PidsCgroup::create);
    let rlimits = Rlimits::of(&args, cgroup.is_none());
    let disk = args.disk.map(|limit| Disk::new(&args.watch, limit));

    let (program, rest) = args.command.split_first().context("nothing to supervise")?;
    let mut command = Command::new(program);
    command.args(rest).process_group(0);
    // SAFETY: prctl and setrlimit are plain system calls, safe between fork and exec.
    unsafe {
        command.pre_exec(move || {
            // Should the supervisor itself be killed outright, its child goes with it.
            #[cfg(target_os = "linux")]
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
            rlimits.apply()?;
            Ok(())
        });
    }
    let spawned = command.spawn();
    for &fd in &args.pass_fd {
        // SAFETY: the descriptor was handed to this process for the child alone.
        drop(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) });
    }
    let mut child = spawned.with_context(|| format!("could not start {program}"))?;
    let group = Pid::from_raw(child.id() as i32);

    let mut ending = Ending::default();
    let deadline = started + Duration::from_millis(args.timeout_ms);
    let grace = Duration::from_millis(args.grace_ms);
    // The limit the tree has run into, if any. A refused fork or thread counts at once, so a
    // bomb that keeps retrying is stopped now, not at the wall clock.
    let reached = |now: Instant| -> Option<Hit> {
        if now >= deadline {
            Some(Hit::Wall)
        } else if disk.as_ref().is_some_and(|disk| disk.over(group)) {
            Some(Hit::Disk)
        } else if args.cpu_ms.is_some_and(|limit| tree_cpu_ms(group) >= limit) {
            Some(Hit::Cpu)
        } else {
            cgroup
                .as_ref()
                .is_some_and(PidsCgroup::was_hit)
                .then_some(Hit::Processes)
        }
    };
    let status = loop {
        let now = Instant::now();
        if STOP.load(Ordering::SeqCst) {
            break stop_group(&mut child, group, grace)?;
        }
        if let Some(hit) = reached(now) {
            ending.limit = Some(hit);
            break stop_group(&mut child, group, grace)?;
        }
        if let Some(status) = child.wait_timeout(POLL.min(deadline - now))? {
            break status;
        }
    };
    use std::os::unix::process::ExitStatusExt;
    ending.code = status.code();
    ending.signal = status.signal();
    kill_descendants(group);
    if ending.limit.is_none() {
        if cgroup.as_ref().is_some_and(PidsCgroup::was_hit) {
            ending.limit = Some(Hit::Processes);
        } else if disk.as_ref().is_some_and(|disk| disk.over(group)) {
            ending.limit = Some(Hit::Disk);
        }
    }

    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)?;
    let cpu = usage.user_time() + usage.system_time();
    ending.cpu_ms = (cpu.tv_sec() * 1000 + cpu.tv_usec() / 1000) as u64;
    ending.max_rss_kb = usage.max_rss() as u64;

    result.write_all(&serde_json::to_vec(&ending)?)?;
    Ok(())
}

/// The resource limits the child starts with, worked out before the fork so that setting them
/// between fork and exec is nothing but system calls.
#[derive(Clone, Copy)]
struct Rlimits {
    memory: Option<u64>,
    file_size: Option<u64>,
    open_files: Option<u64>,
    processes: Option<u64>,
}

impl Rlimits {
    /// `fallback_processes`: no cgroup counts the tree's processes, so RLIMIT_NPROC does what
    /// it can. It counts every process of the user, so the limit is the user's processes now
    /// plus the allowance (the root user is exempt from it altogether).
    fn of(args: &Supervise, fallback_processes: bool) -> Rlimits {
        Rlimits {
            memory: args.memory,
            file_size: args.disk,
            open_files: args.open_files,
            processes: args
                .processes
                .filter(|_| fallback_processes)
                .map(|allowed| u64::from(allowed) + tasks_of_this_user()),
        }
    }

    fn apply(self) -> std::io::Result<()> {
        use nix::sys::resource::{Resource, setrlimit};
        let pairs = [
            (Resource::RLIMIT_AS, self.memory),
            (Resource::RLIMIT_FSIZE, self.file_size),
            (Resource::RLIMIT_NOFILE, self.open_files),
            (Resource::RLIMIT_NPROC, self.processes),
        ];
        for (resource, limit) in pairs {
            if let Some(limit) = limit {
                setrlimit(resource, limit, limit)?;
            }
        }
        Ok(())
    }
}

/// The tasks (processes and threads) of the user this process runs as, from /proc.
fn tasks_of_this_user() -> u64 {
    let uid = nix::unistd::getuid().as_raw().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("status")).ok())
        .filter(|status| {
            field(status, "Uid:").is_some_and(|ids| ids.split_whitespace().next() == Some(&uid))
        })
        .filter_map(|status| field(&status, "Threads:")?.trim().parse::<u64>().ok())
        .sum()
}

fn field<'s>(status: &'s str, name: &str) -> Option<&'s str> {
    status.lines().find_map(|line| line.strip_prefix(name))
}

/// A pids cgroup holding the supervisor and its child's tree, where pygrade may make one (as
/// root, or in a delegated cgroup v2 subtree). It counts threads as well as processes, and it
/// records each fork it refused, which is how `process-limit` is told apart from a crash.
pub(crate) struct PidsCgroup {
    dir: PathBuf,
}

impl PidsCgroup {
    /// How the process limit is enforced here, in words for `pygrade doctor`.
    pub(crate) fn describe_here() -> String {
        let probe = Self::parent().map(|p| p.join(format!("pygrade-probe-{}", std::process::id())));
        if probe.is_some_and(|dir| {
            std::fs::create_dir(&dir).is_ok() && std::fs::remove_dir(&dir).is_ok()
        }) {
            "a pids cgroup per process tree: process-limit is exact".into()
        } else if nix::unistd::getuid().is_root() {
            "none: no pids cgroup can be made here, and RLIMIT_NPROC does not bind the root user (run as another user, or where /sys/fs/cgroup is writable)".into()
        } else {
            "RLIMIT_NPROC (approximate: counts every process of the user; a pids cgroup, where /sys/fs/cgroup is writable, is exact)".into()
        }
    }

    /// The cgroup this process is in, in the hierarchy that has the pids controller.
    fn parent() -> Option<PathBuf> {
        let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
        // cgroup v1 names the controller (`8:pids:/path`); v2 has one line (`0::/path`).
        let (base, path) = own
            .lines()
            .find_map(|line| {
                let (_, rest) = line.split_once(':')?;
                let (controllers, path) = rest.split_once(':')?;
                controllers
                    .split(',')
                    .any(|c| c == "pids")
                    .then_some(("/sys/fs/cgroup/pids", path))
            })
            .or_else(|| {
                let path = own.lines().find_map(|line| line.strip_prefix("0::"))?;
                Some(("/sys/fs/cgroup", path))
            })?;
        Some(Path::new(base).join(path.trim_start_matches('/')))
    }

    /// The cgroup of the supervisor with process id `pid`.
    fn of(parent: &Path, pid: u32) -> PathBuf {
        parent.join(format!("pygrade-{pid}"))
    }

    /// A new cgroup that this process (the supervisor) joins, for its child to start in. The
    /// supervisor never leaves it: moving a process between cgroups costs a wait of the
    /// kernel's (an RCU grace period, some 10 ms) each time. pygrade removes the cgroup once
    /// the supervisor has exited ([`PidsCgroup::remove_after`]).
    fn create(allowed: u32) -> Option<PidsCgroup> {
        let parent = Self::parent()?;
        let dir = Self::of(&parent, std::process::id());
        std::fs::create_dir(&dir).ok()?;
        // One more than allowed: the supervisor is in it too.
        let joined = std::fs::write(dir.join("pids.max"), (allowed + 1).to_string())
            .and_then(|()| std::fs::write(dir.join("cgroup.procs"), "0"));
        if joined.is_err() {
            let _ = std::fs::remove_dir(&dir);
            return None;
        }
        Some(PidsCgroup { dir })
    }

    /// Removes the cgroup of a supervisor that has exited and been waited for, and any that
    /// supervisors killed outright left behind.
    pub(crate) fn remove_after(supervisor: u32) {
        if let Some(parent) = Self::parent() {
            let _ = std::fs::remove_dir(Self::of(&parent, supervisor));
            remove_stale(&parent);
        }
    }

    /// Whether a fork or a new thread was refused for the limit.
    fn was_hit(&self) -> bool {
        std::fs::read_to_string(self.dir.join("pids.events")).is_ok_and(|events| {
            field(&events, "max ").is_some_and(|n| n.trim().parse::<u64>().unwrap_or(0) > 0)
        })
    }
}

/// Removes the empty cgroups of supervisors that are gone.
fn remove_stale(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("pygrade-")) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            // Fails, harmlessly, while anything is still in it.
            let _ = std::fs::remove_dir(entry.path());
        }
    }
}

/// The disk a tree has written: what the watched folders hold beyond what they held at the
/// start, plus the files its processes hold open after deleting them (a temporary file, a
/// memfd), which no folder shows. Each file or folder counts for at least one 4 KiB block, so
/// a flood of empty files runs into the limit too, and the walk stays bounded.
struct Disk {
    folders: Vec<PathBuf>,
    baseline: u64,
    limit: u64,
}

impl Disk {
    fn new(folders: &[PathBuf], limit: u64) -> Disk {
        let mut disk = Disk {
            folders: folders.to_vec(),
            baseline: 0,
            limit,
        };
        disk.baseline = disk.in_folders();
        disk
    }

    fn in_folders(&self) -> u64 {
        let cap = self.baseline + self.limit + 1;
        let mut total = 0;
        for entry in self
            .folders
            .iter()
            .flat_map(|folder| walkdir::WalkDir::new(folder).min_depth(1))
            .flatten()
        {
            if let Ok(meta) = entry.metadata() {
                total += footprint(&meta);
            }
            if total > cap {
                break;
            }
        }
        total
    }

    /// Files that the processes of the tree under `root` hold open but that no longer have a
    /// name.
    fn deleted_but_open(root: Pid) -> u64 {
        use std::os::unix::fs::MetadataExt;
        let mut seen = std::collections::HashSet::new();
        let mut total = 0;
        for pid in tree(root) {
            let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
                continue;
            };
            for fd in fds.flatten() {
                // The link leads to the open file itself, named or not.
                let Ok(meta) = std::fs::metadata(fd.path()) else {
                    continue;
                };
                if meta.is_file() && meta.nlink() == 0 && seen.insert((meta.dev(), meta.ino())) {
                    total += footprint(&meta);
                }
            }
        }
        total
    }

    fn over(&self, root: Pid) -> bool {
        let named = self.in_folders().saturating_sub(self.baseline);
        // The cheaper count first: most of the time it settles the question.
        named > self.limit || named + Self::deleted_but_open(root) > self.limit
    }
}

fn footprint(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    (meta.blocks() * 512).max(4096)
}

/// The CPU time, in milliseconds, that the tree under `root` has used: each live process's
/// own, and that of the children it has waited for. (Not RLIMIT_CPU: on some kernels an armed
/// CPU timer slows every Python start-up and coarsens the process's own CPU clock.)
fn tree_cpu_ms(root: Pid) -> u64 {
    let ticks_per_second = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100)
        .max(1) as u64;
    let ticks: u64 = tree(root)
        .into_iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            // After `pid (comm)`: state is field 3, utime, stime, cutime, cstime are 14 to 17.
            let after = &stat[stat.rfind(')')? + 1..];
            let fields: Vec<&str> = after.split_whitespace().collect();
            let sum: u64 = fields
                .get(11..15)?
                .iter()
                .filter_map(|f| f.parse::<u64>().ok())
                .sum();
            Some(sum)
        })
        .sum();
    ticks * 1000 / ticks_per_second
}

/// `root` and every process below it, from each task's `children` in /proc.
fn tree(root: Pid) -> Vec<i32> {
    let mut found = vec![root.as_raw()];
    let mut next = 0;
    while next < found.len() && found.len() < 4096 {
        let pid = found[next];
        next += 1;
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            if let Ok(children) = std::fs::read_to_string(task.path().join("children")) {
                found.extend(
                    children
                        .split_whitespace()
                        .filter_map(|c| c.parse::<i32>().ok()),
                );
            }
        }
    }
    found
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
