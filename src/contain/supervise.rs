//! The supervisor: the small process between pygrade and each contained child.
//!
//! pygrade runs `pygrade __supervise ... -- PROGRAM ARGS` for every process of a check. The
//! supervisor makes itself a child subreaper, so whatever the learner's code forks, even a
//! daemon that left the process group with `setsid`, is re-parented to it rather than to init.
//! It starts the child in a new process group with its resource limits set, enforces the
//! wall-clock, CPU time, disk and memory limits itself (SIGTERM to the group, a grace period,
//! SIGKILL), counts the tree's processes and holds its memory in cgroups where it may make
//! them, and when the child has ended kills and reaps every process still below it. It
//! measures the tree as it runs, so that what it used is known however it ended. It writes how
//! the child ended, which limit it ran into and what it used to a file pygrade names, then
//! exits. It asks for SIGTERM when pygrade dies, and treats SIGTERM as "stop the child now".

use std::io::Write;
use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use nix::sys::signal::{self, SigHandler, Signal};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

use super::cgroup::{Cgroups, TreeCgroup};
use super::disk::Disk;
use super::limits::Limits;
use super::memory::{ADDRESS_SPACE_FACTOR, TreeMemory};
use super::tree::{LoadClock, Sample, children_of, sample, tasks_of_this_user};

/// How the supervised child ended, as the supervisor writes it for pygrade.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub(crate) struct Ending {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    /// The limit the supervisor stopped it for (not a stop pygrade asked for).
    pub limit: Option<Hit>,
    pub cpu_ms: u64,
    /// The largest resident set of any one process of the tree.
    pub max_rss_kb: u64,
    /// The most memory the whole tree held at once (see `memory.rs`).
    #[serde(default)]
    pub peak_memory_kb: u64,
    /// How long it ran on the clock its wall-clock limit is kept on (which does not count
    /// waiting for a busy core).
    #[serde(default)]
    pub clock_ms: u64,
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
    /// The tree held more memory than it may.
    Memory,
}

/// The supervised child: a process started from a program, or a fork of this one.
enum Child {
    Spawned(std::process::Child),
    Forked(Forked),
}

impl Child {
    fn id(&self) -> u32 {
        match self {
            Child::Spawned(child) => child.id(),
            Child::Forked(child) => child.pid.as_raw() as u32,
        }
    }

    /// Its status, once it has ended within `wait` (which a child's exit cuts short).
    fn wait_timeout(&mut self, wait: Duration) -> std::io::Result<Option<ExitStatus>> {
        match self {
            Child::Spawned(child) => child.wait_timeout(wait),
            Child::Forked(child) => child.wait_timeout(wait),
        }
    }

    fn wait(&mut self) -> std::io::Result<ExitStatus> {
        match self {
            Child::Spawned(child) => child.wait(),
            Child::Forked(child) => loop {
                if let Some(status) = child.wait_timeout(Duration::from_secs(3600))? {
                    return Ok(status);
                }
            },
        }
    }
}

/// A fork of this process, watched through a pidfd, so that its exit wakes a wait at once.
struct Forked {
    pid: Pid,
    pidfd: OwnedFd,
}

