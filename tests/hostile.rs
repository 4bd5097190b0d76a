//! The hostile corpus (`fixtures/hostile`, described in its README): every case gets its
//! expected verdict with the sandbox on, the benign ones score full marks with it on and off,
//! the cases about memory get theirs with the tree's memory measured as well as held by a
//! cgroup, and afterwards nothing the corpus started is alive, nothing outside pygrade's scratch was
//! written, no listener on loopback saw a connection, and no value of the environment pygrade
//! ran with is in any report.

mod common;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use common::{
    Env, Fixture, Grade, Graded, Workspace, copy_outline, copy_tree, exercise, leave_open, repo,
    short_timeouts,
};
use serde::Deserialize;
use serde_json::Value;

const DEFAULT_EXERCISE: &str = "01-foundations/01-word-count";

/// The limits every check of the corpus runs under (see the README's table), as TOML values.
const CORPUS_LIMITS: [(&str, &str); 4] = [
    ("processes", "32"),
    ("disk", "\"16 MiB\""),
    ("memory", "\"512 MiB\""),
    ("output", "\"1 MiB\""),
];

/// Values the environment of every corpus run holds, which no report may show.
const SECRETS: [(&str, &str); 2] = [
    ("PYGRADE_CORPUS_SECRET", "s3cr3t-7d41c0a9e2"),
    ("CI_DEPLOY_TOKEN", "tok-9f8e7d6c5b4a"),
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Case {
    #[serde(skip)]
    name: String,
    tries: String,
    #[serde(default = "default_exercise")]
    exercise: String,
    #[serde(default)]
    harmful: bool,
    #[serde(default)]
    benign: bool,
    #[serde(default)]
    sandbox_only: bool,
    /// The verdict holds only in pygrade's built-in sandbox (its seccomp filter, say).
    #[serde(default)]
    builtin_only: bool,
    /// The exercise's learner-editable files for this case, when it ships more.
    files: Option<Vec<String>>,
    /// The output check's matching for this case.
    #[serde(rename = "match")]
    matching: Option<String>,
    /// Limits of this case's exercise that differ from the corpus's.
    #[serde(default)]
    limits: toml::Table,
    #[serde(default)]
    expect: BTreeMap<String, String>,
    #[serde(default)]
    contains: BTreeMap<String, String>,
}

fn default_exercise() -> String {
    DEFAULT_EXERCISE.to_string()
}

impl Case {
    fn dir(&self) -> PathBuf {
        repo().join("fixtures/hostile").join(&self.name)
    }

    /// The exercise this case is graded as: its exercise's module folder, named after it.
    fn id(&self) -> String {
        let module = self.exercise.split('/').next().unwrap();
        format!("{module}/{}", self.name)
    }
}

/// Every case, or those `PYGRADE_CORPUS` names (and the limit probes).
fn corpus() -> Vec<Case> {
    let only: Option<Vec<String>> = std::env::var("PYGRADE_CORPUS")
        .ok()
        .map(|names| names.split(',').map(str::to_string).collect());
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(repo().join("fixtures/hostile")).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        // The limit probes always run: the harmful cases depend on them.
        if only.as_ref().is_some_and(|only| !only.contains(&name))
            && !name.starts_with("limits-probe")
        {
            continue;
        }
        let text = std::fs::read_to_string(dir.join("case.toml"))
            .unwrap_or_else(|e| panic!("{name}: case.toml: {e}"));
        let mut case: Case =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{name}/case.toml: {e}"));
        case.name = name;
        assert!(
            case.benign || !case.expect.is_empty(),
            "{}: a case that is not benign needs an [expect] table",
            case.name
        );
        cases.push(case);
    }
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// A bank with one exercise per case: a copy of the case's exercise, named after the case,
/// with the corpus limits and short timeouts.
fn corpus_bank(env: &Env, cases: &[&Case]) -> PathBuf {
    let bank = env.path().join("bank");
    copy_outline(&bank);
    for case in cases {
        let target = bank.join(case.id());
        copy_tree(&repo().join("exercises").join(&case.exercise), &target);
        let manifest = target.join("exercise.toml");
        let mut text = std::fs::read_to_string(&manifest).unwrap();
        // Word count's limits, which the cases that hang run into, shortened.
        if case.exercise == DEFAULT_EXERCISE {
            text = short_timeouts(&text);
        }
        if let Some(files) = &case.files {
            let listed = files
                .iter()
                .map(|f| format!("{f:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            let start = text.find("\nfiles = [").expect("a files line") + 1;
            let end = start + text[start..].find('\n').unwrap();
            text.replace_range(start..end, &format!("files = [{listed}]"));
            // Every learner file exists in the starter and the reference: the case's own.
            for file in files {
                for side in ["starter", "reference"] {
                    let path = target.join(side).join(file);
                    if !path.exists() {
                        std::fs::copy(case.dir().join(file), path).unwrap();
                    }
                }
            }
        }
        if let Some(matching) = &case.matching {
            text = text.replace("match = \"exact\"", &format!("match = {matching:?}"));
        }
        let mut limits: BTreeMap<String, String> = CORPUS_LIMITS
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        limits.extend(case.limits.iter().map(|(k, v)| (k.clone(), v.to_string())));
        text.push_str("\n[limits]\n");
        for (key, value) in limits {
            text.push_str(&format!("{key} = {value}\n"));
        }
        std::fs::write(manifest, text).unwrap();
    }
    bank
}

/// A workspace of `bank` with each case's files in its exercise's folder.
fn corpus_workspace(env: &Env, bank: &Path, cases: &[&Case], name: &str, port: u16) -> Workspace {
    let ws = env.init(name, Some(bank));
    for case in cases {
        Fixture::hostile(&case.name, &case.exercise).lay(&ws.exercise(&case.id()), Some(port));
    }
    ws
}

/// The sandbox the corpus asks for: `PYGRADE_SANDBOX` (`.ci/run` runs it with `builtin` and
/// with `bwrap`), else `auto`.
fn sandbox() -> String {
    std::env::var("PYGRADE_SANDBOX").unwrap_or_else(|_| "auto".into())
}

/// The file pygrade's caller leaves open for it (see `writes-inherited-descriptors`).
fn caller_file(env: &Env) -> PathBuf {
    env.path()
        .join("caller")
        .join("pygrade-hostile-caller-file")
}

/// Grades a workspace, with the corpus secrets in pygrade's environment, and the caller's
/// file open on descriptors 3 and 7, as a shell's redirections would leave it.
fn grade(env: &Env, ws: &Workspace, sandbox: &str) -> Graded {
    let mut check = env.check(ws);
    leave_open(&mut check, &caller_file(env), &[3, 7]);
    let graded = check
        .envs(SECRETS)
        .args(["--sandbox", sandbox, "--jobs", "2"])
        .graded();
    let code = graded.code;
    assert!(
        code == 0 || code == 1,
        "pygrade failed ({code}): {}",
        graded.printed
    );
    graded
}

/// What is wrong with a case's result, if anything.
fn judge(case: &Case, report: &Value) -> Vec<String> {
    let graded = exercise(report, &case.id());
    let mut wrong = Vec::new();
    if case.benign && graded["score"] != graded["max_score"] {
        wrong.push(format!(
            "{}: a benign case scored {} of {}: {graded}",
            case.name, graded["score"], graded["max_score"]
        ));
    }
    let checks = graded["checks"].as_array().unwrap();
    let check = |kind: &str| checks.iter().find(|c| c["kind"] == kind);
    for (kind, status) in &case.expect {
        match check(kind) {
            Some(c) if c["status"] == status.as_str() => {}
            Some(c) => wrong.push(format!(
                "{} ({}): {kind} is {}, expected {status}: {}",
                case.name, case.tries, c["status"], c["message"]
            )),
            None => wrong.push(format!("{}: no {kind} check", case.name)),
        }
    }
    for (kind, text) in &case.contains {
        let message = check(kind)
            .and_then(|c| c["message"].as_str())
            .unwrap_or("");
        if !message.contains(text.as_str()) {
            wrong.push(format!(
                "{}: the {kind} message does not say {text:?}: {message:?}",
                case.name
            ));
        }
    }
    wrong
}

/// Where an escaped case would leave a `pygrade-hostile-*` file.
fn escape_hatches(env: &Env) -> Vec<PathBuf> {
    let mut places: Vec<PathBuf> = ["/tmp", "/var/tmp", "/dev/shm"]
        .iter()
        .map(PathBuf::from)
        .collect();
    places.extend(std::env::var_os("HOME").map(PathBuf::from));
    places.push(env.path().to_path_buf());
    places.push(std::env::current_dir().unwrap());
    places
}

fn escaped_files(env: &Env) -> Vec<PathBuf> {
    escape_hatches(env)
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flat_map(|entries| entries.flatten())
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("pygrade-hostile-"))
        })
        .collect()
}

/// Every file of a tree and its contents, but pygrade's own state in a workspace.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter(|e| !e.path().components().any(|c| c.as_os_str() == ".pygrade"))
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

#[test]
fn the_hostile_corpus_gets_its_verdicts_and_nothing_escapes() {
    let env = Env::new();
    let cases = corpus();
    assert!(
        std::env::var("PYGRADE_CORPUS").is_ok() || cases.len() >= 30,
        "the corpus holds only {} cases",
        cases.len()
    );
    let before = escaped_files(&env);
    assert!(
        before.is_empty(),
        "left over from an earlier run: {before:?}"
    );
    // The caller's files above the scratch folders, which `reads-outside` looks for.
    std::fs::write(env.path().join("outside-secret.txt"), "the caller's").unwrap();
    std::fs::create_dir(caller_file(&env).parent().unwrap()).unwrap();
    std::fs::write(caller_file(&env), "").unwrap();
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();

    let all: Vec<&Case> = cases.iter().collect();
    let bank = corpus_bank(&env, &all);
    let bank_before = snapshot(&bank);
    let mut reports = Vec::new();
    let mut wrong = Vec::new();

    // 1. Everything harmless, with the sandbox if there is one.
    let harmless: Vec<&Case> = cases.iter().filter(|c| !c.harmful).collect();
    let ws = corpus_workspace(&env, &bank, &harmless, "ws", port);
    let ws_before = snapshot(&ws.dir);
    let Graded {
        report, printed, ..
    } = grade(&env, &ws, &sandbox());
    let in_force = report["tools"]["sandbox"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let sandboxed = in_force == "builtin" || in_force == "bwrap";
    if !sandboxed && std::env::var_os("PYGRADE_REQUIRE_SANDBOX").is_some() {
        panic!(
            "PYGRADE_REQUIRE_SANDBOX is set but the sandbox is not active: {}",
            report["tools"]
        );
    }
    for case in &harmless {
        if case.sandbox_only && !sandboxed {
            eprintln!("{}: not judged, the sandbox is not active here", case.name);
            continue;
        }
        if case.builtin_only && in_force != "builtin" {
            eprintln!(
                "{}: not judged, the built-in sandbox is not in force",
                case.name
            );
            continue;
        }
        wrong.extend(judge(case, &report));
    }
    let probes: Vec<&&Case> = harmless
        .iter()
        .filter(|c| c.name.starts_with("limits-probe"))
        .collect();
    let probe_held = !probes.is_empty() && probes.iter().all(|p| judge(p, &report).is_empty());
    reports.push(printed);
    assert_eq!(
        snapshot(&ws.dir),
        ws_before,
        "the corpus changed the workspace"
    );

    // 2. The harmful cases: only inside the sandbox, and only once the limits have been
    // seen to bite on the harmless probe.
    let harmful: Vec<&Case> = cases.iter().filter(|c| c.harmful).collect();
    if !harmful.is_empty() {
        if sandboxed && probe_held {
            let ws = corpus_workspace(&env, &bank, &harmful, "ws-harmful", port);
            let graded = grade(&env, &ws, &sandbox());
            for case in &harmful {
                wrong.extend(judge(case, &graded.report));
            }
            reports.push(graded.printed);
        } else {
            let why = if sandboxed {
                "the limits probe did not get its verdicts"
            } else {
                "the sandbox is not active"
            };
            // (A probe that failed is among the wrong verdicts; a sandbox that is off fails
            // the test above when PYGRADE_REQUIRE_SANDBOX is set.)
            eprintln!("{} harmful cases skipped: {why}", harmful.len());
        }
    }

    // 3. The cases about memory again, with the tree's memory measured by the supervisor
    // instead of held by a memory cgroup: the fallback where no cgroup can be made. The
    // harmful ones only where they ran above.
    let memory: Vec<&Case> = cases
        .iter()
        .filter(|c| c.expect.values().any(|v| v == "memory-limit") || c.name.contains("stack"))
        .filter(|c| !c.harmful || (sandboxed && probe_held))
        .collect();
    if !memory.is_empty() {
        let ws = corpus_workspace(&env, &bank, &memory, "ws-measured", port);
        let graded = env
            .check(&ws)
            .envs(SECRETS)
            .env("PYGRADE_CGROUPS", "pids")
            .args(["--sandbox", "auto", "--jobs", "2"])
            .graded();
        for case in &memory {
            wrong.extend(
                judge(case, &graded.report)
                    .into_iter()
                    .map(|w| format!("with the memory measured: {w}")),
            );
        }
        reports.push(graded.printed);
    }

    // 4. The benign cases again, without the sandbox.
    let benign: Vec<&Case> = cases.iter().filter(|c| c.benign).collect();
    if !benign.is_empty() {
        let ws = corpus_workspace(&env, &bank, &benign, "ws-unsandboxed", port);
        let graded = grade(&env, &ws, "none");
        for case in &benign {
            wrong.extend(
                judge(case, &graded.report)
                    .into_iter()
                    .map(|w| format!("without the sandbox: {w}")),
            );
        }
        reports.push(graded.printed);
    }

    // After the corpus.
    assert!(
        wrong.is_empty(),
        "{} wrong verdicts:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(
        env.survivors(),
        Vec::<String>::new(),
        "processes outlived the corpus"
    );
    assert_eq!(
        escaped_files(&env),
        Vec::<PathBuf>::new(),
        "files escaped the scratch folders"
    );
    assert_eq!(snapshot(&bank), bank_before, "the corpus changed the bank");
    assert_eq!(
        std::fs::read_to_string(caller_file(&env)).unwrap(),
        "",
        "learner code wrote to a file pygrade's caller left open"
    );
    assert!(
        listener.accept().is_err(),
        "the loopback listener saw a connection"
    );
    for printed in &reports {
        for (key, value) in SECRETS {
            assert!(
                !printed.contains(value),
                "the value of {key} is in a report"
            );
        }
    }
}
