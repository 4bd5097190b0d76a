//! The sandbox around learner processes: pygrade's own (`builtin`), bubblewrap (`bwrap`), or
//! nothing beyond the supervisor's process containment and the cleared environment.
//!
//! Both sandboxes start every learner process in new user, pid, network, ipc and uts
//! namespaces (and cgroup, where the kernel has them), as the only tree in its pid namespace
//! (so nothing it starts survives it), with no network at all, a read-only view of the
//! system's and Python's files, and write access to its job's own folder only. The caller's
//! home, other jobs' folders, the bank and its reference solutions are not in its view. The
//! built-in one (see `builtin/`) adds a seccomp filter and Landlock. This module decides which
//! sandbox is in force, probing that it works here, and says how to wrap a command in it; the
//! launcher puts that in front of each command.

use std::ffi::OsString;
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Result, bail};

use super::builtin::{self, Layers, Root};

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

/// The descriptor a sandbox reads its setup from: bwrap its options, the built-in sandbox
/// its spec.
pub(crate) const SETUP_FD: i32 = builtin::SPEC_FD;

/// A command ready to start: `setup`, when not empty, must reach it on [`SETUP_FD`].
pub(crate) struct Wrapped {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(String, OsString)>,
    pub setup: Vec<u8>,
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
    /// The built-in sandbox where the kernel allows it, else bwrap where that works, else
    /// none (and every report says why).
    Auto,
    /// The built-in sandbox or fail.
    Builtin,
    /// bwrap or fail.
    Bwrap,
    None,
}

#[derive(Debug, Clone)]
pub(crate) enum Sandbox {
    /// pygrade's own, with the layers a probe found in force.
    Builtin { layers: Layers },
    Bwrap {
        program: PathBuf,
        /// Why `auto` did not take the built-in sandbox, when it was asked for.
        instead_of_builtin: Option<String>,
    },
    /// Process groups, limits and a cleared environment only; `why` says what is missing.
    None { why: String },
    /// For a process that runs no learner code.
    Off,
}

impl Sandbox {
    /// The sandbox `choice` asks for: `auto` takes the built-in one when it works here, else
    /// bwrap, and says why not otherwise; `builtin` and `bwrap` insist on theirs.
    pub(crate) fn detect(choice: Choice) -> Result<Sandbox> {
        let builtin = || probe_builtin().map(|layers| Sandbox::Builtin { layers });
        let bwrap = |instead_of_builtin| {
            let program = find_bwrap().ok_or_else(|| {
                "bubblewrap (bwrap) is not installed: on Debian or Ubuntu, `apt-get install bubblewrap`".to_string()
            })?;
            probe_bwrap(&program)?;
            Ok::<_, String>(Sandbox::Bwrap {
                program,
                instead_of_builtin,
            })
        };
        match choice {
            Choice::None => Ok(Sandbox::None {
                why: "turned off with --sandbox none".into(),
            }),
            Choice::Builtin => builtin().or_else(|why| bail!("--sandbox builtin: {why}")),
            Choice::Bwrap => bwrap(None).or_else(|why| bail!("--sandbox bwrap: {why}")),
            Choice::Auto => Ok(match builtin() {
                Ok(sandbox) => sandbox,
                Err(no_builtin) => bwrap(Some(no_builtin.clone())).unwrap_or_else(|no_bwrap| {
                    Sandbox::None {
                        why: format!("the built-in sandbox cannot run here ({no_builtin}), nor bwrap ({no_bwrap})"),
                    }
                }),
            }),
        }
    }

    /// One line for reports and `pygrade doctor`: `builtin`, `bwrap` or `none (why)`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Sandbox::Builtin { .. } => "builtin".into(),
            Sandbox::Bwrap { .. } => "bwrap".into(),
            Sandbox::None { why } => format!("none ({why})"),
            Sandbox::Off => "none".into(),
        }
    }

    /// What runs `program args` with environment `env` inside the sandbox: unchanged without
    /// one. The sandbox's setup, and the environment, go through a descriptor, so that inside
    /// the sandbox process 1's command line shows nothing of the caller (the built-in
    /// sandbox's is `/proc/self/exe __sandbox`; bwrap's, the learner's command) and its
    /// environment nothing at all.
    pub(crate) fn wrap(
        &self,
        program: &Path,
        args: &[OsString],
        env: &[(String, OsString)],
        cwd: &Path,
        view: &View<'_>,
    ) -> Wrapped {
        match self {
            Sandbox::Builtin { .. } => {
                let spec = builtin::Spec {
                    program: program.to_path_buf(),
                    args: args.to_vec(),
                    env: env.to_vec(),
                    cwd: cwd.to_path_buf(),
                    root: root(view),
                    probe: false,
                };
                Wrapped {
                    // This binary, run again by the supervisor, which is this binary too.
                    program: PathBuf::from("/proc/self/exe"),
                    args: vec!["__sandbox".into()],
                    env: Vec::new(),
                    setup: serde_json::to_vec(&spec).expect("a spec is always JSON"),
                }
            }
            Sandbox::Bwrap { program: bwrap, .. } => {
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
                    setup: nul_ended(&bwrap_options(env, cwd, view)),
                }
            }
            Sandbox::None { .. } | Sandbox::Off => Wrapped {
                program: program.to_path_buf(),
                args: args.to_vec(),
                env: env.to_vec(),
                setup: Vec::new(),
            },
        }
    }

    /// Whether the command's death by a signal reaches the supervisor as an exit code of 128
    /// plus the signal's number (bwrap's way), not as that signal.
    pub(crate) fn codes_signals(&self) -> bool {
        matches!(self, Sandbox::Bwrap { .. })
    }
}