impl Forked {
    /// Forks; the child runs `prepare`, in a process group of its own, then `call`.
    fn start(prepare: impl Fn() -> std::io::Result<()>, call: &dyn Fn()) -> Result<Forked> {
        // The child says on this pipe that it is prepared (in its cgroups, under its limits),
        // as an exec that succeeded would.
        let (ready_reader, ready_writer) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
        // SAFETY: the caller has started no thread (a warm worker's fork, single-threaded), so
        // the child may run any code.
        match unsafe { nix::unistd::fork() }.context("could not fork the warm child")? {
            nix::unistd::ForkResult::Child => {
                drop(ready_reader);
                let ready = nix::unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0))
                    .map_err(std::io::Error::from)
                    .and_then(|()| prepare());
                if let Err(e) = ready {
                    eprintln!("pygrade: could not prepare the warm child: {e}");
                    std::process::exit(126);
                }
                let _ = nix::unistd::write(&ready_writer, b"1");
                drop(ready_writer);
                call();
                // A call that comes back had nothing to run.
                std::process::exit(126)
            }
            nix::unistd::ForkResult::Parent { child } => {
                drop(ready_writer);
                // One byte once prepared; nothing if it failed to prepare (its exit says why).
                let mut byte = [0u8; 1];
                let _ = nix::unistd::read(&ready_reader, &mut byte);
                drop(ready_reader);
                match pidfd(child.as_raw()) {
                    Ok(pidfd) => Ok(Forked { pid: child, pidfd }),
                    Err(error) => {
                        let _ = signal::kill(child, Signal::SIGKILL);
                        Err(error).context("could not watch the warm child (pidfd_open)")
                    }
                }
            }
        }
    }

    fn wait_timeout(&mut self, wait: Duration) -> std::io::Result<Option<ExitStatus>> {
        use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
        let timeout =
            PollTimeout::try_from(wait.as_millis().min(60_000) as i32).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(self.pidfd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
        let mut status = 0;
        // SAFETY: waitpid writes the status into a local integer.
        match unsafe { nix::libc::waitpid(self.pid.as_raw(), &mut status, nix::libc::WNOHANG) } {
            0 => Ok(None),
            -1 => Err(std::io::Error::last_os_error()),
            _ => {
                use std::os::unix::process::ExitStatusExt;
                Ok(Some(ExitStatus::from_raw(status)))
            }
        }
    }
}

