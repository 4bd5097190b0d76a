//! The `mypy` check: the learner's Python files under mypy, `--strict` unless the manifest
//! says otherwise, with pygrade's configuration only.
//!
//! Findings come from `--output=json`, one object per line; mypy may still print a finding
//! in its plain `file:line: severity: message  [code]` form (syntax errors, some crashes), so
//! both are read. Points are all or nothing: the check passes when mypy finds no error.
//! With `include-tests`, the exercise's trusted tests are checked along with the learner's
//! files: a signature typed too loosely then shows where the tests rely on it.
//!
//! With warm workers, the mypy checks of one submission that ask mypy the same are
//! type-checked together, in one pass for all of a learner's exercises, which gives each
//! exercise the findings that a run of its own gives (`pygrade_graders.typecheck`). Findings
//! are listed by file, each file's in mypy's order.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::ctx::{Ctx, Member, learner_env};
use super::kind::Kind;
use super::verdict::{abnormal_status, describe_exit};
use crate::bank::{Exercise, Layout};
use crate::contain::Exit;
use crate::contain::warm::{Answer, Pool, WarmSpec};
use crate::grade::{CheckResult, Diagnostic, Status};

/// `kind = "mypy"`: mypy over the learner's Python files.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Mypy {
    /// `--strict` unless turned off.
    #[serde(default = "yes")]
    strict: bool,
    /// Further mypy flags, e.g. `["--disallow-any-expr"]`.
    #[serde(default)]
    flags: Vec<String>,
    /// Type-check the exercise's tests together with the learner's files, so that typing
    /// that is too loose (`Any`, lost signatures) shows where the tests use it.
    #[serde(default)]
    include_tests: bool,
    /// Whether `# type: ignore` and `# mypy: ignore-errors` may silence mypy in the learner's
    /// files; by default each one counts as an error.
    #[serde(default)]
    allow_ignores: bool,
}

fn yes() -> bool {
    true
}

impl Kind for Mypy {
    const NAME: &'static str = "mypy";
    /// Well-typed code that does not work is not worth the typing points.
    const QUALITY: bool = true;
    /// A learner's exercises are type-checked together.
    const TOGETHER: bool = true;

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        if exercise.files.iter().any(|f| f.ends_with(".py")) {
            Vec::new()
        } else {
            vec!["none of `files` is a .py file to type-check".into()]
        }
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        run(ctx, ctx.points, &self.options()).await
    }
}

impl Mypy {
    fn options(&self) -> Options<'_> {
        Options {
            strict: self.strict,
            flags: &self.flags,
            include_tests: self.include_tests,
            allow_ignores: self.allow_ignores,
        }
    }
}

#[derive(Deserialize)]
struct JsonFinding {
    file: String,
    line: i64,
    column: Option<i64>,
    message: String,
    hint: Option<String>,
    code: Option<String>,
    severity: String,
}

/// What the manifest asks of a mypy check.
struct Options<'a> {
    pub strict: bool,
    pub flags: &'a [String],
    pub include_tests: bool,
    pub allow_ignores: bool,
}

impl Options<'_> {
    /// mypy's arguments but for the configuration, the cache and the files, which differ from
    /// run to run.
    fn flags(&self) -> Vec<String> {
        let mut flags = vec!["--output=json".to_string(), "--no-error-summary".into()];
        if self.strict {
            flags.push("--strict".into());
        }
        flags.extend(self.flags.iter().cloned());
        flags
    }
}

/// How one run of mypy ended, and what it wrote.
#[derive(Debug, Clone, Deserialize)]
struct Said {
    stdout: String,
    stderr: String,
    status: i32,
}