/// The built-in sandbox's root for `view`.
pub(super) fn root(view: &View<'_>) -> Root {
    Root {
        system: SYSTEM.iter().map(PathBuf::from).collect(),
        readable: view.readable.to_vec(),
        writable: view.writable.to_vec(),
        protected: view.protected.to_vec(),
        scratch: view.scratch.map(Path::to_path_buf),
    }
}

/// bwrap's options for `view`, with the environment and working folder.
fn bwrap_options(env: &[(String, OsString)], cwd: &Path, view: &View<'_>) -> Vec<OsString> {
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
    out
}

/// Options as bwrap's `--args` reads them: each ended by a NUL byte.
fn nul_ended(options: &[OsString]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for option in options {
        bytes.extend_from_slice(option.as_encoded_bytes());
        bytes.push(0);
    }
    bytes
}

fn find_bwrap() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("bwrap"))
        .find(|candidate| candidate.is_file())
}

/// An empty view: the system's files only.
const NOTHING: View<'static> = View {
    readable: &[],
    writable: &[],
    protected: &[],
    scratch: None,
};

/// Runs a trivial command in bwrap as pygrade would use it: installed is not the same as
/// working (user namespaces may be disabled).
fn probe_bwrap(bwrap: &Path) -> Result<(), String> {
    let mut args = bwrap_options(&[], Path::new("/"), &NOTHING);
    args.push("/bin/true".into());
    match Command::new(bwrap)
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

/// Makes the built-in sandbox as a check would, with nothing but the system in view, and asks
/// it which layers are in force. The reason and the fix when it cannot be made.
fn probe_builtin() -> Result<Layers, String> {
    let spec = builtin::Spec {
        program: PathBuf::from("/bin/true"),
        args: Vec::new(),
        env: Vec::new(),
        cwd: PathBuf::from("/"),
        root: root(&NOTHING),
        probe: true,
    };
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find pygrade's own executable: {e}"))?;
    let run = || -> std::io::Result<std::process::Output> {
        let (reader, mut writer) = std::io::pipe()?;
        // A spec is a few hundred bytes: it fits in the pipe before anything reads it.
        std::io::Write::write_all(&mut writer, &serde_json::to_vec(&spec)?)?;
        drop(writer);
        let reader = OwnedFd::from(reader);
        let from = reader.as_raw_fd();
        let mut command = Command::new(exe);
        command
            .arg("__sandbox")
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: plain system calls, safe between fork and exec; `reader` stays open until
        // the command has been spawned.
        unsafe {
            command.pre_exec(move || crate::contain::descriptors::open_across_exec(from, SETUP_FD));
        }
        let output = command.output();
        drop(reader);
        output
    };
    let output = run().map_err(|e| format!("the built-in sandbox could not be tried: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let said = stderr
        .lines()
        .last()
        .unwrap_or("")
        .trim_start_matches("pygrade: the built-in sandbox could not start: ");
    if !output.status.success() {
        return Err(builtin::why_not(said));
    }
    serde_json::from_slice(&output.stdout).map_err(|_| {
        let mut out = String::new();
        let _ = output.stdout.as_slice().read_to_string(&mut out);
        format!("the built-in sandbox's probe said {out:?}: {said}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `python word_count.py` in a job folder, wrapped by `sandbox`.
    fn wrap_word_count(sandbox: &Sandbox) -> Wrapped {
        let view = View {
            readable: &[PathBuf::from("/opt/python")],
            writable: &[PathBuf::from("/tmp/job")],
            protected: &[PathBuf::from("/tmp/job/work/tests")],
            scratch: Some(Path::new("/tmp/job/tmp")),
        };
        let env = [("HOME".to_string(), OsString::from("/tmp/job/tmp"))];
        sandbox.wrap(
            Path::new("/opt/python/bin/python"),
            &["word_count.py".into()],
            &env,
            Path::new("/tmp/job/work"),
            &view,
        )
    }

    #[test]
    fn bwrap_gets_its_options_and_the_environment_through_a_descriptor() {
        let sandbox = Sandbox::Bwrap {
            program: PathBuf::from("/usr/bin/bwrap"),
            instead_of_builtin: None,
        };
        let wrapped = wrap_word_count(&sandbox);
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
        let setup = String::from_utf8(wrapped.setup).unwrap();
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
    fn the_builtin_sandbox_gets_the_command_and_its_environment_through_a_descriptor() {
        let sandbox = Sandbox::Builtin {
            layers: Layers {
                namespaces: vec!["user".into()],
                seccomp: true,
                landlock: None,
            },
        };
        let wrapped = wrap_word_count(&sandbox);
        // What process 1 of the sandbox shows: nothing of the caller, nor of the command.
        assert_eq!(wrapped.program, PathBuf::from("/proc/self/exe"));
        assert_eq!(wrapped.args, [OsString::from("__sandbox")]);
        assert!(wrapped.env.is_empty());
        let spec: builtin::Spec = serde_json::from_slice(&wrapped.setup).unwrap();
        assert_eq!(spec.program, PathBuf::from("/opt/python/bin/python"));
        assert_eq!(spec.args, [OsString::from("word_count.py")]);
        assert_eq!(
            spec.env,
            [("HOME".to_string(), OsString::from("/tmp/job/tmp"))]
        );
        assert_eq!(spec.cwd, PathBuf::from("/tmp/job/work"));
        assert_eq!(spec.root.writable, [PathBuf::from("/tmp/job")]);
        assert_eq!(spec.root.protected, [PathBuf::from("/tmp/job/work/tests")]);
        assert_eq!(spec.root.scratch, Some(PathBuf::from("/tmp/job/tmp")));
        assert!(spec.root.system.contains(&PathBuf::from("/usr")));
        assert!(!spec.probe);
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
