//! The limits on each process of a check: one type from the manifest to the supervisor.
//!
//! An exercise's `[limits]` table, a check's own `limits`, pygrade's defaults and what the
//! supervisor is told to enforce are all a [`Limits`]. A limit left out (`None`) is taken from
//! the next layer by [`Limits::or`]; [`Limits::resolve`] fills in pygrade's defaults, after
//! which every limit is set. The supervisor (see `supervise.rs`) receives the value as data
//! and enforces what is set: wall and CPU time by its clock and by measuring the tree; the
//! tree's memory with a memory cgroup where pygrade may make one, else by measuring the tree
//! (see `memory.rs`); open files and the size of any one file as resource limits; processes
//! with a pids cgroup where pygrade may make one; disk by watching the job's folder. The
//! launcher enforces output.

use std::time::Duration;

use serde::{Deserialize, Serialize};

const MIB: u64 = 1024 * 1024;

/// What one process of a check, with everything it starts, may use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Limits {
    /// Wall-clock time; past it, `timeout`.
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub timeout: Option<Duration>,
    /// CPU time of the whole process tree; past it, `timeout` (CPU).
    #[serde(
        default,
        with = "humantime_serde",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu_time: Option<Duration>,
    /// Memory of the whole process tree, in bytes; past it, `memory-limit`.
    #[serde(default, with = "bytes", skip_serializing_if = "Option::is_none")]
    pub memory: Option<u64>,
    /// Processes and threads alive at once in the check's tree; past it, `process-limit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processes: Option<u32>,
    /// Bytes written into the job's folder (its work, home and temporary folders); past it,
    /// `disk-limit`.
    #[serde(default, with = "bytes", skip_serializing_if = "Option::is_none")]
    pub disk: Option<u64>,
    /// Open file descriptors of each process (RLIMIT_NOFILE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_files: Option<u32>,
    /// stdout and stderr together, in bytes; past it, `output-limit`.
    #[serde(default, with = "bytes", skip_serializing_if = "Option::is_none")]
    pub output: Option<u64>,
}

impl Limits {
    /// These limits, with what they leave out taken from `base`.
    pub(crate) fn or(&self, base: &Limits) -> Limits {
        Limits {
            timeout: self.timeout.or(base.timeout),
            cpu_time: self.cpu_time.or(base.cpu_time),
            memory: self.memory.or(base.memory),
            processes: self.processes.or(base.processes),
            disk: self.disk.or(base.disk),
            open_files: self.open_files.or(base.open_files),
            output: self.output.or(base.output),
        }
    }

    /// Every limit in force: these, then pygrade's defaults, with `timeout` the default
    /// wall-clock time of the check's kind. A CPU time left out is the wall-clock time.
    pub(crate) fn resolve(&self, timeout: Duration) -> Limits {
        let timeout = self.timeout.unwrap_or(timeout);
        let defaults = Limits {
            timeout: Some(timeout),
            cpu_time: Some(timeout),
            // Room for mypy on a large file, and for pytest with a few worker processes.
            memory: Some(1024 * MIB),
            processes: Some(64),
            disk: Some(64 * MIB),
            open_files: Some(256),
            output: Some(16 * MIB),
        };
        self.or(&defaults)
    }

    /// What is wrong with these limits as a manifest gives them, each problem prefixed by
    /// `at`: values too low for Python to start are refused.
    pub(crate) fn problems(&self, at: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let mut low = |name: &str, value: Option<u64>, least: u64, unit: &str| {
            if value.is_some_and(|v| v < least) {
                problems.push(format!("{at}: `{name}` must be at least {least}{unit}"));
            }
        };
        let millis = |d: Option<Duration>| d.map(|d| d.as_millis() as u64);
        low("timeout", millis(self.timeout), 1, " ms");
        low("cpu-time", millis(self.cpu_time), 100, " ms");
        low(
            "memory",
            self.memory,
            64 << 20,
            " bytes (64 MiB: Python needs that much to start)",
        );
        low(
            "processes",
            self.processes.map(u64::from),
            4,
            " (pytest and the sandbox need a few)",
        );
        low("open-files", self.open_files.map(u64::from), 32, "");
        low("disk", self.disk, 1 << 20, " bytes (1 MiB)");
        low("output", self.output, 64 << 10, " bytes (64 KiB)");
        problems
    }
}

/// Which clock a process ran out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clock {
    Wall,
    Cpu,
}

/// How a contained process came to an end: by itself (a code or a signal), or stopped for the
/// limit it ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    Code(i32),
    Signal(i32),
    Timeout(Clock),
    OutputLimit,
    /// Its tree ran out of memory under its limit; with the most it held at once, in KiB,
    /// where the supervisor stopped it for that.
    MemoryLimit {
        peak_kib: Option<u64>,
    },
    DiskLimit,
    ProcessLimit,
    /// Its results channel stayed silent past the quiet limit its launch set
    /// ([`super::launch::Spawn::quiet`]).
    Quiet,
}

/// Sizes as a manifest writes them (`"512 MiB"` or a number of bytes), kept and passed on
/// as a whole number of bytes, so that nothing is rounded on the way to the supervisor.
mod bytes {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &Option<u64>, to: S) -> Result<S::Ok, S::Error> {
        value.serialize(to)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<Option<u64>, D::Error> {
        Ok(Option::<bytesize::ByteSize>::deserialize(from)?.map(|size| size.as_u64()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_reach_the_supervisor_exactly() {
        let limits = Limits {
            memory: Some(1_234_567),
            ..Limits::default()
        }
        .resolve(Duration::from_millis(1500));
        let json = serde_json::to_string(&limits).unwrap();
        let back: Limits = serde_json::from_str(&json).unwrap();
        assert_eq!(back, limits, "{json}");
    }

    #[test]
    fn a_manifest_writes_sizes_in_units() {
        let limits: Limits = toml::from_str("memory = \"1 GiB\"\noutput = 65536").unwrap();
        assert_eq!(limits.memory, Some(1 << 30));
        assert_eq!(limits.output, Some(65536));
    }
}