async fn run(ctx: &Ctx<'_>, points: f64, options: &Options<'_>) -> Result<CheckResult> {
    let files: Vec<&String> = ctx
        .exercise
        .manifest
        .files
        .iter()
        .filter(|f| f.ends_with(".py"))
        .collect();
    let (exit, stdout, stderr) = match together(ctx, options).await? {
        Some(said) => (Exit::Code(said.status), said.stdout, said.stderr),
        None => alone(ctx, options).await?,
    };
    let code = match (exit, abnormal_status(exit)) {
        (Exit::Code(code), _) => code,
        (_, status) => {
            return Ok(
                CheckResult::whole("mypy", status.unwrap_or(Status::Error), points)
                    .with_message(format!("mypy {}", describe_exit(exit, &ctx.limits))),
            );
        }
    };
    let mut diagnostics = parse(&ctx.relative(&stdout));
    // mypy ends with 1 when it wrote anything, a note alone included (`reveal_type`), and
    // with 2 when an error stopped it.
    let errors = diagnostics.iter().any(|d| d.severity == "error");
    if code != 0 && !errors && (code != 1 || diagnostics.is_empty()) {
        bail!(
            "mypy failed without a finding (status {code}): {}",
            stderr.trim()
        );
    }
    // By file, each file's in mypy's order: which file mypy finishes first is no finding.
    diagnostics.sort_by(|a, b| a.file.cmp(&b.file));
    if !options.allow_ignores {
        for file in &files {
            let text = std::fs::read_to_string(ctx.work.join(file)).unwrap_or_default();
            diagnostics.extend(silencers(file, &text));
        }
    }
    let errors = diagnostics.iter().filter(|d| d.severity == "error").count();
    let syntax = diagnostics
        .iter()
        .any(|d| d.code.as_deref() == Some("syntax"));
    let (status, message) = if syntax {
        (
            Status::Error,
            "mypy could not read your code: it has a syntax error".to_string(),
        )
    } else if errors == 0 {
        (Status::Pass, "no type errors".to_string())
    } else {
        (
            Status::Fail,
            format!("{errors} type error{}", if errors == 1 { "" } else { "s" }),
        )
    };
    let mut result = CheckResult::whole("mypy", status, points).with_message(message);
    result.diagnostics = diagnostics;
    Ok(result)
}

/// What mypy type-checks in the working folder `work`: the exercise's Python files and, if
/// asked, its tests. By their full paths, which differ from job to job: mypy takes a cached
/// result for a file whose path, size and modification second match its cache's, and two
/// learners' files of one size, laid out in the same second under the same relative path,
/// would otherwise share one verdict. mypy names them relative to its working folder.
fn targets(exercise: &Exercise, work: &Path, options: &Options<'_>) -> Vec<PathBuf> {
    let files = exercise
        .manifest
        .files
        .iter()
        .filter(|f| f.ends_with(".py"));
    let mut targets: Vec<PathBuf> = files.map(|file| work.join(file)).collect();
    if options.include_tests {
        targets.push(work.join("tests"));
    }
    targets
}

/// mypy run on the check's own files in its working folder, as the command line would: by a
/// warm worker where the run has them, else as a process of its own.
async fn alone(ctx: &Ctx<'_>, options: &Options<'_>) -> Result<(Exit, String, String)> {
    let config = ctx.own.join("mypy.ini");
    std::fs::write(&config, "[mypy]\n")?;
    // Held until the check ends: no two mypy runs share a cache folder at once.
    let (cache, _lock) = warm_cache(ctx, "")?;
    let mut args: Vec<OsString> = options.flags().into_iter().map(Into::into).collect();
    args.extend(["--config-file".into(), config.into_os_string()]);
    args.extend(["--cache-dir".into(), cache.into_os_string()]);
    args.extend(
        targets(ctx.exercise, &ctx.work, options)
            .into_iter()
            .map(Into::into),
    );
    type_check(ctx, args).await
}

/// The warm type checker's workers.
fn worker(ctx: &Ctx<'_>) -> Result<WarmSpec> {
    Ok(WarmSpec {
        program: ctx.toolchain.python.clone(),
        args: ["-B", "-m", "pygrade_graders.typecheck"]
            .map(OsString::from)
            .to_vec(),
        cwd: crate::toolchain::home()?,
        env: learner_env(ctx.toolchain, &std::env::temp_dir()),
    })
}

