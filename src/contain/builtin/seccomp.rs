//! The system calls learner code never needs, refused inside the built-in sandbox.
//!
//! A seccomp filter (compiled by `seccompiler`, in pure Rust) makes each call in [`DENIED`]
//! fail with EPERM, as if the process lacked the privilege, so a program that tries one gets
//! an error it can handle rather than a crash: reading or writing other processes (`ptrace`
//! and its kin), the kernel's keyrings (which the sandbox shares with the caller's session),
//! mounting and new namespaces, loading kernel modules, `kexec`, `bpf`, `perf_event_open`,
//! `userfaultfd`, `io_uring`, and the calls that change the machine (clock, swap, reboot).
//! `ioctl` is refused for TIOCSTI and TIOCLINUX, which push input into a terminal. `clone`
//! is refused when it asks for a namespace, and `clone3`, whose flags a filter cannot read,
//! answers ENOSYS, which makes the C library fall back to `clone`.
//!
//! The filter is installed last before `exec`, after `no_new_privs`, and holds for every
//! process the command starts. Any other architecture's calls (32-bit x86 on x86-64) end the
//! process; x32 calls are refused.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use nix::libc;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch, sock_filter,
};

/// The calls refused outright, by name (for `pygrade doctor`) and number.
pub(crate) const DENIED: &[(&str, libc::c_long)] = &[
    // Other processes' memory and descriptors.
    ("ptrace", libc::SYS_ptrace),
    ("process_vm_readv", libc::SYS_process_vm_readv),
    ("process_vm_writev", libc::SYS_process_vm_writev),
    ("pidfd_getfd", libc::SYS_pidfd_getfd),
    // The kernel's keyrings.
    ("add_key", libc::SYS_add_key),
    ("request_key", libc::SYS_request_key),
    ("keyctl", libc::SYS_keyctl),
    // Mounts and namespaces.
    ("mount", libc::SYS_mount),
    ("umount2", libc::SYS_umount2),
    ("pivot_root", libc::SYS_pivot_root),
    ("chroot", libc::SYS_chroot),
    ("open_tree", libc::SYS_open_tree),
    ("move_mount", libc::SYS_move_mount),
    ("fsopen", libc::SYS_fsopen),
    ("fsconfig", libc::SYS_fsconfig),
    ("fsmount", libc::SYS_fsmount),
    ("fspick", libc::SYS_fspick),
    ("mount_setattr", libc::SYS_mount_setattr),
    ("unshare", libc::SYS_unshare),
    ("setns", libc::SYS_setns),
    // Kernel modules and kexec.
    ("init_module", libc::SYS_init_module),
    ("finit_module", libc::SYS_finit_module),
    ("delete_module", libc::SYS_delete_module),
    ("kexec_load", libc::SYS_kexec_load),
    ("kexec_file_load", libc::SYS_kexec_file_load),
    // The kernel's larger attack surfaces.
    ("bpf", libc::SYS_bpf),
    ("perf_event_open", libc::SYS_perf_event_open),
    ("userfaultfd", libc::SYS_userfaultfd),
    ("io_uring_setup", libc::SYS_io_uring_setup),
    ("io_uring_enter", libc::SYS_io_uring_enter),
    ("io_uring_register", libc::SYS_io_uring_register),
    ("open_by_handle_at", libc::SYS_open_by_handle_at),
    // The machine's clock, swap, logs and power.
    ("settimeofday", libc::SYS_settimeofday),
    ("clock_settime", libc::SYS_clock_settime),
    ("clock_adjtime", libc::SYS_clock_adjtime),
    ("swapon", libc::SYS_swapon),
    ("swapoff", libc::SYS_swapoff),
    ("syslog", libc::SYS_syslog),
    ("acct", libc::SYS_acct),
    ("quotactl", libc::SYS_quotactl),
    ("reboot", libc::SYS_reboot),
];

/// `ioctl` requests refused: both put bytes into a terminal's input.
const DENIED_IOCTLS: &[u64] = &[libc::TIOCSTI, libc::TIOCLINUX];

/// The namespace flags `clone` is refused with.
const NAMESPACES: &[libc::c_int] = &[
    libc::CLONE_NEWNS,
    libc::CLONE_NEWUTS,
    libc::CLONE_NEWIPC,
    libc::CLONE_NEWUSER,
    libc::CLONE_NEWPID,
    libc::CLONE_NEWNET,
    libc::CLONE_NEWCGROUP,
    libc::CLONE_NEWTIME,
];