/// A descriptor that becomes readable when process `pid` ends.
pub(crate) fn pidfd(pid: i32) -> std::io::Result<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor.
    let fd = unsafe { nix::libc::syscall(nix::libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the system call returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

/// What the supervisor is to do, handed to `pygrade __supervise` as one JSON argument: the
/// process's [`Limits`] as data, and where things are.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Spec {
    /// Only the limits that are set are enforced.
    pub limits: Limits,
    /// The cgroups the tree may get (where the system lets pygrade make them) for its process
    /// and memory limits: only where learner code runs, since joining one costs the child a
    /// wait.
    pub cgroups: Cgroups,
    /// Time between SIGTERM and SIGKILL, in milliseconds.
    pub grace_ms: u64,
    /// Folders whose growth counts toward the disk limit.
    pub watch: Vec<PathBuf>,
    /// Descriptors the child inherits (the results channel, bwrap's options) and the
    /// supervisor closes once the child has them, so that a channel ends with the child's tree.
    pub pass_fd: Vec<i32>,
    /// Where to write the [`Ending`].
    pub result: PathBuf,
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_: nix::libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// How often the wait wakes to notice a stop request and measure CPU time, memory and disk; a
/// child's exit wakes it at once.
const POLL: Duration = Duration::from_millis(50);

/// However busy the machine, a run ends once the wall clock reaches this many times its
/// wall-clock limit.
pub(super) const WALL_CEILING: u32 = 3;

/// `pygrade __supervise SPEC -- PROGRAM ARGS...`: supervises one process as `spec` (a
/// [`Spec`] in JSON) says.
pub(crate) fn run(spec: &str, command: &[String]) -> Result<()> {
    let args: Spec = serde_json::from_str(spec).context("the supervisor's spec is not valid")?;
    supervise(args, Start::Exec(command))
}

/// How the supervised child starts.
pub(crate) enum Start<'a> {
    /// It executes a program with its arguments.
    Exec(&'a [String]),
    /// It is a fork of this process that calls the function (which should not return): in a
    /// warm worker (`zygote/`), whose interpreter is already loaded.
    Fork(&'a dyn Fn()),
}

/// Supervises the child `start` makes as `args` says, and writes how it ended.
pub(crate) fn supervise(args: Spec, start: Start<'_>) -> Result<()> {
    let started = Instant::now();
    let limits = args.limits;
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
    // The child joins the cgroups before it runs anything, so that all it starts is in them.
    let mut cgroup = Some(TreeCgroup::create(
        limits.processes,
        limits.memory,
        args.cgroups,
    ));
    let join = cgroup
        .as_ref()
        .map(TreeCgroup::join_files)
        .unwrap_or_default();
    let rlimits = Rlimits::of(
        &limits,
        !cgroup.as_ref().is_some_and(TreeCgroup::counts_processes),
        !cgroup.as_ref().is_some_and(TreeCgroup::holds_memory),
    );
    let disk = limits.disk.map(|limit| Disk::new(&args.watch, limit));

    // Between fork and exec (or the call), so only system calls.
    let prepare = move || -> std::io::Result<()> {
        // Should the supervisor itself be killed outright, its child goes with it.
        #[cfg(target_os = "linux")]
        nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
        for procs in &join {
            join_cgroup(procs);
        }
        rlimits.apply()?;
        Ok(())
    };
    let spawned = match start {
        Start::Exec(command) => {
            let (program, rest) = command.split_first().context("nothing to supervise")?;
            let mut command = Command::new(program);
            command.args(rest).process_group(0);
            // SAFETY: prctl, setrlimit and the cgroup's write are plain system calls, safe
            // between fork and exec.
            unsafe { command.pre_exec(prepare) };
            command
                .spawn()
                .map(Child::Spawned)
                .with_context(|| format!("could not start {program}"))
        }
        Start::Fork(call) => Forked::start(prepare, call).map(Child::Forked),
    };
    for &fd in &args.pass_fd {
        // SAFETY: the descriptor was handed to this process for the child alone.
        drop(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) });
    }
    let mut child = spawned?;
    let group = Pid::from_raw(child.id() as i32);
    // A cgroup the child could not join counts nothing: the memory limit is then measured.
    if cgroup.as_mut().is_some_and(|c| !c.keep_joined(group)) {
        cgroup = None;
    }
    let mut memory = TreeMemory::new(limits.memory);
    // What the tree used, as last measured: figures that a killed tree, whose processes are
    // never waited for by their parents, leaves out of the kernel's own count.
    let mut seen = Seen::default();

    let mut ending = Ending::default();
    // Without a wall-clock limit the supervisor still ends a run after a day. The limit is
    // kept on a clock that does not count the time the tree waited for a core others held,
    // so a busy machine does not turn a run into a timeout; the wall clock itself still ends
    // it at WALL_CEILING times the limit.
    let timeout = limits.timeout.unwrap_or(Duration::from_secs(86_400));
    let ceiling = started + timeout * WALL_CEILING;
    let mut clock = LoadClock::new(Some(group));
    let grace = Duration::from_millis(args.grace_ms);
    // The limit the tree has run into, if any. A refused fork or thread counts at once, so a
    // bomb that keeps retrying is stopped now, not at the wall clock.
    let reached = |now: Instant, clock: &LoadClock, tree: &Sample, over_memory: bool| {
        if clock.elapsed() >= timeout || now >= ceiling {
            Some(Hit::Wall)
        } else if over_memory {
            Some(Hit::Memory)
        } else if disk.as_ref().is_some_and(|disk| disk.over(group)) {
            Some(Hit::Disk)
        } else if limits
            .cpu_time
            .is_some_and(|limit| u128::from(tree.cpu_ms) >= limit.as_millis())
        {
            Some(Hit::Cpu)
        } else {
            cgroup
                .as_ref()
                .is_some_and(TreeCgroup::processes_hit)
                .then_some(Hit::Processes)
        }
    };
    let status = loop {
        let now = Instant::now();
        clock.tick();
        let tree = sample(group);
        seen.take(&tree);
        let over_memory = memory.observe(&tree, cgroup.as_ref());
        if STOP.load(Ordering::SeqCst) {
            break stop_group(&mut child, group, grace)?;
        }
        if let Some(hit) = reached(now, &clock, &tree, over_memory) {
            ending.limit = Some(hit);
            break stop_group(&mut child, group, grace)?;
        }
        let left = timeout.saturating_sub(clock.elapsed());
        if let Some(status) = child.wait_timeout(POLL.min(left).max(Duration::from_millis(1)))? {
            break status;
        }
    };
    use std::os::unix::process::ExitStatusExt;
    clock.tick();
    ending.clock_ms = clock.elapsed().as_millis() as u64;
    ending.code = status.code();
    ending.signal = status.signal();
    kill_descendants(group);
    if ending.limit.is_none() {
        // The kernel may have killed for the memory limit between two looks.
        if cgroup.as_ref().is_some_and(TreeCgroup::processes_hit) {
            ending.limit = Some(Hit::Processes);
        } else if cgroup.as_ref().is_some_and(TreeCgroup::memory_hit) {
            ending.limit = Some(Hit::Memory);
        } else if disk.as_ref().is_some_and(|disk| disk.over(group)) {
            ending.limit = Some(Hit::Disk);
        }
    }

    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)?;
    let cpu = usage.user_time() + usage.system_time();
    let counted_ms = (cpu.tv_sec() * 1000 + cpu.tv_usec() / 1000) as u64;
    ending.cpu_ms = counted_ms.max(seen.cpu_ms);
    ending.max_rss_kb = (usage.max_rss() as u64).max(seen.largest_kib);
    ending.peak_memory_kb = memory.peak_kib(cgroup.as_ref()).max(ending.max_rss_kb);
    if let Some(cgroup) = cgroup {
        cgroup.remove();
    }

    result.write_all(&serde_json::to_vec(&ending)?)?;
    Ok(())
}

