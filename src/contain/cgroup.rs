//! The cgroups of a learner's process tree, where pygrade may make them: a pids cgroup that
//! counts its processes and threads, and a memory cgroup that holds the memory of the whole
//! tree, on cgroup v1 or v2.
//!
//! The supervisor makes them (named after its own process id, below the cgroups it is in) and
//! its child writes itself into them between fork and exec, so that the child and everything
//! it starts are counted, and the supervisor is not: the kernel never charges it, nor kills
//! it for the tree's memory. Once the tree is gone the supervisor removes them; pygrade
//! removes what a supervisor killed outright left behind ([`TreeCgroup::remove_after`]).

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use super::tree::field;

/// The cgroups of one process tree; each is there only where pygrade could make it.
pub(crate) struct TreeCgroup {
    /// The pids cgroup, with `pids.max` set.
    pids: Option<PathBuf>,
    /// The memory cgroup, with its limit set, and the version of its hierarchy.
    memory: Option<(PathBuf, Version)>,
}

/// The two kinds of cgroup hierarchy, whose memory files differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Version {
    /// One hierarchy per controller (`memory.limit_in_bytes`, `memory.oom_control`).
    V1,
    /// The unified hierarchy (`memory.max`, `memory.events`).
    V2,
}

/// The environment variable that names the cgroups pygrade may make (`pids,memory`, the
/// default; `pids`; `memory`; `none`). Without a pids cgroup the process limit falls back to
/// RLIMIT_NPROC; without a memory cgroup the supervisor measures the tree's memory.
pub(crate) const SWITCH: &str = "PYGRADE_CGROUPS";

/// Which cgroups pygrade may make for a tree, where the system lets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Cgroups {
    pub pids: bool,
    pub memory: bool,
}

impl Cgroups {
    /// None at all.
    pub(crate) const NONE: Cgroups = Cgroups {
        pids: false,
        memory: false,
    };

    /// Those that [`SWITCH`] allows in pygrade's environment (all, without it).
    pub(crate) fn allowed() -> Cgroups {
        match std::env::var(SWITCH) {
            Ok(list) => {
                let names: Vec<&str> = list.split(',').map(str::trim).collect();
                Cgroups {
                    pids: names.contains(&"pids"),
                    memory: names.contains(&"memory"),
                }
            }
            Err(_) => Cgroups {
                pids: true,
                memory: true,
            },
        }
    }
}

impl TreeCgroup {
    /// How the process limit is enforced here, in words for `pygrade doctor`.
    pub(crate) fn describe_processes_here() -> String {
        let allowed = Cgroups::allowed().pids;
        if allowed && Hierarchy::of("pids").is_some_and(|h| h.can_make()) {
            "a pids cgroup per process tree: process-limit is exact".into()
        } else if !allowed && nix::unistd::getuid().is_root() {
            format!("none: {SWITCH} leaves out pids, and RLIMIT_NPROC does not bind the root user")
        } else if nix::unistd::getuid().is_root() {
            "none: no pids cgroup can be made here, and RLIMIT_NPROC does not bind the root user (run as another user, or where /sys/fs/cgroup is writable)".into()
        } else {
            "RLIMIT_NPROC (approximate: counts every process of the user; a pids cgroup, where /sys/fs/cgroup is writable, is exact)".into()
        }
    }

    /// The version of the memory cgroup a process tree gets here, if pygrade can make one.
    pub(crate) fn memory_here() -> Option<Version> {
        if !Cgroups::allowed().memory {
            return None;
        }
        Hierarchy::of("memory")
            .filter(Hierarchy::can_make)
            .map(|h| h.version)
    }

