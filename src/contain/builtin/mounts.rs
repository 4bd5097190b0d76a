//! The built-in sandbox's files: a new root, in memory, that holds only what learner code may
//! see, each folder at the same path as outside.
//!
//! [`Root::build`] runs in the sandbox's process 1, inside its new user, mount and pid
//! namespaces, before anything of the learner's starts. The new root is an empty tmpfs. Onto
//! it go a fresh /proc (with the kernel's knobs in it read-only), a /dev with only the
//! harmless devices, the scratch folder as /tmp and /dev/shm, the system's and the readable
//! folders read-only, the job's folders writable, and the protected folders inside them
//! read-only again. The old root is then detached, so nothing of it stays reachable, and the
//! new root and /dev become read-only. Binds are not recursive: a mount below a folder in
//! view stays out of view rather than keeping its own, perhaps writable, flags.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use nix::sys::statvfs::{FsFlags, statvfs};
use serde::{Deserialize, Serialize};

/// The folders of the new root besides /proc and /dev, each at its path outside.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Root {
    /// The system's folders and files, read-only, where they exist (a symbolic link, such as
    /// /bin on a merged /usr, is made again as the same link).
    pub system: Vec<PathBuf>,
    /// Further folders to read, where they exist (Python, the graders).
    pub readable: Vec<PathBuf>,
    /// Folders to write (the job's folder).
    pub writable: Vec<PathBuf>,
    /// Folders inside `writable` that stay read-only (the trusted tests).
    pub protected: Vec<PathBuf>,
    /// The folder shown as /tmp and /dev/shm; without one, each is an empty tmpfs.
    pub scratch: Option<PathBuf>,
}

/// Where the new root is made, before `pivot_root` moves it to / and the old root to
/// [`OLD`]. The tmpfs hides this folder only inside the sandbox's own mount namespace.
const BASE: &str = "/tmp";
/// Where the old root is while the new one is built (below the new root).
const OLD: &str = "/oldroot";
/// The devices in /dev: nothing that reaches hardware, memory or another terminal.
const DEVICES: &[&str] = &["null", "zero", "full", "random", "urandom", "tty"];
/// The parts of /proc that change the kernel rather than describe a process. Learner code
/// runs as the caller's user, who may be root outside the sandbox: root without capabilities
/// may still write some of these (sysctls, sysrq), so they are made read-only, as bwrap does.
const PROC_KNOBS: &[&str] = &["sys", "sysrq-trigger", "irq", "bus"];
/// The links every /dev has.
const DEV_LINKS: &[(&str, &str)] = &[
    ("fd", "/proc/self/fd"),
    ("stdin", "/proc/self/fd/0"),
    ("stdout", "/proc/self/fd/1"),
    ("stderr", "/proc/self/fd/2"),
    ("ptmx", "pts/ptmx"),
];

impl Root {
    /// Every path this root names, as it names them: each must be absolute.
    fn paths(&self) -> impl Iterator<Item = &PathBuf> {
        self.system
            .iter()
            .chain(&self.readable)
            .chain(&self.writable)
            .chain(&self.protected)
            .chain(&self.scratch)
    }

