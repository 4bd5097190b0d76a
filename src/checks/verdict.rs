//! How a process ended, as a status and in words for the learner: shared by the check kinds.

use std::time::Duration;

use crate::contain::{Clock, Exit, Limits};
use crate::grade::Status;

/// The status of a process that did not end by itself; `None` when it exited with a code.
pub(crate) fn abnormal_status(exit: Exit) -> Option<Status> {
    match exit {
        Exit::Code(_) => None,
        Exit::Timeout(_) => Some(Status::Timeout),
        Exit::OutputLimit => Some(Status::OutputLimit),
        Exit::MemoryLimit { .. } => Some(Status::MemoryLimit),
        Exit::DiskLimit => Some(Status::DiskLimit),
        Exit::ProcessLimit => Some(Status::ProcessLimit),
        Exit::Quiet => Some(Status::Timeout),
        Exit::Signal(_) => Some(Status::Error),
    }
}

/// How a process ended, in words for the learner, naming the limit it ran into.
pub(crate) fn describe_exit(exit: Exit, limits: &Limits) -> String {
    let size = |bytes: Option<u64>| match bytes {
        Some(bytes) => bytesize::ByteSize(bytes).display().iec().to_string(),
        None => "its limit".into(),
    };
    let time = |limit: Option<Duration>| match limit {
        Some(limit) => humantime::format_duration(limit).to_string(),
        None => "its limit".into(),
    };
    match exit {
        Exit::Timeout(Clock::Wall) => format!(
            "timed out: ran past its wall-clock limit of {}",
            time(limits.timeout)
        ),
        Exit::Timeout(Clock::Cpu) => format!(
            "timed out: used up its CPU time limit of {}",
            time(limits.cpu_time)
        ),
        Exit::OutputLimit => format!("stopped: printed more than {}", size(limits.output)),
        Exit::DiskLimit => format!(
            "stopped: wrote more than its disk limit of {}",
            size(limits.disk)
        ),
        Exit::ProcessLimit => format!(
            "stopped: tried to run more than {} processes or threads at once",
            limits
                .processes
                .map_or("its limit of".into(), |n| n.to_string())
        ),
        Exit::Signal(signal) => format!("crashed with {}", signal_name(signal)),
        Exit::MemoryLimit {
            peak_kib: Some(peak),
        } => format!(
            "stopped: used more than its memory limit of {} (peak {} MiB)",
            size(limits.memory),
            peak.div_ceil(1024)
        ),
        Exit::MemoryLimit { peak_kib: None } => format!(
            "ran out of memory under its limit of {}",
            size(limits.memory)
        ),
        Exit::Quiet => "timed out: one step of its work ran past its limit".into(),
        Exit::Code(code) => format!("exited with status {code}"),
    }
}

/// A signal number as a learner can look it up.
pub(crate) fn signal_name(signal: i32) -> String {
    let what = match signal {
        11 => " (segmentation fault)",
        6 => " (aborted)",
        9 => " (killed)",
        8 => " (floating-point exception)",
        7 => " (bus error)",
        _ => "",
    };
    match nix::sys::signal::Signal::try_from(signal) {
        Ok(sig) => format!("{}{what}", sig.as_str()),
        Err(_) => format!("signal {signal}{what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memory_limit_names_the_limit_and_the_peak_where_it_is_known() {
        let limits = Limits {
            memory: Some(512 << 20),
            ..Limits::default()
        };
        let stopped = Exit::MemoryLimit {
            peak_kib: Some(530 << 10),
        };
        assert_eq!(
            describe_exit(stopped, &limits),
            "stopped: used more than its memory limit of 512.0 MiB (peak 530 MiB)"
        );
        assert_eq!(abnormal_status(stopped), Some(Status::MemoryLimit));
        assert_eq!(
            describe_exit(Exit::MemoryLimit { peak_kib: None }, &limits),
            "ran out of memory under its limit of 512.0 MiB"
        );
    }
}