    /// New cgroups for the tree of a child about to start: a pids cgroup allowing `processes`
    /// and a memory cgroup holding `memory` bytes, each where it can be made. The child joins
    /// them with [`TreeCgroup::join_files`].
    pub(super) fn create(processes: Option<u32>, memory: Option<u64>, may: Cgroups) -> TreeCgroup {
        let processes = processes.filter(|_| may.pids);
        let memory = memory.filter(|_| may.memory);
        let me = std::process::id();
        let pids = processes.and_then(|allowed| {
            let dir = Hierarchy::of("pids")?.make(me)?;
            settle(dir, &[("pids.max", allowed.to_string())])
        });
        let memory = memory.and_then(|bytes| {
            let hierarchy = Hierarchy::of("memory")?;
            // On v2 both controllers share one hierarchy, and so one cgroup.
            let dir = match &pids {
                Some(dir) if hierarchy.version == Version::V2 => dir.clone(),
                _ => hierarchy.make(me)?,
            };
            let limit = bytes.to_string();
            let settings: Vec<(&str, String)> = match hierarchy.version {
                // Memory and swap together (where the kernel counts swap): the same limit, so
                // that the tree cannot go on in swap. The plain limit comes first, as the
                // kernel keeps it at most the combined one.
                Version::V1 => vec![
                    ("memory.limit_in_bytes", limit.clone()),
                    ("memory.memsw.limit_in_bytes", limit),
                ],
                // No swap at all; and when the kernel kills for the limit, it kills the whole
                // tree (the supervisor, outside the cgroup, is spared).
                Version::V2 => vec![
                    ("memory.max", limit),
                    ("memory.swap.max", "0".into()),
                    ("memory.oom.group", "1".into()),
                ],
            };
            let shared = pids.as_ref() == Some(&dir);
            // Only the limit itself is needed: a kernel that keeps no swap account, or has no
            // group kill, still holds it (and the supervisor stops the rest of the tree).
            let (limit, extras) = settings.split_first().expect("a limit");
            if std::fs::write(dir.join(limit.0), &limit.1).is_err() {
                if !shared {
                    let _ = std::fs::remove_dir(&dir);
                }
                return None;
            }
            for (name, value) in extras {
                let _ = std::fs::write(dir.join(name), value);
            }
            Some((dir, hierarchy.version))
        });
        TreeCgroup { pids, memory }
    }

    /// The `cgroup.procs` files a new child writes itself into, before it runs anything.
    pub(super) fn join_files(&self) -> Vec<CString> {
        let mut dirs: Vec<&PathBuf> = self.pids.iter().collect();
        if let Some((dir, _)) = &self.memory
            && !dirs.contains(&dir)
        {
            dirs.push(dir);
        }
        dirs.into_iter()
            .filter_map(|dir| CString::new(dir.join("cgroup.procs").as_os_str().as_bytes()).ok())
            .collect()
    }

    /// Keeps only the cgroups that `child` did join (a join can fail where this process may
    /// make a cgroup but not move a process into it), and says whether any is left.
    pub(super) fn keep_joined(&mut self, child: Pid) -> bool {
        let holds = |dir: &Path| {
            std::fs::read_to_string(dir.join("cgroup.procs")).is_ok_and(|procs| {
                procs
                    .lines()
                    .any(|line| line.trim() == child.as_raw().to_string())
            })
        };
        if self.pids.as_deref().is_some_and(|dir| !holds(dir)) {
            let _ = std::fs::remove_dir(self.pids.take().expect("checked"));
        }
        if self.memory.as_ref().is_some_and(|(dir, _)| !holds(dir)) {
            let _ = std::fs::remove_dir(self.memory.take().expect("checked").0);
        }
        self.pids.is_some() || self.memory.is_some()
    }

    /// Whether a process count is kept for the tree.
    pub(super) fn counts_processes(&self) -> bool {
        self.pids.is_some()
    }

    /// Whether the kernel holds the tree's memory to its limit.
    pub(super) fn holds_memory(&self) -> bool {
        self.memory.is_some()
    }

    /// Whether a fork or a new thread was refused for the limit.
    pub(super) fn processes_hit(&self) -> bool {
        self.pids.as_ref().is_some_and(|dir| {
            std::fs::read_to_string(dir.join("pids.events"))
                .is_ok_and(|events| count(&events, "max ") > 0)
        })
    }

