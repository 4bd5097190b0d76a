//! Files written whole or not at all: a report, a gradebook or the workspace's memory of
//! hints never ends half-written when the process is stopped midway.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_stopped_midway_leaves_the_last_good_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        write_atomically(&path, |out| out.write_all(b"{\"version\": 2}")).unwrap();
        let stopped = write_atomically(&path, |out| {
            out.write_all(b"{\"vers")?;
            Err(std::io::Error::other("stopped"))
        });
        assert!(stopped.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"version\": 2}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no staging file is left behind"
        );
    }
}
