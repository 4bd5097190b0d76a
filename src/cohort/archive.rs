//! Unpack a learner's `.zip` or `.tar.gz` safely: a submission archive is hostile input.
//!
//! Every member is checked before a byte of it is written: its path must stay inside the
//! target (no absolute path, no `..`), it must be a plain file or folder (no link, device or
//! fifo), and the counts are capped: members, bytes per member, bytes in all, and the ratio of
//! unpacked to packed bytes (a zip bomb). Sizes are counted as the bytes arrive, never taken
//! from the archive's headers. Any breach refuses the whole archive with the reason, and the
//! learner is `rejected`; the batch goes on.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// What an archive may hold.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caps {
    pub members: usize,
    pub member_bytes: u64,
    pub total_bytes: u64,
    /// Unpacked bytes per packed byte, over the whole archive.
    pub ratio: u64,
}

impl Default for Caps {
    fn default() -> Caps {
        Caps {
            members: 5_000,
            member_bytes: 16 * 1024 * 1024,
            total_bytes: 128 * 1024 * 1024,
            ratio: 200,
        }
    }
}

/// The kinds of archive a learner may hand in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Zip,
    TarGz,
}

impl Kind {
    /// The kind of archive `name` is by its extension, and the name without it.
    pub(crate) fn of(name: &str) -> Option<(Kind, &str)> {
        let lower = name.to_ascii_lowercase();
        [
            (".zip", Kind::Zip),
            (".tar.gz", Kind::TarGz),
            (".tgz", Kind::TarGz),
        ]
        .into_iter()
        .find(|(ext, _)| lower.ends_with(ext) && lower.len() > ext.len())
        .map(|(ext, kind)| (kind, &name[..name.len() - ext.len()]))
    }
}

/// Why an archive was refused: said in the learner's report.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refused {
    #[error("the archive cannot be read: {0}")]
    Unreadable(String),
    #[error("the archive's member `{0}` would land outside its folder")]
    Escapes(String),
    #[error(
        "the archive's member `{0}` is a link, device or pipe: only files and folders are taken"
    )]
    NotAFile(String),
    #[error("the archive holds more than {0} members")]
    TooManyMembers(usize),
    #[error("the archive's member `{name}` unpacks to more than {cap} bytes")]
    MemberTooLarge { name: String, cap: u64 },
    #[error("the archive unpacks to more than {0} bytes")]
    TooLarge(u64),
    #[error("the archive unpacks to more than {0} times its own size (a compression bomb?)")]
    Ratio(u64),
}

/// Unpacks the archive at `path` into the empty folder `into`.
pub(crate) fn unpack(path: &Path, kind: Kind, into: &Path, caps: Caps) -> Result<(), Refused> {
    let unreadable = |e: &dyn std::fmt::Display| Refused::Unreadable(e.to_string());
    let packed = std::fs::metadata(path).map_err(|e| unreadable(&e))?.len();
    let mut budget = Budget {
        caps,
        packed: packed.max(1),
        members: 0,
        total: 0,
    };
    let file = File::open(path).map_err(|e| unreadable(&e))?;
    match kind {
        Kind::Zip => {
            let mut archive = zip::ZipArchive::new(file).map_err(|e| unreadable(&e))?;
            for i in 0..archive.len() {
                let mut member = archive.by_index(i).map_err(|e| unreadable(&e))?;
                let name = member.name().map_err(|e| unreadable(&e))?.into_owned();
                let is_link = member
                    .unix_mode()
                    .is_some_and(|mode| mode & 0o170000 != 0o100000 && mode & 0o170000 != 0o040000);
                let entry = if member.is_dir() {
                    Entry::Folder
                } else if is_link || !member.is_file() {
                    Entry::Other
                } else {
                    Entry::File
                };
                budget.take(into, &name, entry, &mut member)?;
            }
        }
        Kind::TarGz => {
            let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
            for member in archive.entries().map_err(|e| unreadable(&e))? {
                let mut member = member.map_err(|e| unreadable(&e))?;
                let name = String::from_utf8_lossy(&member.path_bytes()).into_owned();
                let kind = member.header().entry_type();
                let entry = if kind.is_dir() {
                    Entry::Folder
                } else if kind.is_file() {
                    Entry::File
                } else if matches!(
                    kind,
                    tar::EntryType::XGlobalHeader | tar::EntryType::XHeader
                ) {
                    // pax metadata records, which the reader applies itself.
                    continue;
                } else {
                    Entry::Other
                };
                budget.take(into, &name, entry, &mut member)?;
            }
        }
    }
    Ok(())
}