    /// Whether the kernel killed a process of the tree for its memory limit.
    pub(super) fn memory_hit(&self) -> bool {
        match &self.memory {
            Some((dir, Version::V1)) => std::fs::read_to_string(dir.join("memory.oom_control"))
                .is_ok_and(|control| count(&control, "oom_kill ") > 0),
            Some((dir, Version::V2)) => std::fs::read_to_string(dir.join("memory.events"))
                .is_ok_and(|events| {
                    count(&events, "oom_kill ") > 0 || count(&events, "oom_group_kill ") > 0
                }),
            None => false,
        }
    }

    /// The tree's memory now, in KiB, as the kernel charges it (its pages, the page cache it
    /// brought in, its kernel memory).
    pub(super) fn memory_now_kib(&self) -> Option<u64> {
        let (dir, version) = self.memory.as_ref()?;
        let file = match version {
            Version::V1 => "memory.usage_in_bytes",
            Version::V2 => "memory.current",
        };
        read_number(&dir.join(file)).map(|bytes| bytes / 1024)
    }

    /// The most memory the kernel charged the tree at once, in KiB, where it keeps that
    /// figure (v1 always; v2 from Linux 5.19).
    pub(super) fn memory_peak_kib(&self) -> Option<u64> {
        let (dir, version) = self.memory.as_ref()?;
        let file = match version {
            Version::V1 => "memory.max_usage_in_bytes",
            Version::V2 => "memory.peak",
        };
        read_number(&dir.join(file)).map(|bytes| bytes / 1024)
    }

    /// Removes the cgroups once nothing is left in them (after the tree has been reaped).
    pub(super) fn remove(self) {
        for dir in self
            .pids
            .iter()
            .chain(self.memory.iter().map(|(dir, _)| dir))
        {
            let _ = std::fs::remove_dir(dir);
        }
    }

    /// Removes the cgroups of a supervisor that has exited and been waited for, and any that
    /// supervisors killed outright left behind.
    pub(crate) fn remove_after(supervisor: u32) {
        for controller in ["pids", "memory"] {
            if let Some(hierarchy) = Hierarchy::of(controller) {
                let _ = std::fs::remove_dir(hierarchy.dir_for(supervisor));
                remove_stale(&hierarchy.own);
            }
        }
    }
}

/// Sets each `(file, value)` of a new cgroup, or removes it and gives up.
fn settle(dir: PathBuf, settings: &[(&str, String)]) -> Option<PathBuf> {
    for (name, value) in settings {
        if std::fs::write(dir.join(name), value).is_err() {
            let _ = std::fs::remove_dir(&dir);
            return None;
        }
    }
    Some(dir)
}

/// The number after `name` in a cgroup's flat keyed file (`pids.events`, `memory.events`).
fn count(text: &str, name: &str) -> u64 {
    field(text, name).map_or(0, |n| n.trim().parse().unwrap_or(0))
}

fn read_number(path: &Path) -> Option<u64> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Where this process's cgroup is in the hierarchy that has one controller.
struct Hierarchy {
    /// The folder of the cgroup this process is in.
    own: PathBuf,
    version: Version,
}

impl Hierarchy {
    /// The hierarchy with `controller`, from /proc/self/cgroup and where /proc/self/mountinfo
    /// shows it mounted. On v2, only if the cgroups made below this one get the controller.
    fn of(controller: &str) -> Option<Hierarchy> {
        let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
        let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
        // cgroup v1 names the controller (`8:pids:/path`); v2 has one line (`0::/path`).
        let v1 = own.lines().find_map(|line| {
            let (_, rest) = line.split_once(':')?;
            let (controllers, path) = rest.split_once(':')?;
            controllers
                .split(',')
                .any(|c| c == controller)
                .then_some(path)
        });
        if let Some(path) = v1 {
            let dir = mounted(&mounts, path, |fstype, options| {
                fstype == "cgroup" && options.split(',').any(|o| o == controller)
            })?;
            return Some(Hierarchy {
                own: dir,
                version: Version::V1,
            });
        }
        let path = own.lines().find_map(|line| line.strip_prefix("0::"))?;
        let dir = mounted(&mounts, path, |fstype, _| fstype == "cgroup2")?;
        let enabled = |dir: &Path| {
            std::fs::read_to_string(dir.join("cgroup.subtree_control"))
                .is_ok_and(|on| on.split_whitespace().any(|c| c == controller))
        };
        // pygrade does not enable it itself: v2 allows that only in a cgroup that holds no
        // process (but the root), and a delegated subtree has it on already.
        enabled(&dir).then_some(Hierarchy {
            own: dir,
            version: Version::V2,
        })
    }