/// Runs mypy with `args` (after `-B -m mypy`) in the check's working folder: by a warm worker
/// where the run has them, else as a process of its own. Either way it is the same mypy, with
/// the same arguments in the same folder, under the check's limits. How it ended, and what it
/// wrote to stdout and stderr.
async fn type_check(ctx: &Ctx<'_>, args: Vec<OsString>) -> Result<(Exit, String, String)> {
    let Some(pool) = ctx.launcher.warm(worker(ctx)?) else {
        let mut cold: Vec<OsString> = ["-B", "-m", "mypy"].map(OsString::from).to_vec();
        cold.extend(args);
        let mut spawn = ctx.spawn(&ctx.toolchain.python, cold);
        // mypy reads the learner's files but never runs them (and loads no plugin: its
        // configuration is pygrade's, and empty), so it needs no sandbox and is spared its
        // cost.
        spawn.sandboxed = false;
        let finished = ctx.run(spawn).await?;
        return Ok((
            finished.exit,
            finished.stdout.text(),
            finished.stderr.text(),
        ));
    };
    let args: Vec<&str> = (args.iter())
        .map(|arg| arg.to_str().context("a mypy argument that is not UTF-8"))
        .collect::<Result<_>>()?;
    let request = serde_json::json!({ "cwd": ctx.work, "args": args });
    let served = pool.ask(&request.to_string(), &ctx.limits).await?;
    ctx.count(served.cpu_ms, served.peak_rss_kib);
    match served.answer {
        Answer::Reply(line) => {
            let said: Said = serde_json::from_str(&line)
                .with_context(|| format!("the warm type checker replied {line:?}"))?;
            Ok((Exit::Code(said.status), said.stdout, said.stderr))
        }
        Answer::Ended { exit, stderr } => Ok((exit, String::new(), stderr)),
    }
}

/// What one type check of several exercises of a submission said for each, kept for the run
/// by the first of their checks to ask; `None` inside once tried, when it could not run.
type Shared = tokio::sync::Mutex<Option<Option<Replies>>>;

/// What mypy said for each exercise of a shared type check, by its place among the
/// submission's checks; and what each exercise's share of the work was.
struct Replies {
    said: HashMap<usize, Said>,
    cpu_ms: u64,
    peak_rss_kib: u64,
}