enum Entry {
    File,
    Folder,
    Other,
}

/// What has been unpacked so far, against the caps.
struct Budget {
    caps: Caps,
    packed: u64,
    members: usize,
    total: u64,
}

impl Budget {
    /// Checks one member and writes it under `into`.
    fn take(
        &mut self,
        into: &Path,
        name: &str,
        entry: Entry,
        data: &mut dyn Read,
    ) -> Result<(), Refused> {
        self.members += 1;
        if self.members > self.caps.members {
            return Err(Refused::TooManyMembers(self.caps.members));
        }
        let relative = inside(name).ok_or_else(|| Refused::Escapes(name.to_string()))?;
        let target = into.join(&relative);
        let io = |e: std::io::Error| Refused::Unreadable(format!("{name}: {e}"));
        match entry {
            Entry::Other => Err(Refused::NotAFile(name.to_string())),
            Entry::Folder => std::fs::create_dir_all(&target).map_err(io),
            Entry::File => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent).map_err(io)?;
                }
                // A member named twice would replace an earlier one: no archive tool makes
                // that, so it is refused like other tricks.
                let mut out = File::options()
                    .write(true)
                    .create_new(true)
                    .open(&target)
                    .map_err(io)?;
                let mut buffer = [0u8; 64 * 1024];
                let mut written = 0u64;
                loop {
                    let n = data.read(&mut buffer).map_err(io)?;
                    if n == 0 {
                        return Ok(());
                    }
                    written += n as u64;
                    self.total += n as u64;
                    if written > self.caps.member_bytes {
                        return Err(Refused::MemberTooLarge {
                            name: name.to_string(),
                            cap: self.caps.member_bytes,
                        });
                    }
                    if self.total > self.caps.total_bytes {
                        return Err(Refused::TooLarge(self.caps.total_bytes));
                    }
                    // Small archives may compress well; the ratio speaks only past a megabyte.
                    if self.total > 1024 * 1024 && self.total / self.packed > self.caps.ratio {
                        return Err(Refused::Ratio(self.caps.ratio));
                    }
                    out.write_all(&buffer[..n]).map_err(io)?;
                }
            }
        }
    }
}

