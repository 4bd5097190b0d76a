//! The disk limit: what a process tree has written, measured while it runs.

use std::path::PathBuf;

use nix::unistd::Pid;

use super::tree::tree;

/// The disk a tree has written: what the watched folders hold beyond what they held at the
/// start, plus the files its processes hold open after deleting them (a temporary file, a
/// memfd), which no folder shows. Each file or folder counts for at least one 4 KiB block, so
/// a flood of empty files runs into the limit too, and the walk stays bounded.
pub(super) struct Disk {
    folders: Vec<PathBuf>,
    baseline: u64,
    limit: u64,
}

impl Disk {
    pub(super) fn new(folders: &[PathBuf], limit: u64) -> Disk {
        let mut disk = Disk {
            folders: folders.to_vec(),
            baseline: 0,
            limit,
        };
        disk.baseline = disk.in_folders();
        disk
    }

    fn in_folders(&self) -> u64 {
        let cap = self.baseline + self.limit + 1;
        let mut total = 0;
        for entry in self
            .folders
            .iter()
            .flat_map(|folder| walkdir::WalkDir::new(folder).min_depth(1))
            .flatten()
        {
            if let Ok(meta) = entry.metadata() {
                total += footprint(&meta);
            }
            if total > cap {
                break;
            }
        }
        total
    }

    /// Files that the processes of the tree under `root` hold open but that no longer have a
    /// name.
    fn deleted_but_open(root: Pid) -> u64 {
        use std::os::unix::fs::MetadataExt;
        let mut seen = std::collections::HashSet::new();
        let mut total = 0;
        for pid in tree(root) {
            let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
                continue;
            };
            for fd in fds.flatten() {
                // The link leads to the open file itself, named or not.
                let Ok(meta) = std::fs::metadata(fd.path()) else {
                    continue;
                };
                if meta.is_file() && meta.nlink() == 0 && seen.insert((meta.dev(), meta.ino())) {
                    total += footprint(&meta);
                }
            }
        }
        total
    }

    pub(super) fn over(&self, root: Pid) -> bool {
        let named = self.in_folders().saturating_sub(self.baseline);
        // The cheaper count first: most of the time it settles the question.
        named > self.limit || named + Self::deleted_but_open(root) > self.limit
    }
}

fn footprint(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    (meta.blocks() * 512).max(4096)
}
