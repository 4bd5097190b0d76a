//! A process tree as /proc shows it: its members, its CPU time and memory, its time spent
//! waiting for a core, and a user's tasks.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use nix::unistd::Pid;

/// The tasks (processes and threads) of the user this process runs as, from /proc.
pub(super) fn tasks_of_this_user() -> u64 {
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

pub(super) fn field<'s>(status: &'s str, name: &str) -> Option<&'s str> {
    status.lines().find_map(|line| line.strip_prefix(name))
}

/// The tree under a process at one moment, as /proc shows it.
#[derive(Debug, Clone, Default)]
pub(super) struct Sample {
    /// Its processes.
    pub pids: Vec<i32>,
    /// The CPU time, in milliseconds, that the tree has used: each live process's own, and
    /// that of the children it has waited for. (Not RLIMIT_CPU: on some kernels an armed CPU
    /// timer slows every Python start-up and coarsens the process's own CPU clock.)
    pub cpu_ms: u64,
    /// The resident sets of its processes added up, in KiB (pages that processes share, such
    /// as those a fork left shared, count once in each).
    pub resident_kib: u64,
    /// The largest resident set of any one of its processes, in KiB.
    pub largest_kib: u64,
}

/// What the tree under `root` holds now.
pub(super) fn sample(root: Pid) -> Sample {
    let ticks_per_second = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100)
        .max(1) as u64;
    let page_kib = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
        .ok()
        .flatten()
        .unwrap_or(4096)
        .max(1024) as u64
        / 1024;
    let mut sample = Sample::default();
    let mut ticks = 0;
    for pid in tree(root) {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // After `pid (comm)`: state is field 3, utime, stime, cutime, cstime are 14 to 17,
        // rss (in pages) is 24.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let fields: Vec<u64> = stat[close + 1..]
            .split_whitespace()
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        ticks += fields.get(11..15).map_or(0, |cpu| cpu.iter().sum::<u64>());
        let resident = fields.get(21).copied().unwrap_or(0) * page_kib;
        sample.resident_kib += resident;
        sample.largest_kib = sample.largest_kib.max(resident);
        sample.pids.push(pid);
    }
    sample.cpu_ms = ticks * 1000 / ticks_per_second;
    sample
}

/// The memory of `pids` added up, in KiB, with each page that several of them share divided
/// among them (the proportional set size), so that it counts once in all. Slower to read than
/// the resident sets (the kernel walks each process's pages); a process that shows none
/// counts with its resident set.
pub(super) fn proportional_kib(pids: &[i32]) -> u64 {
    pids.iter()
        .filter_map(|pid| {
            let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
                .or_else(|_| std::fs::read_to_string(format!("/proc/{pid}/status")))
                .ok()?;
            let kib = field(&rollup, "Pss:").or_else(|| field(&rollup, "VmRSS:"))?;
            kib.split_whitespace().next()?.parse::<u64>().ok()
        })
        .sum()
}