    /// Replaces the process's root, and that of every process that shares its mount
    /// namespace, with this one. Needs the capabilities of a new user namespace's owner.
    pub(crate) fn build(&self) -> Result<()> {
        if let Some(relative) = self.paths().find(|p| !p.is_absolute()) {
            bail!(
                "the sandbox's folders must be absolute: {}",
                relative.display()
            );
        }
        // Nothing done from here on may reach the caller's mount namespace.
        mount(
            None::<&str>,
            "/",
            None::<&str>,
            MsFlags::MS_REC | MsFlags::MS_PRIVATE,
            None::<&str>,
        )
        .context("could not make the sandbox's mounts private")?;
        tmpfs(Path::new(BASE), "mode=0755,size=4m")?;
        let old_inside = Path::new(BASE).join(OLD.trim_start_matches('/'));
        std::fs::create_dir(&old_inside)?;
        nix::unistd::pivot_root(BASE, &old_inside).context("could not pivot to the new root")?;
        std::env::set_current_dir("/")?;

        // /proc first: the kernel lets a user namespace mount a new /proc only while a whole
        // one is in view, which the old root's is until it goes.
        let proc = Path::new("/proc");
        std::fs::create_dir(proc)?;
        mount(
            Some("proc"),
            proc,
            Some("proc"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            None::<&str>,
        )
        .context("could not mount a new /proc")?;
        for knob in PROC_KNOBS {
            let path = proc.join(knob);
            if path.exists() {
                bind(&path, &path, Access::ReadOnly)?;
            }
        }
        self.dev()?;
        // The scratch folder before the folders below: those that lie under /tmp then stay
        // in view at their own paths (their mount points are made in the scratch folder).
        for inside in ["/tmp", "/dev/shm"] {
            let inside = Path::new(inside);
            std::fs::create_dir_all(inside)?;
            match &self.scratch {
                Some(scratch) => bind(&old(scratch), inside, Access::Writable)?,
                None => tmpfs(inside, "mode=1777,size=16m")?,
            }
        }
        for path in &self.system {
            let from = old(path);
            match std::fs::symlink_metadata(&from) {
                Ok(meta) if meta.is_symlink() => {
                    make_parent(path)?;
                    std::os::unix::fs::symlink(std::fs::read_link(&from)?, path)
                        .with_context(|| format!("could not make the link {}", path.display()))?;
                }
                Ok(_) => bind(&from, &point(&from, path)?, Access::ReadOnly)?,
                Err(_) => {}
            }
        }
        for path in &self.readable {
            let from = old(path);
            if from.exists() {
                bind(&from, &point(&from, path)?, Access::ReadOnly)?;
            }
        }
        for (paths, access) in [
            (&self.writable, Access::Writable),
            (&self.protected, Access::ReadOnly),
        ] {
            for path in paths {
                let from = old(path);
                bind(&from, &point(&from, path)?, access)?;
            }
        }

        umount2(OLD, MntFlags::MNT_DETACH).context("could not detach the old root")?;
        std::fs::remove_dir(OLD)?;
        // The in-memory folders become read-only: writes there would count toward no limit.
        remount(Path::new("/dev"), Access::ReadOnly)?;
        mount(
            None::<&str>,
            "/",
            None::<&str>,
            MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY | MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
            None::<&str>,
        )
        .context("could not make the new root read-only")?;
        Ok(())
    }

    /// A /dev of its own: a tmpfs with the harmless devices bound in from the old one, the
    /// usual links, and a private instance of devpts for programs that open a terminal.
    fn dev(&self) -> Result<()> {
        let dev = Path::new("/dev");
        std::fs::create_dir(dev)?;
        tmpfs(dev, "mode=0755,size=64k")?;
        for device in DEVICES {
            let from = old(&dev.join(device));
            if from.exists() {
                bind(&from, &point(&from, &dev.join(device))?, Access::Device)?;
            }
        }
        for (name, target) in DEV_LINKS {
            std::os::unix::fs::symlink(target, dev.join(name))?;
        }
        let pts = dev.join("pts");
        std::fs::create_dir(&pts)?;
        // A convenience, not a boundary: without it, only opening a new terminal fails.
        let _ = mount(
            Some("devpts"),
            &pts,
            Some("devpts"),
            MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
            Some("newinstance,ptmxmode=0666,mode=620"),
        );
        Ok(())
    }
}

/// What a bind allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    ReadOnly,
    Writable,
    /// A device node: usable as a device, and nothing else.
    Device,
}

/// Where `path` of the old root is while the new root is built.
fn old(path: &Path) -> PathBuf {
    Path::new(OLD).join(path.strip_prefix("/").unwrap_or(path))
}

fn make_parent(path: &Path) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("could not make {}", parent.display()))?;
    }
    Ok(())
}

/// Makes the mount point for `from` at `path`: a folder for a folder, an empty file for
/// anything else.
fn point(from: &Path, path: &Path) -> Result<PathBuf> {
    if from.is_dir() {
        std::fs::create_dir_all(path)
            .with_context(|| format!("could not make {}", path.display()))?;
    } else if !path.exists() {
        make_parent(path)?;
        std::fs::File::create(path)
            .with_context(|| format!("could not make {}", path.display()))?;
    }
    Ok(path.to_path_buf())
}

fn tmpfs(at: &Path, options: &str) -> Result<()> {
    mount(
        Some("tmpfs"),
        at,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(options),
    )
    .with_context(|| format!("could not mount a tmpfs on {}", at.display()))
}

/// Binds `from` (one mount's part, not the mounts below it) to `to`, as `access` allows.
fn bind(from: &Path, to: &Path, access: Access) -> Result<()> {
    mount(Some(from), to, None::<&str>, MsFlags::MS_BIND, None::<&str>)
        .with_context(|| format!("could not bind {} to {}", from.display(), to.display()))?;
    remount(to, access)
}

/// Sets the flags of the bind at `at` as `access` asks, keeping those it has: a mount made in
/// another user namespace refuses to lose its `nosuid`, `nodev` or `noexec`.
fn remount(at: &Path, access: Access) -> Result<()> {
    let kept = statvfs(at)
        .with_context(|| format!("could not read the flags of {}", at.display()))?
        .flags();
    let mut flags = MsFlags::MS_REMOUNT | MsFlags::MS_BIND | MsFlags::MS_NOSUID;
    for (has, keep) in [
        (FsFlags::ST_NODEV, MsFlags::MS_NODEV),
        (FsFlags::ST_NOEXEC, MsFlags::MS_NOEXEC),
        (FsFlags::ST_NOATIME, MsFlags::MS_NOATIME),
        (FsFlags::ST_NODIRATIME, MsFlags::MS_NODIRATIME),
        (FsFlags::ST_RELATIME, MsFlags::MS_RELATIME),
    ] {
        if kept.contains(has) {
            flags |= keep;
        }
    }
    match access {
        Access::ReadOnly => flags |= MsFlags::MS_RDONLY | MsFlags::MS_NODEV,
        Access::Writable => flags |= MsFlags::MS_NODEV,
        Access::Device => {}
    }
    mount(None::<&str>, at, None::<&str>, flags, None::<&str>)
        .with_context(|| format!("could not set the flags of {}", at.display()))
}
