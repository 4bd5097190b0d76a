//! The program a warm worker runs: a copy of pygrade with the bytes it must not show wiped.
//!
//! A warm worker's forks run learner code in a process whose image is the worker's program,
//! not Python's: learner code could read that image, from its own memory or through
//! `/proc/self/exe`. pygrade's own binary carries its bundled bank, reference solutions and
//! hidden tests among it, so a worker never runs it. It runs a copy in which every byte of the
//! bank's files is zero (the worker never needs them), made once per pygrade binary and kept
//! in pygrade's cache, where only the user who made it may read it. A copy no run has used for
//! a day is removed when the next copy is made, so that the copies of binaries since upgraded
//! or rebuilt do not pile up there.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, bail};

/// A copy unused for this long is removed when another is made (and made again if its binary
/// runs after all).
const UNUSED_FOR: Duration = Duration::from_secs(24 * 60 * 60);
/// The name of a copy's folder in the cache begins with this.
const PREFIX: &str = "warm-";

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
    let dir = cache.join(format!("{PREFIX}{name}"));
    let program = dir.join("pygrade-warm");
    if program.is_file() {
        // When it was last used is its modification time.
        let _ = std::fs::File::open(&program).and_then(|f| f.set_modified(SystemTime::now()));
        return Ok(program);
    }
    remove_unused(cache);
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

/// Removes the copies in `cache` that no run has used for [`UNUSED_FOR`] (or, of one still
/// being made, since its folder was made). What cannot be removed stays.
fn remove_unused(cache: &Path) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    for entry in entries.flatten() {
        let dir = entry.path();
        if !entry.file_name().to_string_lossy().starts_with(PREFIX) {
            continue;
        }
        let used = std::fs::metadata(dir.join("pygrade-warm"))
            .or_else(|_| std::fs::metadata(&dir))
            .and_then(|meta| meta.modified());
        if used.is_ok_and(|at| at.elapsed().is_ok_and(|age| age > UNUSED_FOR)) {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
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

    #[test]
    fn making_a_copy_removes_those_no_run_has_used_for_a_day() {
        let cache = tempfile::tempdir().unwrap();
        let copy = |name: &str, used: Duration| {
            let program = cache.path().join(name).join("pygrade-warm");
            std::fs::create_dir_all(program.parent().unwrap()).unwrap();
            std::fs::write(&program, b"an older pygrade").unwrap();
            let file = std::fs::File::open(&program).unwrap();
            file.set_modified(SystemTime::now() - used).unwrap();
            program
        };
        let old = copy("warm-old", UNUSED_FOR + Duration::from_secs(60));
        let recent = copy("warm-recent", UNUSED_FOR - Duration::from_secs(60));
        let other = cache.path().join("python-env");
        std::fs::create_dir(&other).unwrap();
        let long_ago = SystemTime::now() - 2 * UNUSED_FOR;
        std::fs::File::open(&other)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        let made = scrubbed(cache.path(), &[SECRET]).unwrap();
        assert!(made.is_file());
        assert!(
            !old.parent().unwrap().exists(),
            "unused for over a day: removed"
        );
        assert!(recent.is_file(), "used within the day: kept");
        assert!(other.is_dir(), "not a copy: kept");
        // Finding a copy counts as using it; only making one removes others.
        std::fs::File::open(&made)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
        copy("warm-again", UNUSED_FOR + Duration::from_secs(60));
        assert_eq!(scrubbed(cache.path(), &[SECRET]).unwrap(), made);
        let used = std::fs::metadata(&made).unwrap().modified().unwrap();
        assert!(
            used.elapsed().unwrap() < Duration::from_secs(60),
            "{used:?}"
        );
        assert!(
            cache.path().join("warm-again").exists(),
            "nothing is removed without a new copy"
        );
    }
}