/// `root` and every process below it, from each task's `children` in /proc.
pub(super) fn tree(root: Pid) -> Vec<i32> {
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

/// The processes whose parent is `parent`, read from /proc.
pub(super) fn children_of(parent: Pid) -> Vec<Pid> {
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

/// The CPU time and the run-queue wait, in nanoseconds, of each task (thread) of the tree
/// under `root`, by task id, from each task's `schedstat` in /proc. Empty where the kernel
/// keeps none.
fn tree_schedstat(root: Pid) -> HashMap<i32, (u64, u64)> {
    let mut found = HashMap::new();
    for pid in tree(root) {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let Some(tid) = task.file_name().to_str().and_then(|t| t.parse().ok()) else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(task.path().join("schedstat")) else {
                continue;
            };
            let mut fields = stat
                .split_whitespace()
                .map(|f| f.parse::<u64>().unwrap_or(0));
            let (cpu, wait) = (fields.next().unwrap_or(0), fields.next().unwrap_or(0));
            found.insert(tid, (cpu, wait));
        }
    }
    found
}

/// A clock for wall-clock limits that holds on a busy machine: it runs with the wall clock,
/// less the time the tree under `root` spent waiting for a core that other processes held
/// (the run-queue wait, from /proc, of whichever of its tasks waited longest between two
/// ticks). A process computing on a machine shared with others so gets the time it would
/// have had alone; a process that sleeps or blocks is timed like the wall clock.
pub(crate) struct LoadClock {
    root: Option<Pid>,
    last: Instant,
    tasks: HashMap<i32, (u64, u64)>,
    elapsed: Duration,
}

impl LoadClock {
    /// A clock for the tree under `root`; without one, it is the wall clock.
    pub(crate) fn new(root: Option<Pid>) -> LoadClock {
        LoadClock {
            root,
            last: Instant::now(),
            tasks: root.map(tree_schedstat).unwrap_or_default(),
            elapsed: Duration::ZERO,
        }
    }

    /// Advances the clock to now; returns how far it moved.
    pub(crate) fn tick(&mut self) -> Duration {
        let now = Instant::now();
        let wall = now - self.last;
        self.last = now;
        let tasks = self.root.map(tree_schedstat).unwrap_or_default();
        // The task that waited longest since the last tick sets how far the tree fell behind.
        let waited = tasks
            .iter()
            .map(|(tid, (_, wait))| {
                let before = self.tasks.get(tid).map_or(0, |(_, wait)| *wait);
                wait.saturating_sub(before)
            })
            .max()
            .unwrap_or(0);
        self.tasks = tasks;
        let lost = Duration::from_nanos(waited).min(wall);
        let step = wall - lost;
        self.elapsed += step;
        step
    }

    /// The time on this clock since it was made, as of the last tick.
    pub(crate) fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_that_sleeps_is_timed_like_the_wall_clock() {
        let mut child = std::process::Command::new("sleep")
            .arg("2")
            .spawn()
            .unwrap();
        // Once it is asleep: starting may have waited for a core.
        std::thread::sleep(Duration::from_millis(200));
        let started = Instant::now();
        let mut clock = LoadClock::new(Some(Pid::from_raw(child.id() as i32)));
        std::thread::sleep(std::time::Duration::from_millis(300));
        clock.tick();
        let wall = started.elapsed();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(clock.elapsed() <= wall);
        assert!(
            clock.elapsed() >= wall.mul_f64(0.9),
            "{:?} of {wall:?}",
            clock.elapsed()
        );
    }

    /// A busy loop pinned to the first core.
    fn spin_on_core_0() -> std::process::Child {
        use std::os::unix::process::CommandExt;
        let mut command = std::process::Command::new("sh");
        command.args(["-c", "while :; do :; done"]);
        // SAFETY: sched_setaffinity is a plain system call, safe between fork and exec.
        unsafe {
            command.pre_exec(|| {
                let mut one = nix::sched::CpuSet::new();
                one.set(0).map_err(std::io::Error::from)?;
                nix::sched::sched_setaffinity(Pid::from_raw(0), &one)?;
                Ok(())
            });
        }
        command.spawn().unwrap()
    }

    #[test]
    fn time_spent_waiting_for_a_busy_core_does_not_count() {
        if !std::path::Path::new("/proc/self/schedstat").exists() {
            return;
        }
        // Two busy loops share one core: each runs about half the time.
        let mut measured = spin_on_core_0();
        let mut other = spin_on_core_0();
        let mut clock = LoadClock::new(Some(Pid::from_raw(measured.id() as i32)));
        let started = std::time::Instant::now();
        for _ in 0..8 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            clock.tick();
        }
        let wall = started.elapsed();
        for child in [&mut measured, &mut other] {
            child.kill().unwrap();
            child.wait().unwrap();
        }
        // More load elsewhere only lowers the share, never raises it.
        assert!(
            clock.elapsed() < wall.mul_f64(0.75),
            "{:?} of {wall:?}",
            clock.elapsed()
        );
    }

    #[test]
    fn a_sample_counts_the_memory_and_cpu_time_of_every_process_of_a_tree() {
        use std::io::BufRead;
        // A parent and a child, each holding 64 MiB that it has written; the child says when.
        let mut parent = std::process::Command::new("python3")
            .args([
                "-c",
                "import os, time\nb = bytearray(64 << 20)\nif os.fork() == 0:\n    c = bytearray(64 << 20)\n    print('ready', flush=True)\ntime.sleep(30)",
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut said = String::new();
        std::io::BufReader::new(parent.stdout.take().unwrap())
            .read_line(&mut said)
            .unwrap();
        assert_eq!(said.trim(), "ready");
        let seen = sample(Pid::from_raw(parent.id() as i32));
        let proportional = proportional_kib(&seen.pids);
        for pid in &seen.pids {
            let _ = nix::sys::signal::kill(Pid::from_raw(*pid), nix::sys::signal::Signal::SIGKILL);
        }
        parent.wait().unwrap();
        assert_eq!(seen.pids.len(), 2, "{seen:?}");
        // The parent's 64 MiB is shared with the child after the fork, and the child's own
        // 64 MiB is its alone: three times over as resident sets, twice in proportion.
        assert!(seen.resident_kib >= 3 * (64 << 10), "{seen:?}");
        assert!(seen.largest_kib >= 2 * (64 << 10), "{seen:?}");
        assert!(
            (2 * (64 << 10)..3 * (64 << 10)).contains(&proportional),
            "{proportional} KiB"
        );
    }

    #[test]
    fn the_threads_of_a_tree_add_up_in_its_schedstat() {
        let tasks = tree_schedstat(nix::unistd::getpid());
        if std::path::Path::new("/proc/self/schedstat").exists() {
            assert!(tasks.len() > 1, "the test harness runs threads");
            assert!(
                tasks.values().any(|(cpu, _)| *cpu > 0),
                "this process has run"
            );
        }
    }
}
