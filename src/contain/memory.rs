//! The memory limit of a whole process tree, and its peak.
//!
//! Where the tree has a memory cgroup (see `cgroup.rs`) the kernel holds it to the limit: past
//! it, the kernel reclaims what it can and then kills a process of the tree, which its
//! oom-kill counter records. Elsewhere the supervisor measures the tree at every look it takes
//! (every 50 ms), adds up the resident memory of its processes, and stops it once that passes
//! the limit; shared pages then count once (the proportional set size), so that the children of
//! a fork are not charged for their parent's pages. Either way the peak is kept for the report.

use super::cgroup::{Cgroups, SWITCH, TreeCgroup, Version};
use super::tree::{Sample, proportional_kib};

/// How many times the tree's limit each process may reserve in address space where no
/// cgroup holds the tree: a backstop, for a process that fills memory faster than the
/// supervisor looks. Generous, so that a thread with a large stack still starts.
pub(super) const ADDRESS_SPACE_FACTOR: u64 = 4;

/// The memory of one process tree, against its limit.
pub(super) struct TreeMemory {
    /// The limit, in KiB; `None` for none.
    limit_kib: Option<u64>,
    /// The most the tree was seen to hold at once, in KiB.
    peak_kib: u64,
}

impl TreeMemory {
    pub(super) fn new(limit: Option<u64>) -> TreeMemory {
        TreeMemory {
            limit_kib: limit.map(|bytes| bytes / 1024),
            peak_kib: 0,
        }
    }

    /// Takes in what the tree holds now (`sample`, and `cgroup` where the kernel holds it to
    /// its limit); returns whether it has crossed its limit.
    pub(super) fn observe(&mut self, sample: &Sample, cgroup: Option<&TreeCgroup>) -> bool {
        if let Some(cgroup) = cgroup.filter(|c| c.holds_memory()) {
            self.peak_kib = self.peak_kib.max(cgroup.memory_now_kib().unwrap_or(0));
            return cgroup.memory_hit();
        }
        let mut held = sample.resident_kib;
        // The resident sets count shared pages once per process; before stopping a tree for
        // them, the proportional sizes (slower to read) count them once in all.
        if self.limit_kib.is_some_and(|limit| held > limit) {
            held = proportional_kib(&sample.pids);
        }
        self.peak_kib = self.peak_kib.max(held);
        self.limit_kib.is_some_and(|limit| held > limit)
    }

    /// The most the tree held at once, in KiB: the kernel's own figure where a cgroup kept
    /// one, else the most the supervisor saw.
    pub(super) fn peak_kib(&self, cgroup: Option<&TreeCgroup>) -> u64 {
        let kept = cgroup.and_then(TreeCgroup::memory_peak_kib).unwrap_or(0);
        self.peak_kib.max(kept)
    }
}

/// How the memory limit is enforced here, in words for `pygrade doctor`.
pub(crate) fn describe_here() -> String {
    let measured = "the supervisor adds up the resident memory of the tree every 50 ms and stops it past the limit";
    match TreeCgroup::memory_here() {
        Some(version) => {
            let version = match version {
                Version::V1 => "v1",
                Version::V2 => "v2",
            };
            format!(
                "a memory cgroup ({version}) per process tree of learner code: memory-limit is exact; mypy's: {measured}"
            )
        }
        None if !Cgroups::allowed().memory => format!(
            "measured ({SWITCH} leaves out memory): {measured}, which may overshoot by what it allocates in that time"
        ),
        None => format!(
            "measured: {measured}, which may overshoot by what it allocates in that time (a memory cgroup, where /sys/fs/cgroup is writable, holds it exactly)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holding(resident_kib: u64) -> Sample {
        Sample {
            resident_kib,
            largest_kib: resident_kib,
            ..Sample::default()
        }
    }

    #[test]
    fn a_measured_tree_is_over_its_limit_only_past_it_and_keeps_its_peak() {
        let mut memory = TreeMemory::new(Some(100 << 20));
        assert!(!memory.observe(&holding(60 << 10), None));
        assert!(!memory.observe(&holding(100 << 10), None));
        assert!(!memory.observe(&holding(30 << 10), None));
        assert_eq!(memory.peak_kib(None), 100 << 10);
    }

    #[test]
    fn pages_shared_by_a_tree_count_once_before_it_is_stopped() {
        // Past the limit as resident sets, but the processes (here none alive) hold nothing
        // of their own.
        let mut memory = TreeMemory::new(Some(100 << 20));
        assert!(!memory.observe(&holding(300 << 10), None));
        let mut unlimited = TreeMemory::new(None);
        assert!(!unlimited.observe(&holding(300 << 10), None));
        assert_eq!(unlimited.peak_kib(None), 300 << 10);
    }
}