/// The resource limits the child starts with, worked out before the fork so that setting them
/// between fork and exec is nothing but system calls.
#[derive(Clone, Copy)]
struct Rlimits {
    address_space: Option<u64>,
    file_size: Option<u64>,
    open_files: Option<u64>,
    processes: Option<u64>,
}

impl Rlimits {
    /// `fallback_processes`: no cgroup counts the tree's processes, so RLIMIT_NPROC does what
    /// it can. It counts every process of the user, so the limit is the user's processes now
    /// plus the allowance (the root user is exempt from it altogether).
    /// `fallback_memory`: no cgroup holds the tree's memory, which the supervisor then
    /// measures; each process's address space is capped at a multiple of the tree's limit, a
    /// backstop for a process that fills memory faster than the supervisor looks.
    fn of(limits: &Limits, fallback_processes: bool, fallback_memory: bool) -> Rlimits {
        Rlimits {
            address_space: limits
                .memory
                .filter(|_| fallback_memory)
                .map(|bytes| bytes.saturating_mul(ADDRESS_SPACE_FACTOR)),
            file_size: limits.disk,
            open_files: limits.open_files.map(u64::from),
            processes: limits
                .processes
                .filter(|_| fallback_processes)
                .map(|allowed| u64::from(allowed) + tasks_of_this_user()),
        }
    }

    fn apply(self) -> std::io::Result<()> {
        use nix::sys::resource::{Resource, setrlimit};
        let pairs = [
            (Resource::RLIMIT_AS, self.address_space),
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

/// What a tree was last measured to have used (see [`Sample`]).
#[derive(Default)]
struct Seen {
    cpu_ms: u64,
    largest_kib: u64,
}

impl Seen {
    fn take(&mut self, tree: &Sample) {
        // The CPU time of a tree only grows, but a process that ends takes its own with it
        // until its parent waits for it: the most seen is the best figure.
        self.cpu_ms = self.cpu_ms.max(tree.cpu_ms);
        self.largest_kib = self.largest_kib.max(tree.largest_kib);
    }
}

/// Writes the calling process into the cgroup whose `cgroup.procs` file is `procs`. Between
/// fork and exec, so only system calls; a failure leaves it where it is (the supervisor then
/// sees that it did not join).
fn join_cgroup(procs: &std::ffi::CStr) {
    use nix::libc;
    // SAFETY: open, write and close are async-signal-safe system calls on a valid C string
    // and a buffer that outlives them.
    unsafe {
        let fd = libc::open(procs.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
        if fd >= 0 {
            libc::write(fd, b"0".as_ptr().cast(), 1);
            libc::close(fd);
        }
    }
}

/// TERM to the whole group, a grace period to exit cleanly, then KILL.
fn stop_group(child: &mut Child, group: Pid, grace: Duration) -> Result<std::process::ExitStatus> {
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
