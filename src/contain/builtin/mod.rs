//! The built-in sandbox: namespaces, a new root, seccomp and Landlock, made by pygrade itself,
//! with nothing to install.
//!
//! The supervisor starts `/proc/self/exe __sandbox` (this very binary, under a name that
//! shows nothing of the caller), with a [`Spec`] to read on descriptor [`SPEC_FD`]. That
//! process enters new user, mount, pid, network, ipc, uts and (where the kernel has them)
//! cgroup namespaces. Inside, the caller's user and group are the same numbers, except root,
//! which becomes 1000: learner code never runs as root inside, so it keeps no capability past
//! `exec`. It then forks the sandbox's process 1 and only waits: it passes on the signals it
//! gets, and ends as the learner's command ended (the same code, or the same signal).
//!
//! Process 1, pygrade's small init, dies with its parent, and makes itself unreadable to the
//! processes it starts (its memory, environment and descriptors; its command line is just
//! `/proc/self/exe __sandbox`). It builds the new root (`mounts.rs`), names the host
//! `sandbox`, and forks the command, which starts a new session (no terminal to push input
//! into), takes the job's folder as its working folder, restricts itself with Landlock
//! (`landlock.rs`) and seccomp (`seccomp.rs`), and executes the learner's command with exactly
//! its environment. Process 1 then reaps every orphan and passes signals on to the command's
//! process group; once the command has ended, it kills whatever is left in the sandbox and
//! tells its parent how the command ended.
//!
//! The network namespace has only a loopback interface, down: there is no network at all.

mod landlock;
mod mounts;
mod seccomp;

use std::convert::Infallible;
use std::ffi::{CString, OsString};
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use nix::errno::Errno;
use nix::sched::CloneFlags;
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid};
use serde::{Deserialize, Serialize};

pub(crate) use mounts::Root;

/// The descriptor the sandbox reads its [`Spec`] from.
pub(crate) const SPEC_FD: RawFd = 4;
/// How the sandbox exits when it could not be made (the reason is on its stderr).
pub(crate) const BROKEN: i32 = 125;
/// How it exits when the command could not be executed, or not found (as shells do).
const NOT_EXECUTABLE: i32 = 126;
const NOT_FOUND: i32 = 127;
/// The user and group learner code runs as inside when the caller is root.
const INSIDE_FOR_ROOT: u32 = 1000;
/// The signals passed on to the command: those that ask a program to stop or to act.
const FORWARDED: &[Signal] = &[
    Signal::SIGTERM,
    Signal::SIGINT,
    Signal::SIGHUP,
    Signal::SIGQUIT,
    Signal::SIGUSR1,
    Signal::SIGUSR2,
];

/// What to run in the sandbox, and what it sees.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Spec {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// The command's whole environment.
    pub env: Vec<(String, OsString)>,
    pub cwd: PathBuf,
    pub root: Root,
    /// Instead of running the command, print the [`Layers`] in force, as JSON.
    #[serde(default)]
    pub probe: bool,
}

/// The layers of the built-in sandbox in force on this machine, as a probe found them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Layers {
    /// The namespaces made, by their usual names.
    pub namespaces: Vec<String>,
    /// Whether the seccomp filter is installed (there is one for x86-64, arm64 and riscv64).
    pub seccomp: bool,
    /// The Landlock ABI in force, where the kernel has Landlock.
    pub landlock: Option<u8>,
}

impl Layers {
    /// The system calls the seccomp filter refuses outright, for `pygrade doctor`.
    pub(crate) fn refused_calls() -> Vec<&'static str> {
        seccomp::DENIED.iter().map(|(name, _)| *name).collect()
    }
}

/// What the sandbox's command process does once it is restricted.
#[derive(Clone, Copy)]
pub(crate) enum Become {
    /// It executes the [`Spec`]'s program.
    Exec,
    /// It calls the function, which never returns: in a warm worker's fork, whose
    /// interpreter runs the command without executing it afresh (see `zygote.rs`).
    Call(fn(&Spec) -> Result<Infallible>),
}

/// `pygrade __sandbox`: runs the command of the [`Spec`] on [`SPEC_FD`] in the sandbox and
/// ends as it ended. This process only waits; it never returns.
pub(crate) fn run() -> ! {
    let inherited = inherited_descriptors();
    match read_spec() {
        Ok(spec) => enter(spec, &inherited, Become::Exec),
        Err(e) => {
            eprintln!("pygrade: the built-in sandbox could not start: {e:#}");
            std::process::exit(BROKEN)
        }
    }
}

