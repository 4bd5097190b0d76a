//! The program a warm worker runs: a copy of pygrade with the bytes it must not show wiped.
//!
//! A warm worker's forks run learner code in a process whose image is the worker's program,
//! not Python's: learner code could read that image, from its own memory or through
//! `/proc/self/exe`. pygrade's own binary carries its bundled bank, reference solutions and
//! hidden tests among it, so a worker never runs it. It runs a copy in which every byte of the
//! bank's files is zero (the worker never needs them), made once per pygrade binary and kept
//! in pygrade's cache, where only the user who made it may read it.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The copy of this binary with `secrets` (slices of this binary's own static data) wiped, in
/// `cache`, made if it is not there yet.
pub(crate) fn scrubbed(cache: &Path, secrets: &[&'static [u8]]) -> Result<PathBuf> {
    let exe =
        std::fs::read_link("/proc/self/exe").context("cannot find pygrade's own executable")?;
    let meta = std::fs::metadata(&exe).with_context(|| format!("cannot read {}", exe.display()))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    let stamp = format!(
        "{}-{}-{}-{}",
        exe.display(),
        meta.len(),
        modified.as_nanos(),
        env!("CARGO_PKG_VERSION")
    );
    let name = crate::toolchain::short_hash(&[stamp.as_bytes()]);
    let dir = cache.join(format!("warm-{name}"));
    let program = dir.join("pygrade-warm");
    if program.is_file() {
        return Ok(program);
    }
    let wiped = file_ranges(&exe, secrets)?;
    let mut source =
        std::fs::File::open(&exe).with_context(|| format!("cannot read {}", exe.display()))?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700))?;
    // Copied a piece at a time: the binary is megabytes, and a cohort's run small.
    crate::files::write_atomically(&program, |out| {
        let mut piece = vec![0u8; 1 << 20];
        let mut at = 0;
        loop {
            let n = source.read(&mut piece)?;
            if n == 0 {
                return Ok(());
            }
            for &(offset, length) in &wiped {
                let (start, end) = (offset.max(at), (offset + length).min(at + n));
                if start < end {
                    piece[start - at..end - at].fill(0);
                }
            }
            out.write_all(&piece[..n])?;
            at += n;
        }
    })?;
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o700))?;
    Ok(program)
}

/// Where in the file `exe` each of `slices` (in this process's memory) lies: offset and length.
fn file_ranges(exe: &Path, slices: &[&'static [u8]]) -> Result<Vec<(usize, usize)>> {
    let maps = std::fs::read_to_string("/proc/self/maps").context("cannot read /proc/self/maps")?;
    // Each mapping of the executable: its addresses and the file offset it starts at.
    let mut mapped: Vec<(usize, usize, usize)> = Vec::new();
    for line in maps.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 6 || Path::new(fields[5..].join(" ").as_str()) != exe {
            continue;
        }
        let (start, end) = fields[0]
            .split_once('-')
            .context("an odd line in /proc/self/maps")?;
        let hex = |s: &str| usize::from_str_radix(s, 16);
        mapped.push((hex(start)?, hex(end)?, hex(fields[2])?));
    }
    let mut ranges = Vec::new();
    for slice in slices.iter().filter(|s| !s.is_empty()) {
        let at = slice.as_ptr() as usize;
        let Some((start, _, offset)) = mapped
            .iter()
            .find(|(start, end, _)| (*start..*end).contains(&at) && at + slice.len() <= *end)
        else {
            bail!("a part of the bank is not in pygrade's mapped image");
        };
        ranges.push((offset + (at - start), slice.len()));
    }
    Ok(ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    static SECRET: &[u8] = b"a reference solution nobody may read: 7f3a9c0e5b1d2468";

    #[test]
    fn the_copy_has_the_secret_bytes_wiped_and_everything_else_kept() {
        let cache = tempfile::tempdir().unwrap();
        let program = scrubbed(cache.path(), &[SECRET]).unwrap();
        let copy = std::fs::read(&program).unwrap();
        let original = std::fs::read("/proc/self/exe").unwrap();
        assert_eq!(copy.len(), original.len());
        let found = |image: &[u8]| image.windows(SECRET.len()).any(|w| w == SECRET);
        assert!(found(&original), "the test's secret is in the binary");
        assert!(!found(&copy), "and not in the copy");
        let differing = copy.iter().zip(&original).filter(|(a, b)| a != b).count();
        assert!(differing <= SECRET.len(), "{differing} bytes differ");
        // Made once: the second call finds it.
        assert_eq!(scrubbed(cache.path(), &[SECRET]).unwrap(), program);
    }
}
