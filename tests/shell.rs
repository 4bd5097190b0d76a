//! What pygrade gives the shell and the system it is installed on: completion scripts that
//! bash loads and completes with, manual pages, and a `--version` that names the bank and
//! the graders protocol too.

mod common;

use std::process::Command;

use assert_cmd::prelude::*;
use common::{Env, repo};

/// What bash completes `words` to (the last word is the one being typed), with the script
/// `pygrade completions bash` printed loaded.
fn bash_completes(env: &Env, words: &[&str]) -> Vec<String> {
    let script = env.path().join("pygrade.bash");
    let out = env
        .pygrade()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(&script, &out.stdout).unwrap();
    let line = words.join(" ");
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {script}\nCOMP_WORDS=({line})\nCOMP_CWORD={cword}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n\
             complete -p pygrade >/dev/null || exit 3\n\
             _pygrade pygrade {current} {previous}\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script = script.display(),
            cword = words.len() - 1,
            current = words[words.len() - 1],
            previous = words[words.len() - 2],
        ))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bash could not load the completions: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_commands_and_their_options() {
    let env = Env::new();
    assert_eq!(bash_completes(&env, &["pygrade", "ch"]), ["check"]);
    assert_eq!(
        bash_completes(&env, &["pygrade", "check", "--for"]),
        ["--format"]
    );
    // The commands pygrade runs inside its own sandbox are not offered.
    assert_eq!(
        bash_completes(&env, &["pygrade", "su"]),
        Vec::<String>::new()
    );
}

#[test]
fn every_shell_gets_a_completion_script() {
    let env = Env::new();
    for (shell, mark) in [
        ("bash", "complete -F _pygrade"),
        ("zsh", "#compdef pygrade"),
        ("fish", "complete -c pygrade"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[pygrade]"),
    ] {
        let out = env.pygrade().args(["completions", shell]).output().unwrap();
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && script.contains(mark),
            "{shell}: {script}"
        );
    }
    env.pygrade()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "[possible values: bash, elvish, fish, powershell, zsh]",
        ));
}

#[test]
fn the_manual_pages_cover_every_command() {
    let env = Env::new();
    let pages = env.path().join("man1");
    env.pygrade().arg("man").arg(&pages).assert().success();
    let main = std::fs::read_to_string(pages.join("pygrade.1")).unwrap();
    assert!(main.contains(".TH pygrade 1  \"pygrade "), "{main}");
    assert!(
        main.contains("Exit codes: 0 everything graded passed"),
        "{main}"
    );
    for command in [
        "init",
        "list",
        "check",
        "hint",
        "batch",
        "verify",
        "doctor",
        "completions",
    ] {
        let page = std::fs::read_to_string(pages.join(format!("pygrade-{command}.1")))
            .unwrap_or_else(|e| panic!("no page for {command}: {e}"));
        assert!(
            page.starts_with(".ie") && page.contains(".SH NAME"),
            "{page}"
        );
    }
    assert!(!pages.join("pygrade-supervise.1").exists());
    // Without a folder, the main page goes to standard output.
    let out = env.pygrade().arg("man").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), main);
}

#[test]
fn version_names_the_bank_and_the_graders_protocol() {
    let exercises = walkdir::WalkDir::new(repo().join("exercises"))
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_name() == "exercise.toml")
        .count();
    let out = Env::new().pygrade().arg("--version").output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.len(), 3, "{said}");
    assert_eq!(lines[0], format!("pygrade {}", env!("CARGO_PKG_VERSION")));
    assert!(
        lines[1].starts_with(&format!("bank: built-in, {exercises} exercises, digest ")),
        "{said}"
    );
    assert_eq!(lines[2], "graders protocol: 1");
}

/// The completions and manual pages the wheel installs (`packaging/wheel`) are what pygrade
/// prints now: `bash packaging/refresh` writes them again after a command line change.
#[test]
fn the_wheel_installs_the_completions_and_pages_pygrade_prints() {
    let env = Env::new();
    let share = repo().join("packaging/wheel/data/share");
    let printed = |args: &[&str]| {
        let out = env.pygrade().args(args).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let pages = env.path().join("man1");
    env.pygrade().arg("man").arg(&pages).assert().success();
    let mut expected = vec![
        (
            "bash-completion/completions/pygrade".to_string(),
            printed(&["completions", "bash"]),
        ),
        (
            "zsh/site-functions/_pygrade".to_string(),
            printed(&["completions", "zsh"]),
        ),
        (
            "fish/vendor_completions.d/pygrade.fish".to_string(),
            printed(&["completions", "fish"]),
        ),
    ];
    for page in std::fs::read_dir(&pages).unwrap().flatten() {
        expected.push((
            format!("man/man1/{}", page.file_name().to_string_lossy()),
            std::fs::read_to_string(page.path()).unwrap(),
        ));
    }
    let shipped = walkdir::WalkDir::new(&share)
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_type().is_file())
        .count();
    assert_eq!(
        shipped,
        expected.len(),
        "packaging/wheel has other files than pygrade writes: run `bash packaging/refresh`"
    );
    for (path, text) in expected {
        let file = std::fs::read_to_string(share.join(&path)).unwrap_or_default();
        assert!(
            file == text,
            "packaging/wheel/data/share/{path} is not what pygrade prints: run `bash packaging/refresh`"
        );
    }
}