/// Runs the command of `spec` in the sandbox, the command process becoming what `then` says,
/// and ends as it ended. `inherited`: the descriptors beyond the standard three that are the
/// command's alone. The calling process must have started no thread.
pub(crate) fn enter(spec: Spec, inherited: &[RawFd], then: Become) -> ! {
    match outer(spec, inherited, then) {
        Ok(never) => match never {},
        Err(e) => {
            eprintln!("pygrade: the built-in sandbox could not start: {e:#}");
            std::process::exit(BROKEN)
        }
    }
}

/// The sandbox's first process, outside its pid namespace.
fn outer(spec: Spec, inherited: &[RawFd], then: Become) -> Result<Infallible> {
    // Blocked here and in process 1, which take them with `sigwait`; the command unblocks them.
    signals().thread_block()?;
    let namespaces = enter_namespaces()?;
    // Process 1 tells how the command ended on this pipe; closed on exec, so that no learner
    // process holds it.
    let (reader, writer) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)?;
    // SAFETY: this process has started no thread, so the child may run any code.
    match unsafe { nix::unistd::fork() }.context("could not start the sandbox's process 1")? {
        ForkResult::Child => {
            drop(reader);
            init(&spec, namespaces, writer, inherited, then)
        }
        ForkResult::Parent { child } => {
            drop(writer);
            close_all(inherited);
            let ended = wait_for(child, reader)?;
            mirror(ended)
        }
    }
}

/// The descriptors this process was started with beyond the standard three and the spec's:
/// the command's (a results channel and its token), which the sandbox's own processes close.
pub(crate) fn inherited_descriptors() -> Vec<RawFd> {
    let listed: Vec<RawFd> = match std::fs::read_dir("/proc/self/fd") {
        Ok(entries) => entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<RawFd>().ok())
            .collect(),
        Err(_) => return Vec::new(),
    };
    // The listing's own descriptor is closed by now: only those still open were inherited.
    listed
        .into_iter()
        .filter(|&fd| fd > 2 && fd != SPEC_FD)
        // SAFETY: F_GETFD only asks about the number; it takes no ownership and no memory.
        .filter(|&fd| unsafe { nix::libc::fcntl(fd, nix::libc::F_GETFD) } != -1)
        .collect()
}

fn close_all(fds: &[RawFd]) {
    for &fd in fds {
        // Some were never open (the listing's own descriptor): nothing to undo then.
        let _ = nix::unistd::close(fd);
    }
}

fn read_spec() -> Result<Spec> {
    // SAFETY: the descriptor is handed to this process for it alone (see `Sandbox::wrap`);
    // if it is not open, the read below fails.
    let mut file = unsafe { std::fs::File::from_raw_fd(SPEC_FD) };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .context("`pygrade __sandbox` is pygrade's own: it reads what to run on descriptor 4")?;
    serde_json::from_slice(&bytes).context("the sandbox's spec is not valid")
}

/// The signals this process and process 1 wait for: those passed on, and a child's end.
fn signals() -> SigSet {
    let mut set = SigSet::empty();
    for &signal in FORWARDED {
        set.add(signal);
    }
    set.add(Signal::SIGCHLD);
    set
}

