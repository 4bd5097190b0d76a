//! The sandbox around learner processes: bubblewrap (`bwrap`) when it works, else nothing
//! beyond the supervisor's process containment and the cleared environment.
//!
//! With bwrap, every learner process starts in new user, pid, network, ipc and uts
//! namespaces, as the only tree in its pid namespace (so nothing it starts survives it), with
//! no network at all, a read-only view of the system's and Python's files, and write access
//! to its job's own folder only. The caller's home, other jobs' folders, the bank and its
//! reference solutions are not in its view. This module decides which sandbox is in force and
//! builds bwrap's arguments; the launcher puts them in front of each command.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Result, bail};

use crate::cli::SandboxChoice;

/// System folders learner processes may read (when present): programs, libraries, and the
/// few files of /etc that the dynamic loader and Python's start-up read.
const SYSTEM: &[&str] = &[
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/alternatives",
];

/// What a sandboxed process sees of the files outside the system's.
pub(crate) struct View<'a> {
    /// Folders it may read.
    pub readable: &'a [PathBuf],
    /// Folders it may write.
    pub writable: &'a [PathBuf],
    /// Folders inside `writable` that stay read-only.
    pub protected: &'a [PathBuf],
    /// Its /tmp and /dev/shm; without one, an empty tmpfs is its /tmp.
    pub scratch: Option<&'a Path>,
}

#[derive(Debug, Clone)]
pub(crate) enum Sandbox {
    Bwrap {
        program: PathBuf,
    },
    /// Process groups, limits and a cleared environment only; `why` says what is missing.
    None {
        why: String,
    },
    /// For a process that runs no learner code.
    Off,
}

impl Sandbox {
    /// The sandbox `choice` asks for: `auto` takes bwrap when it works here and says why
    /// not otherwise; `bwrap` insists on it.
    pub(crate) fn detect(choice: SandboxChoice) -> Result<Sandbox> {
        if choice == SandboxChoice::None {
            return Ok(Sandbox::None {
                why: "turned off with --sandbox none".into(),
            });
        }
        let found = match find_bwrap() {
            None => Err("bubblewrap (bwrap) is not installed: on Debian or Ubuntu, `apt-get install bubblewrap`".to_string()),
            Some(program) => probe(&program).map(|()| program),
        };
        match (found, choice) {
            (Ok(program), _) => Ok(Sandbox::Bwrap { program }),
            (Err(why), SandboxChoice::Bwrap) => bail!("--sandbox bwrap: {why}"),
            (Err(why), _) => Ok(Sandbox::None { why }),
        }
    }

    /// One line for reports and `pygrade doctor`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Sandbox::Bwrap { .. } => "bwrap".into(),
            Sandbox::None { why } => format!("none ({why})"),
            Sandbox::Off => "none".into(),
        }
    }

    /// The command line that runs `program args` inside the sandbox: unchanged without one.
    pub(crate) fn wrap(
        &self,
        program: &Path,
        args: &[OsString],
        cwd: &Path,
        view: &View<'_>,
    ) -> (PathBuf, Vec<OsString>) {
        let Sandbox::Bwrap { program: bwrap } = self else {
            return (program.to_path_buf(), args.to_vec());
        };
        let mut out: Vec<OsString> = [
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
        ]
        .iter()
        .map(Into::into)
        .collect();
        // Before the folders below, so that those stay in view at their own paths even when
        // they lie under /tmp (bwrap makes their mount points in the scratch folder).
        match view.scratch {
            Some(scratch) => {
                for inside in ["/tmp", "/dev/shm"] {
                    out.extend(["--bind".into(), scratch.into(), inside.into()]);
                }
            }
            None => out.extend(["--tmpfs".into(), "/tmp".into()]),
        }
        let mut bind = |flag: &str, path: &Path| {
            out.extend([flag.into(), path.into(), path.into()]);
        };
        for path in SYSTEM {
            bind("--ro-bind-try", Path::new(path));
        }
        for path in view.readable {
            bind("--ro-bind-try", path);
        }
        for path in view.writable {
            bind("--bind", path);
        }
        for path in view.protected {
            bind("--ro-bind", path);
        }
        out.extend(["--chdir".into(), cwd.into(), "--".into(), program.into()]);
        out.extend(args.iter().cloned());
        (bwrap.clone(), out)
    }

    pub(crate) fn is_active(&self) -> bool {
        matches!(self, Sandbox::Bwrap { .. })
    }
}

fn find_bwrap() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("bwrap"))
        .find(|candidate| candidate.is_file())
}

/// Runs a trivial command in the sandbox pygrade would use: installed is not the same as
/// working (user namespaces may be disabled).
fn probe(bwrap: &Path) -> Result<(), String> {
    let sandbox = Sandbox::Bwrap {
        program: bwrap.to_path_buf(),
    };
    let view = View {
        readable: &[],
        writable: &[],
        protected: &[],
        scratch: None,
    };
    let (program, args) = sandbox.wrap(Path::new("/bin/true"), &[], Path::new("/"), &view);
    match Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
    {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "bwrap is installed but cannot create a sandbox here ({}): allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("bwrap could not be run: {e}")),
    }
}