/// The architecture the filters are built for, where `seccompiler` knows it.
fn arch() -> Option<TargetArch> {
    TargetArch::try_from(std::env::consts::ARCH).ok()
}

/// The filters, in the order they are installed: the refusals (EPERM), then `clone3`
/// (ENOSYS). `None` on an architecture without them.
pub(crate) fn filters() -> Result<Option<[BpfProgram; 2]>> {
    let Some(arch) = arch() else {
        return Ok(None);
    };
    let arg = |index: u8, len: SeccompCmpArgLen, op: SeccompCmpOp, value: u64| {
        SeccompCondition::new(index, len, op, value)
    };
    let mut rules: BTreeMap<i64, Vec<SeccompRule>> = DENIED
        .iter()
        .map(|&(_, number)| (number, Vec::new()))
        .collect();
    // ioctl's request is an unsigned int: only its low 32 bits count.
    let ioctls = DENIED_IOCTLS
        .iter()
        .map(|&request| {
            SeccompRule::new(vec![arg(
                1,
                SeccompCmpArgLen::Dword,
                SeccompCmpOp::Eq,
                request,
            )?])
        })
        .collect::<Result<Vec<_>, _>>()?;
    rules.insert(libc::SYS_ioctl, ioctls);
    let clones = NAMESPACES
        .iter()
        .map(|&flag| {
            let flag = flag as u64;
            SeccompRule::new(vec![arg(
                0,
                SeccompCmpArgLen::Qword,
                SeccompCmpOp::MaskedEq(flag),
                flag,
            )?])
        })
        .collect::<Result<Vec<_>, _>>()?;
    rules.insert(libc::SYS_clone, clones);
    let refused = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )?;
    let clone3 = SeccompFilter::new(
        [(libc::SYS_clone3, Vec::new())].into_iter().collect(),
        SeccompAction::Allow,
        SeccompAction::Errno(libc::ENOSYS as u32),
        arch,
    )?;
    let mut refused: BpfProgram = refused.try_into()?;
    if arch == TargetArch::x86_64 {
        refused.splice(0..0, refuse_x32());
    }
    Ok(Some([refused, clone3.try_into()?]))
}

/// Installs the filters on this process, which must have `no_new_privs` set. Whether there
/// was a filter for this architecture.
pub(crate) fn install() -> Result<bool> {
    let Some(filters) = filters().context("could not build the seccomp filter")? else {
        return Ok(false);
    };
    for filter in &filters {
        seccompiler::apply_filter(filter).context("could not install the seccomp filter")?;
    }
    Ok(true)
}

/// On x86-64, the x32 calls (numbers with bit 30 set) share the architecture's tag, so a
/// filter by number would miss them: they are refused first.
fn refuse_x32() -> Vec<sock_filter> {
    const LOAD_NUMBER: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS, at offset 0: the call's number
    const JUMP_IF_AT_LEAST: u16 = 0x35; // BPF_JMP | BPF_JGE | BPF_K
    const RETURN: u16 = 0x06; // BPF_RET | BPF_K
    const X32: u32 = 0x4000_0000;
    const ERRNO: u32 = 0x0005_0000; // SECCOMP_RET_ERRNO
    vec![
        sock_filter {
            code: LOAD_NUMBER,
            jt: 0,
            jf: 0,
            k: 0,
        },
        // At least X32: go on to the next instruction (refuse); else skip it.
        sock_filter {
            code: JUMP_IF_AT_LEAST,
            jt: 0,
            jf: 1,
            k: X32,
        },
        sock_filter {
            code: RETURN,
            jt: 0,
            jf: 0,
            k: ERRNO | libc::EPERM as u32,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filters_build_for_this_machine_and_name_the_calls_the_issue_lists() {
        if arch().is_some() {
            let [refused, clone3] = filters().unwrap().unwrap();
            assert!(refused.len() > DENIED.len());
            assert!(!clone3.is_empty());
        }
        for call in [
            "ptrace",
            "keyctl",
            "mount",
            "init_module",
            "kexec_load",
            "bpf",
            "perf_event_open",
            "userfaultfd",
        ] {
            assert!(DENIED.iter().any(|(name, _)| *name == call), "{call}");
        }
    }
}
