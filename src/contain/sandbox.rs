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

/// The descriptor bwrap reads its options from.
pub(crate) const SETUP_FD: i32 = 4;

/// A command ready to start: `setup`, when not empty, must reach it on [`SETUP_FD`].
pub(crate) struct Wrapped {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(String, OsString)>,
    pub setup: Vec<OsString>,
}

impl Wrapped {
    /// The options for [`SETUP_FD`], each ended by a NUL byte.
    pub(crate) fn setup_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for option in &self.setup {
            bytes.extend_from_slice(option.as_encoded_bytes());
            bytes.push(0);
        }
        bytes
    }

    /// The command line with the setup options written out in it (for the probe, whose
    /// command line nobody sees).
    fn inline(self) -> Vec<OsString> {
        let mut args = self.setup;
        args.extend(self.args.into_iter().skip(2));
        args
    }
}

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

/// Which sandbox a run asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Choice {
    /// bwrap when a trial run works here, else none (and every report says why).
    Auto,
    /// bwrap or fail.
    Bwrap,
    None,
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
    pub(crate) fn detect(choice: Choice) -> Result<Sandbox> {
        if choice == Choice::None {
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
            (Err(why), Choice::Bwrap) => bail!("--sandbox bwrap: {why}"),
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

    /// What runs `program args` with environment `env` inside the sandbox: unchanged without
    /// one. bwrap's own options, and the environment, go through a descriptor (`--args`), so
    /// that inside the sandbox, where bwrap is process 1, its command line shows only the
    /// learner's command and its environment nothing at all.
    pub(crate) fn wrap(
        &self,
        program: &Path,
        args: &[OsString],
        env: &[(String, OsString)],
        cwd: &Path,
        view: &View<'_>,
    ) -> Wrapped {
        let Sandbox::Bwrap { program: bwrap } = self else {
            return Wrapped {
                program: program.to_path_buf(),
                args: args.to_vec(),
                env: env.to_vec(),
                setup: Vec::new(),
            };
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
        // Everything else is read-only, bwrap's own root and /dev included: they are in
        // memory, and writes there would count toward no limit.
        for fixed in ["/dev", "/"] {
            out.extend(["--remount-ro".into(), fixed.into()]);
        }
        out.push("--clearenv".into());
        for (key, value) in env {
            out.extend(["--setenv".into(), key.into(), value.clone()]);
        }
        out.extend(["--chdir".into(), cwd.into()]);
        let mut command: Vec<OsString> = vec![
            "--args".into(),
            SETUP_FD.to_string().into(),
            "--".into(),
            program.into(),
        ];
        command.extend(args.iter().cloned());
        Wrapped {
            program: bwrap.clone(),
            args: command,
            env: Vec::new(),
            setup: out,
        }
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
    let wrapped = sandbox.wrap(Path::new("/bin/true"), &[], &[], Path::new("/"), &view);
    match Command::new(wrapped.program.clone())
        .args(wrapped.inline())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bwrap_gets_its_options_and_the_environment_through_a_descriptor() {
        let sandbox = Sandbox::Bwrap {
            program: PathBuf::from("/usr/bin/bwrap"),
        };
        let view = View {
            readable: &[PathBuf::from("/opt/python")],
            writable: &[PathBuf::from("/tmp/job")],
            protected: &[PathBuf::from("/tmp/job/work/tests")],
            scratch: Some(Path::new("/tmp/job/tmp")),
        };
        let env = [("HOME".to_string(), OsString::from("/tmp/job/tmp"))];
        let wrapped = sandbox.wrap(
            Path::new("/opt/python/bin/python"),
            &["word_count.py".into()],
            &env,
            Path::new("/tmp/job/work"),
            &view,
        );
        // What process 1 of the sandbox shows: the learner's command, nothing of the setup.
        let argv: Vec<&str> = wrapped.args.iter().map(|a| a.to_str().unwrap()).collect();
        assert_eq!(
            argv,
            [
                "--args",
                "4",
                "--",
                "/opt/python/bin/python",
                "word_count.py"
            ]
        );
        assert!(
            wrapped.env.is_empty(),
            "bwrap itself starts with no environment"
        );
        let setup = String::from_utf8(wrapped.setup_bytes()).unwrap();
        for expected in [
            "--clearenv\0--setenv\0HOME\0/tmp/job/tmp\0",
            "--bind\0/tmp/job/tmp\0/tmp\0",
            "--ro-bind\0/tmp/job/work/tests\0/tmp/job/work/tests\0",
            "--unshare-all\0",
        ] {
            assert!(setup.contains(expected), "{expected:?} in {setup:?}");
        }
    }

    #[test]
    fn without_a_sandbox_the_command_is_unchanged() {
        let view = View {
            readable: &[],
            writable: &[],
            protected: &[],
            scratch: None,
        };
        let env = [("HOME".to_string(), OsString::from("/h"))];
        let wrapped = Sandbox::Off.wrap(Path::new("/bin/python"), &[], &env, Path::new("/"), &view);
        assert_eq!(wrapped.program, PathBuf::from("/bin/python"));
        assert_eq!(wrapped.env.len(), 1);
        assert!(wrapped.setup.is_empty());
    }
}