/// `name` as a path that stays inside the folder it is unpacked in: relative, with no `..`,
/// no root and no drive; `None` otherwise. `.` parts are dropped.
fn inside(name: &str) -> Option<PathBuf> {
    let mut path = PathBuf::new();
    for part in Path::new(name).components() {
        match part {
            Component::Normal(part) => path.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!path.as_os_str().is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zip_of(members: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut zip = zip::ZipWriter::new(file.reopen().unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in members {
            zip.start_file(*name, options).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap();
        file
    }

    fn tar_gz_of(
        build: impl FnOnce(&mut tar::Builder<flate2::write::GzEncoder<File>>),
    ) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        let encoder =
            flate2::write::GzEncoder::new(file.reopen().unwrap(), flate2::Compression::default());
        let mut builder = tar::Builder::new(encoder);
        build(&mut builder);
        builder.into_inner().unwrap().finish().unwrap();
        file
    }

    fn file_header(size: usize) -> tar::Header {
        let mut header = tar::Header::new_gnu();
        header.set_size(size as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header
    }

    #[test]
    fn a_zip_and_a_tar_gz_unpack_their_files_and_folders() {
        let zip = zip_of(&[("ws/a/b.py", b"x = 1\n"), ("ws/c.txt", b"c")]);
        let into = tempfile::tempdir().unwrap();
        unpack(zip.path(), Kind::Zip, into.path(), Caps::default()).unwrap();
        assert_eq!(
            std::fs::read(into.path().join("ws/a/b.py")).unwrap(),
            b"x = 1\n"
        );

        let tgz = tar_gz_of(|b| {
            let mut header = file_header(3);
            b.append_data(&mut header, "./ws/d.py", &b"y=2"[..])
                .unwrap();
        });
        let into = tempfile::tempdir().unwrap();
        unpack(tgz.path(), Kind::TarGz, into.path(), Caps::default()).unwrap();
        assert_eq!(std::fs::read(into.path().join("ws/d.py")).unwrap(), b"y=2");
    }

    #[test]
    fn a_member_that_climbs_out_is_refused_and_nothing_lands_outside() {
        let parent = tempfile::tempdir().unwrap();
        let into = parent.path().join("learner");
        std::fs::create_dir(&into).unwrap();
        let zip = zip_of(&[("../escaped.py", b"evil")]);
        let err = unpack(zip.path(), Kind::Zip, &into, Caps::default()).unwrap_err();
        assert!(matches!(err, Refused::Escapes(_)), "{err}");
        assert!(!parent.path().join("escaped.py").exists());

        // tar's own writer refuses `..`, so the name is written into the header by hand.
        let tgz = tar_gz_of(|b| {
            let mut header = file_header(4);
            header.as_gnu_mut().unwrap().name[..13].copy_from_slice(b"../escaped.py");
            header.set_cksum();
            b.append(&header, &b"evil"[..]).unwrap();
        });
        let err = unpack(tgz.path(), Kind::TarGz, &into, Caps::default()).unwrap_err();
        assert!(matches!(err, Refused::Escapes(_)), "{err}");
        assert!(!parent.path().join("escaped.py").exists());
    }

    #[test]
    fn links_are_refused() {
        let tgz = tar_gz_of(|b| {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            b.append_link(&mut header, "ws/secrets", "/etc").unwrap();
        });
        let into = tempfile::tempdir().unwrap();
        let err = unpack(tgz.path(), Kind::TarGz, into.path(), Caps::default()).unwrap_err();
        assert!(matches!(err, Refused::NotAFile(_)), "{err}");
        assert!(!into.path().join("ws/secrets").exists());
    }

    #[test]
    fn caps_on_members_sizes_and_ratio_hold_whatever_the_headers_claim() {
        let many: Vec<(String, &[u8])> = (0..6).map(|i| (format!("f{i}"), &b"x"[..])).collect();
        let many: Vec<(&str, &[u8])> = many.iter().map(|(n, b)| (n.as_str(), *b)).collect();
        let caps = Caps {
            members: 5,
            ..Caps::default()
        };
        let into = tempfile::tempdir().unwrap();
        let err = unpack(zip_of(&many).path(), Kind::Zip, into.path(), caps).unwrap_err();
        assert!(matches!(err, Refused::TooManyMembers(5)), "{err}");

        // Four megabytes of zeros pack into a few kilobytes: a bomb by ratio.
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let bomb = zip_of(&[("zeros", &zeros)]);
        let into = tempfile::tempdir().unwrap();
        let err = unpack(bomb.path(), Kind::Zip, into.path(), Caps::default()).unwrap_err();
        assert!(matches!(err, Refused::Ratio(_)), "{err}");

        let small = Caps {
            member_bytes: 1000,
            ..Caps::default()
        };
        let into = tempfile::tempdir().unwrap();
        let err = unpack(bomb.path(), Kind::Zip, into.path(), small).unwrap_err();
        assert!(matches!(err, Refused::MemberTooLarge { .. }), "{err}");
    }

    #[test]
    fn a_file_that_is_no_archive_is_unreadable() {
        let junk = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(junk.path(), b"not an archive at all").unwrap();
        let into = tempfile::tempdir().unwrap();
        for kind in [Kind::Zip, Kind::TarGz] {
            let err = unpack(junk.path(), kind, into.path(), Caps::default()).unwrap_err();
            assert!(matches!(err, Refused::Unreadable(_)), "{err}");
        }
    }

    #[test]
    fn archive_names_give_the_learner() {
        assert_eq!(Kind::of("alice.zip"), Some((Kind::Zip, "alice")));
        assert_eq!(Kind::of("bob.tar.gz"), Some((Kind::TarGz, "bob")));
        assert_eq!(Kind::of("carol.TGZ"), Some((Kind::TarGz, "carol")));
        assert_eq!(Kind::of(".zip"), None);
        assert_eq!(Kind::of("notes.txt"), None);
    }
}