/// What a run of its own would have said for this check, from one type check of every check
/// of the submission that asks mypy the same under the same limits (each in a working folder
/// laid out as its job's) by a warm worker, which gives each exercise the findings a run of
/// its own gives (see `pygrade_graders.typecheck.check_together`). The first of those checks
/// to ask runs it for all; the others wait for it without holding a claim. `None` when there
/// is no such check but this one, no warm worker, or the shared check could not run: the
/// check then runs mypy on its own. Each exercise counts an even share of what the worker
/// used. The limits must be the same: a shared check runs under the limits of the check that
/// runs it, and a check held to a tighter limit could pass there where its own run would not.
async fn together(ctx: &Ctx<'_>, options: &Options<'_>) -> Result<Option<Said>> {
    let Some(together) = ctx.together else {
        return Ok(None);
    };
    let flags = options.flags();
    let members = together.members();
    let same: Vec<(usize, &Member<'_>)> = (members.iter().enumerate())
        .filter(|(_, member)| {
            let mypy = member.check.section.as_any().downcast_ref::<Mypy>();
            mypy.is_some_and(|mypy| {
                let theirs = mypy.options();
                theirs.flags() == flags && theirs.include_tests == options.include_tests
            }) && member.check.limits(&member.exercise.manifest.limits) == ctx.limits
        })
        .collect();
    let Some(&(me, _)) = same.iter().find(|(_, m)| std::ptr::eq(m.check, ctx.check)) else {
        return Ok(None);
    };
    if same.len() < 2 {
        return Ok(None);
    }
    let Some(pool) = ctx.launcher.warm(worker(ctx)?) else {
        return Ok(None);
    };
    let key = format!("mypy {flags:?} {} {:?}", options.include_tests, ctx.limits);
    let shared = together.kept::<Shared>(&key);
    let mut replies = match shared.try_lock() {
        Ok(replies) => replies,
        Err(_) => {
            // Another check is running it: this one computes nothing meanwhile.
            ctx.claim.give_back();
            shared.lock().await
        }
    };
    if replies.is_none() {
        *replies = Some(check_together(ctx, &pool, options, &same).await?);
    }
    let Some(Some(replies)) = replies.as_mut() else {
        return Ok(None);
    };
    // Taken, not copied: a cohort's run holds only the findings not yet reported.
    let said = replies.said.remove(&me);
    if replies.said.is_empty() {
        replies.said = HashMap::new();
    }
    if said.is_some() {
        ctx.count(replies.cpu_ms, replies.peak_rss_kib);
    }
    Ok(said)
}

/// One type check of the `same` checks' exercises by a warm worker, under this check's
/// limits; `None` if the worker ended without a reply (a limit stopped it, or it died).
async fn check_together(
    ctx: &Ctx<'_>,
    pool: &Pool,
    options: &Options<'_>,
    same: &[(usize, &Member<'_>)],
) -> Result<Option<Replies>> {
    let folder = tempfile::Builder::new()
        .prefix("pygrade-mypy-")
        .tempdir()
        .context("could not create a scratch folder (is TMPDIR writable?)")?;
    let cwd = folder.path().join("cwd");
    std::fs::create_dir(&cwd)?;
    let config = folder.path().join("mypy.ini");
    std::fs::write(&config, "[mypy]\n")?;
    let mut exercises = Vec::new();
    for (i, member) in same {
        // Files that cannot be laid out again (changed since they were read) are the
        // member's own check's to report; it runs on its own.
        let Ok(work) = member.lay_out(&folder.path().join(i.to_string())) else {
            continue;
        };
        exercises.push(serde_json::json!({
            "key": i.to_string(),
            "root": work,
            "targets": targets(member.exercise, &work, options),
        }));
    }
    let (cache, _lock) = warm_cache(ctx, "")?;
    let (shared_cache, _shared_lock) = warm_cache(ctx, "together-")?;
    let mut args = options.flags();
    args.extend(["--config-file".into(), path_text(&config)?]);
    args.extend(["--cache-dir".into(), path_text(&cache)?]);
    let shares = exercises.len().max(1) as u64;
    let request = serde_json::json!({
        "cwd": cwd,
        "args": args,
        "together-cache": shared_cache,
        "exercises": exercises,
    });
    let served = pool.ask(&request.to_string(), &ctx.limits).await?;
    let Answer::Reply(line) = served.answer else {
        // Each exercise is then type-checked on its own; what was spent is this check's.
        ctx.count(served.cpu_ms, served.peak_rss_kib);
        return Ok(None);
    };
    #[derive(Deserialize)]
    struct Reply {
        results: HashMap<String, Said>,
    }
    let reply: Reply = serde_json::from_str(&line)
        .with_context(|| format!("the warm type checker replied {line:?}"))?;
    let said = (reply.results.into_iter())
        .map(|(key, said)| Ok((key.parse()?, said)))
        .collect::<Result<HashMap<usize, Said>>>()?;
    Ok(Some(Replies {
        said,
        cpu_ms: served.cpu_ms / shares,
        peak_rss_kib: served.peak_rss_kib,
    }))
}

fn path_text(path: &Path) -> Result<String> {
    let text = path.to_str().context("a mypy argument that is not UTF-8")?;
    Ok(text.to_string())
}

/// Cache folders tried before falling back to a cold one: enough for a few pygrade runs of a
/// few jobs each on one machine.
const CACHE_FOLDERS: usize = 16;

/// A warm mypy cache folder that no other mypy run is using, with the lock that keeps it so;
/// `kind` names a set of folders of its own. Several pygrade runs may share a machine (a
/// mentor's cohort, a test suite), so the job's slot is only the first folder tried; when
/// every folder is busy, a cold cache in the job's own folder does.
fn warm_cache(ctx: &Ctx<'_>, kind: &str) -> Result<(PathBuf, Option<std::fs::File>)> {
    let root = &ctx.toolchain.mypy_cache;
    std::fs::create_dir_all(root)?;
    for i in 0..CACHE_FOLDERS {
        let slot = (ctx.slot + i) % CACHE_FOLDERS;
        let lock = std::fs::File::create(root.join(format!("{kind}{slot}.lock")))?;
        if lock.try_lock().is_ok() {
            return Ok((root.join(format!("{kind}{slot}")), Some(lock)));
        }
    }
    Ok((ctx.own.join(format!("{kind}mypy-cache")), None))
}

/// Comments that silence mypy, each as an error of its own: a type error hidden is still a
/// type error. An exercise that wants them allows them with `allow-ignores = true`.
fn silencers(file: &str, text: &str) -> Vec<Diagnostic> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let comment = &line[line.find('#')?..];
            let squeezed: String = comment.chars().filter(|c| !c.is_whitespace()).collect();
            let what = if squeezed.starts_with("#type:ignore") {
                "`# type: ignore`"
            } else if squeezed.starts_with("#mypy:ignore-errors") {
                "`# mypy: ignore-errors`"
            } else {
                return None;
            };
            Some(Diagnostic {
                file: file.to_string(),
                line: i as u64 + 1,
                column: None,
                severity: "error".into(),
                code: Some("pygrade-no-ignores".into()),
                message: format!("{what} silences mypy, and this exercise does not allow it: fix the types instead"),
                hint: None,
            })
        })
        .collect()
}