    /// The cgroup of the supervisor with process id `pid`.
    fn dir_for(&self, pid: u32) -> PathBuf {
        self.own.join(format!("pygrade-{pid}"))
    }

    /// A new cgroup for the supervisor with process id `pid` (replacing an empty one left by
    /// an earlier process of that id).
    fn make(&self, pid: u32) -> Option<PathBuf> {
        let dir = self.dir_for(pid);
        if std::fs::create_dir(&dir).is_err() {
            let _ = std::fs::remove_dir(&dir);
            std::fs::create_dir(&dir).ok()?;
        }
        Some(dir)
    }

    /// Whether a cgroup can be made here.
    fn can_make(&self) -> bool {
        let probe = self
            .own
            .join(format!("pygrade-probe-{}", std::process::id()));
        std::fs::create_dir(&probe).is_ok() && std::fs::remove_dir(&probe).is_ok()
    }
}

/// The folder of the cgroup at `path` (as /proc/self/cgroup gives it) in the mount that
/// `wanted(fstype, super options)` picks, if one shows it.
fn mounted(mounts: &str, path: &str, wanted: impl Fn(&str, &str) -> bool) -> Option<PathBuf> {
    mounts.lines().find_map(|line| {
        // `ID PARENT DEV ROOT MOUNT-POINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPER-OPTIONS`
        let (mount, fs) = line.split_once(" - ")?;
        let mut fs = fs.split_whitespace();
        let (fstype, _, options) = (fs.next()?, fs.next()?, fs.next().unwrap_or(""));
        if !wanted(fstype, options) {
            return None;
        }
        let mut fields = mount.split_whitespace().skip(3);
        let (root, point) = (fields.next()?, fields.next()?);
        // A mount may show only part of the hierarchy (a container's own cgroup, say).
        let below = path.strip_prefix(root.trim_end_matches('/'))?;
        if !below.is_empty() && !below.starts_with('/') {
            return None;
        }
        Some(Path::new(point).join(below.trim_start_matches('/')))
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTS: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 /lxc/box /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
";

    #[test]
    fn a_cgroup_is_found_where_its_hierarchy_is_mounted() {
        let memory = |fstype: &str, options: &str| {
            fstype == "cgroup" && options.split(',').any(|o| o == "memory")
        };
        assert_eq!(
            mounted(MOUNTS, "/process_api/90de", memory),
            Some(PathBuf::from("/sys/fs/cgroup/memory/process_api/90de"))
        );
        let pids = |fstype: &str, options: &str| fstype == "cgroup" && options.contains("pids");
        // A mount of part of the hierarchy shows the cgroups below its root, and only those.
        assert_eq!(
            mounted(MOUNTS, "/lxc/box/job", pids),
            Some(PathBuf::from("/sys/fs/cgroup/pids/job"))
        );
        assert_eq!(mounted(MOUNTS, "/elsewhere", pids), None);
        assert_eq!(mounted(MOUNTS, "/lxc/boxer", pids), None);
        assert_eq!(
            mounted(MOUNTS, "/", |fstype, _| fstype == "cgroup2"),
            Some(PathBuf::from("/sys/fs/cgroup/unified"))
        );
    }

    #[test]
    fn counters_are_read_from_flat_keyed_files() {
        let control = "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n";
        assert_eq!(count(control, "oom_kill "), 3);
        assert_eq!(count("low 0\nhigh 0\nmax 7\noom 1\n", "oom_kill "), 0);
    }
}
