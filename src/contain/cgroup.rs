//! The pids cgroup that counts a learner's processes and threads, where pygrade may make one.

use std::path::{Path, PathBuf};

use super::tree::field;

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
    pub(super) fn create(allowed: u32) -> Option<PidsCgroup> {
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
    pub(super) fn was_hit(&self) -> bool {
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