/// mypy's findings from its stdout, JSON lines and plain lines alike.
fn parse(stdout: &str) -> Vec<Diagnostic> {
    stdout
        .lines()
        .filter_map(|line| parse_json(line).or_else(|| parse_plain(line)))
        .collect()
}

fn parse_json(line: &str) -> Option<Diagnostic> {
    let f: JsonFinding = serde_json::from_str(line).ok()?;
    Some(Diagnostic {
        file: f.file,
        line: f.line.max(0) as u64,
        column: f.column.filter(|c| *c >= 0).map(|c| c as u64 + 1),
        severity: f.severity,
        code: f.code,
        message: f.message,
        hint: f.hint,
    })
}

/// `file.py:12: error: Message  [code]` or `file.py:12:5: note: Message`.
fn parse_plain(line: &str) -> Option<Diagnostic> {
    let (location, rest) = line.split_once(": ")?;
    let (severity, message) = rest.split_once(": ")?;
    if !matches!(severity, "error" | "warning" | "note") {
        return None;
    }
    let mut parts = location.split(':');
    let file = parts.next()?.to_string();
    let line_no = parts.next()?.parse().ok()?;
    let column = parts.next().and_then(|c| c.parse().ok());
    let (message, code) = match message.rsplit_once("  [") {
        Some((m, code)) if code.ends_with(']') => (m, Some(code.trim_end_matches(']').to_string())),
        _ => (message, None),
    };
    Some(Diagnostic {
        file,
        line: line_no,
        column,
        severity: severity.to_string(),
        code,
        message: message.to_string(),
        hint: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_is_strict_unless_it_says_otherwise() {
        let plain: Mypy = toml::from_str("").unwrap();
        assert!(plain.strict && !plain.include_tests && !plain.allow_ignores);
        let loose: Mypy = toml::from_str("strict = false\ninclude-tests = true").unwrap();
        assert!(!loose.strict && loose.include_tests);
        let typo = toml::from_str::<Mypy>("stict = false").unwrap_err();
        assert!(typo.to_string().contains("stict"), "{typo}");
    }

    #[test]
    fn comments_that_silence_mypy_are_findings() {
        let text =
            "x: int = 'a'  # type: ignore[assignment]\n# mypy: ignore-errors\ny = 1  # a comment\n";
        let found = silencers("m.py", text);
        assert_eq!(found.iter().map(|d| d.line).collect::<Vec<_>>(), vec![1, 2]);
        assert!(found.iter().all(|d| d.severity == "error"));
    }

    #[test]
    fn json_and_plain_findings_are_both_read() {
        let out = concat!(
            r#"{"file": "t.py", "line": 2, "column": 11, "message": "Incompatible return value type (got \"int\", expected \"str\")", "hint": null, "code": "return-value", "severity": "error"}"#,
            "\n",
            "s.py:1: error: invalid syntax  [syntax]\n",
            "s.py:3:5: note: See the docs\n",
            "Success: no issues found in 1 source file\n",
        );
        let found = parse(out);
        assert_eq!(found.len(), 3);
        assert_eq!(found[0].code.as_deref(), Some("return-value"));
        assert_eq!(found[0].column, Some(12));
        assert_eq!(
            found[1],
            Diagnostic {
                file: "s.py".into(),
                line: 1,
                column: None,
                severity: "error".into(),
                code: Some("syntax".into()),
                message: "invalid syntax".into(),
                hint: None,
            }
        );
        assert_eq!(found[2].column, Some(5));
        assert_eq!(found[2].severity, "note");
    }
}
