//! The descriptors pygrade's processes start with: none that pygrade's caller left open, and
//! each that pygrade hands on at its number.

use std::os::fd::RawFd;

/// Has every descriptor this process was started with, beyond the standard three, close when
/// it starts a program. Whatever pygrade's caller left open (a shell's redirection, a CI
/// runner's pipe) would otherwise reach every process it starts, learner code among them,
/// and let it write to files no sandbox shows it. The descriptors pygrade hands on are made
/// for that, each at its number.
pub(crate) fn close_inherited_on_exec() {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    let listed: Vec<RawFd> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse().ok())
        .filter(|&fd| fd > 2)
        .collect();
    for fd in listed {
        // SAFETY: F_SETFD only sets the number's flags; on the listing's own descriptor,
        // closed by now, it fails and changes nothing.
        unsafe { nix::libc::fcntl(fd, nix::libc::F_SETFD, nix::libc::FD_CLOEXEC) };
    }
}

/// Between fork and exec: makes descriptor `from` open as `to` in the program to come. `dup2`
/// onto its own number would do nothing, and so leave a close-on-exec descriptor to close at
/// the exec (as a pipe's end is when the caller's own descriptors took every lower number):
/// there the flag is cleared instead.
pub(crate) fn open_across_exec(from: RawFd, to: RawFd) -> std::io::Result<()> {
    // SAFETY: plain system calls on descriptor numbers, safe between fork and exec.
    let done = if from == to {
        unsafe { nix::libc::fcntl(to, nix::libc::F_SETFD, 0) }
    } else {
        unsafe { nix::libc::dup2(from, to) }
    };
    if done == -1 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}
