//! Commands: one file per command. Each wires the pipeline's stages together for one job of
//! the user's; none decides a grade or draws a report itself.

mod batch;
mod check;
mod demo;
mod doctor;
mod exercism_run;
mod hint;
mod init;
mod list;
mod mutants;
mod setup;
mod verify;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command};
use crate::exit::Outcome;
use crate::settings::Settings;

pub(crate) fn run(cli: Cli) -> Result<Outcome> {
    // The supervisor starts for every contained process, and the built-in sandbox inside it
    // for every sandboxed one: they need no settings.
    if let Command::Supervise { spec, command } = &cli.command {
        crate::contain::supervise::run(spec, command)?;
        return Ok(Outcome::Success);
    }
    if let Command::Sandbox = cli.command {
        crate::contain::builtin::run();
    }
    let settings = Settings::new(&cli.global);
    match cli.command {
        Command::Supervise { .. } | Command::Sandbox => unreachable!("handled above"),
        Command::Init { dir } => init::run(&settings, &dir),
        Command::List {
            exercises,
            workspace,
        } => list::run(&settings, &exercises, workspace.as_deref()),
        Command::Check(args) => check::run(&settings, args),
        Command::Batch(args) => batch::run(&settings, args),
        Command::Merge { shards, out } => batch::merge(&settings, &shards, &out),
        Command::Demo(args) => demo::run(&settings, args),
        Command::Hint {
            exercise,
            all,
            workspace,
        } => hint::run(&settings, &exercise, all, workspace.as_deref()),
        Command::Verify {
            exercises,
            jobs,
            mutants: true,
            sample,
            json,
        } => mutants::run(&settings, jobs, &exercises, sample, json.as_deref()),
        Command::Verify {
            exercises,
            jobs,
            json,
            ..
        } => verify::run(&settings, jobs, &exercises, json.as_deref()),
        Command::Setup { print_python } => setup::run(&settings, print_python),
        Command::Doctor => doctor::run(&settings),
        Command::ExercismRun {
            slug,
            input,
            output,
            timeout,
        } => exercism_run::run(&settings, &slug, &input, &output, timeout),
    }
}

/// Writes the file at `path` as `render` makes it, whole or not at all: a file that fails
/// halfway never replaces the last good one. A path that is no regular file (`/dev/stdout`,
/// `/dev/null`, a pipe such as bash's `>(...)`) is written straight into, never replaced.
pub(crate) fn write_atomically(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|meta| !meta.is_file() && !meta.is_dir()) {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("could not open {}", path.display()))?;
        let mut out = std::io::BufWriter::new(file);
        render(&mut out).with_context(|| format!("could not write {}", path.display()))?;
        out.flush()
            .with_context(|| format!("could not write {}", path.display()))?;
        return Ok(());
    }
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut staged = tempfile::NamedTempFile::new_in(folder)
        .with_context(|| format!("could not create a file in {}", folder.display()))?;
    {
        let mut out = std::io::BufWriter::new(staged.as_file_mut());
        render(&mut out).with_context(|| format!("could not write {}", path.display()))?;
        out.flush()?;
    }
    // Reports are for reading by others too (a CI artifact, a mentor's share), as files
    // written by any other tool would be; the staging file starts private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = staged
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    staged
        .persist(path)
        .with_context(|| format!("could not write {}", path.display()))?;
    Ok(())
}