/// Enters the new namespaces, with the caller's user mapped inside. Their names.
fn enter_namespaces() -> Result<Vec<String>> {
    let all = [
        (CloneFlags::CLONE_NEWUSER, "user"),
        (CloneFlags::CLONE_NEWNS, "mount"),
        (CloneFlags::CLONE_NEWPID, "pid"),
        (CloneFlags::CLONE_NEWNET, "network"),
        (CloneFlags::CLONE_NEWIPC, "ipc"),
        (CloneFlags::CLONE_NEWUTS, "uts"),
        (CloneFlags::CLONE_NEWCGROUP, "cgroup"),
    ];
    // Before the new user namespace, where they read as the overflow ids until mapped.
    let uid = nix::unistd::getuid().as_raw();
    let gid = nix::unistd::getgid().as_raw();
    let flags = |with_cgroup: bool| {
        all.iter()
            .filter(|(flag, _)| with_cgroup || *flag != CloneFlags::CLONE_NEWCGROUP)
            .fold(CloneFlags::empty(), |flags, (flag, _)| flags | *flag)
    };
    // A kernel without cgroup namespaces refuses the flag as unknown.
    let with_cgroup = match nix::sched::unshare(flags(true)) {
        Ok(()) => true,
        Err(Errno::EINVAL) => {
            nix::sched::unshare(flags(false)).context("could not create the namespaces")?;
            false
        }
        Err(e) => return Err(e).context("could not create the namespaces"),
    };
    let inside = |id: u32| if id == 0 { INSIDE_FOR_ROOT } else { id };
    // An unprivileged process may map its group only once it gave up setgroups (which could
    // otherwise drop a group that denies it access).
    std::fs::write("/proc/self/setgroups", "deny")
        .context("could not write /proc/self/setgroups")?;
    std::fs::write("/proc/self/gid_map", format!("{} {gid} 1\n", inside(gid)))
        .context("could not map the group into the sandbox")?;
    std::fs::write("/proc/self/uid_map", format!("{} {uid} 1\n", inside(uid)))
        .context("could not map the user into the sandbox")?;
    Ok(all
        .iter()
        .filter(|(flag, _)| with_cgroup || *flag != CloneFlags::CLONE_NEWCGROUP)
        .map(|(_, name)| name.to_string())
        .collect())
}

/// How the command ended: an exit code, or the signal that ended it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    Code(i32),
    Signal(i32),
}

impl Ended {
    fn of(status: WaitStatus) -> Option<Ended> {
        match status {
            WaitStatus::Exited(_, code) => Some(Ended::Code(code)),
            WaitStatus::Signaled(_, signal, _) => Some(Ended::Signal(signal as i32)),
            _ => None,
        }
    }

    /// Four bytes for the pipe to the first process: a code, or minus a signal.
    fn to_bytes(self) -> [u8; 4] {
        match self {
            Ended::Code(code) => code,
            Ended::Signal(signal) => -signal,
        }
        .to_ne_bytes()
    }

    fn from_bytes(bytes: [u8; 4]) -> Ended {
        match i32::from_ne_bytes(bytes) {
            signal if signal < 0 => Ended::Signal(-signal),
            code => Ended::Code(code),
        }
    }
}

/// Waits for process 1, passing it the signals this process gets; how the command ended (or,
/// if process 1 could not tell, how process 1 did).
fn wait_for(init: Pid, report: OwnedFd) -> Result<Ended> {
    let mut report = std::fs::File::from(report);
    let set = signals();
    loop {
        match set.wait()? {
            Signal::SIGCHLD => match waitpid(init, Some(WaitPidFlag::WNOHANG))? {
                WaitStatus::StillAlive => {}
                status => {
                    let Some(own) = Ended::of(status) else {
                        continue;
                    };
                    let mut bytes = [0u8; 4];
                    let told = report.read_exact(&mut bytes).is_ok();
                    return Ok(if told { Ended::from_bytes(bytes) } else { own });
                }
            },
            signal => {
                let _ = nix::sys::signal::kill(init, signal);
            }
        }
    }
}

/// Ends this process as the command ended: with its code, or killed by its signal.
fn mirror(ended: Ended) -> ! {
    if let Ended::Signal(number) = ended
        && let Ok(signal) = Signal::try_from(number)
    {
        use nix::sys::resource::{Resource, setrlimit};
        // The command's core dump, if any, was its own; this process leaves none.
        let _ = setrlimit(Resource::RLIMIT_CORE, 0, 0);
        // SAFETY: the default action installs no handler.
        let _ = unsafe { nix::sys::signal::signal(signal, nix::sys::signal::SigHandler::SigDfl) };
        let mut only = SigSet::empty();
        only.add(signal);
        let _ = only.thread_unblock();
        let _ = nix::sys::signal::raise(signal);
    }
    std::process::exit(match ended {
        Ended::Code(code) => code,
        Ended::Signal(signal) => 128 + signal,
    })
}

/// The sandbox's process 1. Never returns.
fn init(
    spec: &Spec,
    namespaces: Vec<String>,
    report: OwnedFd,
    inherited: &[RawFd],
    then: Become,
) -> ! {
    let command = match start(spec, namespaces, then) {
        Ok(command) => command,
        Err(e) => {
            eprintln!("pygrade: the built-in sandbox could not start: {e:#}");
            std::process::exit(BROKEN)
        }
    };
    // Only the command needs the descriptors it was given: its channel ends with its tree.
    close_all(inherited);
    let ended = reap(command);
    let _ = std::fs::File::from(report).write_all(&ended.to_bytes());
    std::process::exit(0)
}

