//! The exercise bank and the Python graders are compiled into the binary: rebuild when they
//! change. `pygrade --version` names the built-in bank by its number of exercises and a
//! digest of its files.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn main() {
    println!("cargo:rerun-if-changed=exercises");
    println!("cargo:rerun-if-changed=graders");
    let mut files = Vec::new();
    collect(Path::new("exercises"), &mut files);
    files.sort();
    let mut digest = Sha256::new();
    let mut exercises = 0;
    for file in &files {
        let name = file.to_string_lossy().replace('\\', "/");
        if name.ends_with("/exercise.toml") {
            exercises += 1;
        }
        let bytes = std::fs::read(file).expect("a file of the bank");
        digest.update((name.len() as u64).to_le_bytes());
        digest.update(name.as_bytes());
        digest.update((bytes.len() as u64).to_le_bytes());
        digest.update(&bytes);
    }
    let hex: String = digest
        .finalize()
        .iter()
        .take(6)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    println!("cargo:rustc-env=PYGRADE_BANK_DIGEST={hex}");
    println!("cargo:rustc-env=PYGRADE_BANK_EXERCISES={exercises}");
}

/// Every file under `dir`, as the bank embeds them (caches of Python and tools left out).
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("the bank's folder").flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "__pycache__" || name == ".mypy_cache" || name == ".pytest_cache" {
            continue;
        }
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}
