//! A process tree as /proc shows it: its members, its CPU time, and a user's tasks.

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

/// The CPU time, in milliseconds, that the tree under `root` has used: each live process's
/// own, and that of the children it has waited for. (Not RLIMIT_CPU: on some kernels an armed
/// CPU timer slows every Python start-up and coarsens the process's own CPU clock.)
pub(super) fn tree_cpu_ms(root: Pid) -> u64 {
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