/// Sets the sandbox up from process 1 and starts the command in it.
fn start(spec: &Spec, namespaces: Vec<String>, then: Become) -> Result<Pid> {
    // Should the first process die, process 1 goes, and the kernel ends all in the sandbox.
    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
    // Learner processes, though the same user, may not read this one's memory, environment
    // or descriptors through /proc.
    nix::sys::prctl::set_dumpable(false)?;
    spec.root.build()?;
    nix::unistd::sethostname("sandbox").context("could not name the sandbox's host")?;
    // SAFETY: this process is a fork of a process without threads, and has started none.
    match unsafe { nix::unistd::fork() }.context("could not start the command")? {
        ForkResult::Child => command(spec, namespaces, then),
        ForkResult::Parent { child } => Ok(child),
    }
}

/// Reaps every process that ends in the sandbox and passes signals on to the command's group
/// until the command has ended; then kills everything left. How the command ended.
fn reap(command: Pid) -> Ended {
    let set = signals();
    loop {
        match set.wait() {
            Ok(Signal::SIGCHLD) => {
                let mut ended = None;
                loop {
                    match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                        Ok(status) if status.pid() == Some(command) => {
                            ended = Ended::of(status).or(ended);
                        }
                        Ok(WaitStatus::StillAlive) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                if let Some(ended) = ended {
                    // Process 1 may signal every process of its namespace at once.
                    let _ = nix::sys::signal::kill(Pid::from_raw(-1), Signal::SIGKILL);
                    return ended;
                }
            }
            Ok(signal) => {
                let group = Pid::from_raw(-command.as_raw());
                let _ = nix::sys::signal::kill(group, signal);
            }
            Err(_) => {}
        }
    }
}

/// The command's process: restricts itself and becomes the learner's command. Never returns.
fn command(spec: &Spec, namespaces: Vec<String>, then: Become) -> ! {
    let error = match restrict_and_become(spec, namespaces, then) {
        Ok(never) => match never {},
        Err(e) => e,
    };
    eprintln!(
        "pygrade: could not run {}: {error:#}",
        spec.program.display()
    );
    let missing = error
        .downcast_ref::<Errno>()
        .is_some_and(|errno| *errno == Errno::ENOENT);
    std::process::exit(if missing { NOT_FOUND } else { NOT_EXECUTABLE })
}

fn restrict_and_become(spec: &Spec, namespaces: Vec<String>, then: Become) -> Result<Infallible> {
    // A session of its own: no controlling terminal, and the caller's terminal out of reach.
    nix::unistd::setsid()?;
    nix::sys::signal::sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None)?;
    std::env::set_current_dir(&spec.cwd)
        .with_context(|| format!("could not enter {}", spec.cwd.display()))?;
    let mut writable = spec.root.writable.clone();
    writable.extend(["/tmp".into(), "/dev/shm".into()]);
    let landlock = landlock::restrict(&writable).context("could not apply Landlock")?;
    nix::sys::prctl::set_no_new_privs()?;
    let seccomp = seccomp::install()?;
    if spec.probe {
        let layers = Layers {
            namespaces,
            seccomp,
            landlock,
        };
        println!("{}", serde_json::to_string(&layers)?);
        std::process::exit(0);
    }
    if let Become::Call(call) = then {
        // What `exec` by a user other than root would do: keep no capability (in the new
        // user namespace this process still holds them all), and be dumpable again (process
        // 1 was made not to be), as learner processes are.
        drop_capabilities()?;
        nix::sys::prctl::set_dumpable(true)?;
        return call(spec);
    }
    let program = resolve(&spec.program, &spec.env)?;
    let c = |s: &[u8]| CString::new(s).context("a NUL byte in the command or its environment");
    let args = std::iter::once(spec.program.as_os_str())
        .chain(spec.args.iter().map(OsString::as_os_str))
        .map(|arg| c(arg.as_bytes()))
        .collect::<Result<Vec<_>>>()?;
    let env = spec
        .env
        .iter()
        .map(|(key, value)| c(&[key.as_bytes(), b"=", value.as_bytes()].concat()))
        .collect::<Result<Vec<_>>>()?;
    Ok(nix::unistd::execve(
        &c(program.as_os_str().as_bytes())?,
        &args,
        &env,
    )?)
}

