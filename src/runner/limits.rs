//! The limits on each process of a check, with pygrade's defaults.
//!
//! An exercise may set any of them in its `[limits]` table (for all its checks) or in a
//! check's `limits` (for that check); what neither sets takes the default here. The
//! supervisor enforces them (see `supervise.rs`): wall and CPU time by its clock and by
//! measuring the tree; address space, open files and the size of any one file as resource
//! limits; processes with a pids cgroup where pygrade may make one; disk by watching the
//! job's folder; output in the launcher.

use std::time::Duration;

/// What one process of a check may use. Every field is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Wall-clock time.
    pub timeout: Duration,
    /// CPU time of the whole process tree.
    pub cpu_time: Duration,
    /// Address space of each process, in bytes (RLIMIT_AS).
    pub memory: u64,
    /// Processes and threads alive at once in the check's tree.
    pub processes: u32,
    /// Bytes written into the job's folder (its work, home and temporary folders).
    pub disk: u64,
    /// Open file descriptors of each process (RLIMIT_NOFILE).
    pub open_files: u32,
    /// stdout and stderr together, in bytes.
    pub output: u64,
}

const MIB: u64 = 1024 * 1024;

impl Limits {
    /// pygrade's defaults for a check of `kind`: mypy and the measuring harness get more time.
    pub(crate) fn defaults(kind: &str) -> Limits {
        let timeout = Duration::from_secs(match kind {
            "pytest" => 10,
            "output" => 5,
            _ => 60,
        });
        Limits {
            timeout,
            cpu_time: timeout,
            memory: 2048 * MIB,
            processes: 64,
            disk: 64 * MIB,
            open_files: 256,
            output: 16 * MIB,
        }
    }
}

/// Which clock a process ran out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clock {
    Wall,
    Cpu,
}