/// Gives up every capability, for good: the bounding and ambient sets emptied, then the
/// effective, permitted and inheritable sets.
fn drop_capabilities() -> Result<()> {
    use nix::libc;
    for capability in 0.. {
        // SAFETY: prctl with plain integer arguments.
        if unsafe { libc::prctl(libc::PR_CAPBSET_DROP, capability, 0, 0, 0) } != 0 {
            // EINVAL past the last capability the kernel knows.
            if Errno::last() == Errno::EINVAL {
                break;
            }
            return Err(Errno::last()).context("could not empty the capability bounding set");
        }
    }
    // SAFETY: prctl with plain integer arguments.
    if unsafe {
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        )
    } != 0
    {
        return Err(Errno::last()).context("could not empty the ambient capabilities");
    }
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    let header = Header {
        version: VERSION_3,
        pid: 0,
    };
    let none = [Data {
        effective: 0,
        permitted: 0,
        inheritable: 0,
    }; 2];
    // SAFETY: capset reads a header and two data records that outlive the call.
    if unsafe { libc::syscall(libc::SYS_capset, &header, none.as_ptr()) } != 0 {
        return Err(Errno::last()).context("could not give up the capabilities");
    }
    Ok(())
}

/// The program to execute: `program` itself when it names a path, else the first match on the
/// command's own `PATH` (as bwrap and a shell would find it).
fn resolve(program: &Path, env: &[(String, OsString)]) -> Result<PathBuf> {
    if program.as_os_str().as_bytes().contains(&b'/') {
        return Ok(program.to_path_buf());
    }
    let path = env
        .iter()
        .find(|(key, _)| key == "PATH")
        .map(|(_, value)| value.clone())
        .unwrap_or_else(|| "/usr/bin:/bin".into());
    match std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
    {
        Some(found) => Ok(found),
        None => Err(Errno::ENOENT)
            .with_context(|| format!("{} is not on the PATH it was given", program.display())),
    }
}

/// Why the built-in sandbox cannot be made here, and the fix, from the kernel's settings.
pub(crate) fn why_not(error: &str) -> String {
    let setting = |name: &str| {
        std::fs::read_to_string(Path::new("/proc/sys").join(name))
            .map(|value| value.trim().to_string())
            .ok()
    };
    let fix = if setting("kernel/unprivileged_userns_clone").as_deref() == Some("0") {
        "unprivileged user namespaces are turned off: allow them with `sysctl -w kernel.unprivileged_userns_clone=1`"
    } else if setting("user/max_user_namespaces").as_deref() == Some("0") {
        "user namespaces are turned off: allow them with `sysctl -w user.max_user_namespaces=15000`"
    } else if setting("kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
        "AppArmor restricts unprivileged user namespaces: allow them with `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`, or give pygrade an AppArmor profile with `userns,`"
    } else if error.contains("/proc") {
        "the container hides parts of /proc, so no new /proc may be mounted (Docker: `--security-opt systempaths=unconfined`); or choose --sandbox bwrap or none"
    } else {
        "in a container, let it create namespaces (Docker: `--security-opt seccomp=unconfined --security-opt apparmor=unconfined`); or choose --sandbox bwrap or none"
    };
    if error.is_empty() {
        fix.to_string()
    } else {
        format!("{error}; {fix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ending_crosses_the_pipe_unchanged() {
        for ended in [
            Ended::Code(0),
            Ended::Code(137),
            Ended::Signal(9),
            Ended::Signal(11),
        ] {
            assert_eq!(Ended::from_bytes(ended.to_bytes()), ended);
        }
    }

    #[test]
    fn a_bare_program_name_is_found_on_the_commands_own_path() {
        let env = [("PATH".to_string(), OsString::from("/nonexistent:/bin"))];
        assert_eq!(
            resolve(Path::new("sh"), &env).unwrap(),
            PathBuf::from("/bin/sh")
        );
        assert_eq!(
            resolve(Path::new("./x.py"), &env).unwrap(),
            PathBuf::from("./x.py")
        );
        assert!(resolve(Path::new("no-such-program-here"), &env).is_err());
    }
}
