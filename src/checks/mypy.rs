//! The `mypy` check: the learner's Python files under mypy, `--strict` unless the manifest
//! says otherwise, with pygrade's configuration only.
//!
//! Findings come from `--output=json`, one object per line; mypy may still print a finding
//! in its plain `file:line: severity: message  [code]` form (syntax errors, some crashes), so
//! both are read. Points are all or nothing: the check passes when mypy finds no error.
//! With `include-tests`, the exercise's trusted tests are checked along with the learner's
//! files: a signature typed too loosely then shows where the tests rely on it.

use std::ffi::OsString;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::ctx::{Ctx, learner_env};
use super::kind::Kind;
use super::verdict::{abnormal_status, describe_exit};
use crate::bank::Layout;
use crate::contain::Exit;
use crate::contain::warm::{Answer, WarmSpec};
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

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        if exercise.files.iter().any(|f| f.ends_with(".py")) {
            Vec::new()
        } else {
            vec!["none of `files` is a .py file to type-check".into()]
        }
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        let options = Options {
            strict: self.strict,
            flags: &self.flags,
            include_tests: self.include_tests,
            allow_ignores: self.allow_ignores,
        };
        run(ctx, ctx.points, &options).await
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

async fn run(ctx: &Ctx<'_>, points: f64, options: &Options<'_>) -> Result<CheckResult> {
    let config = ctx.own.join("mypy.ini");
    std::fs::write(&config, "[mypy]\n")?;
    // Held until the check ends: no two mypy runs share a cache folder at once.
    let (cache, _lock) = warm_cache(ctx)?;
    let mut args: Vec<OsString> = ["--output=json", "--no-error-summary", "--config-file"]
        .iter()
        .map(Into::into)
        .collect();
    args.push(config.into());
    args.push("--cache-dir".into());
    args.push(cache.into());
    if options.strict {
        args.push("--strict".into());
    }
    args.extend(options.flags.iter().map(Into::into));
    let files: Vec<&String> = ctx
        .exercise
        .manifest
        .files
        .iter()
        .filter(|f| f.ends_with(".py"))
        .collect();
    // By their full paths, which differ from job to job: mypy takes a cached result for a
    // file whose path, size and modification second match its cache's, and two learners'
    // files of one size, laid out in the same second under the same relative path, would
    // otherwise share one verdict. mypy names them relative to its working folder, the job's.
    args.extend(files.iter().map(|file| ctx.work.join(file).into()));
    if options.include_tests {
        args.push(ctx.work.join("tests").into());
    }

    let (exit, stdout, stderr) = type_check(ctx, args).await?;
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
    if code != 0 && !diagnostics.iter().any(|d| d.severity == "error") {
        bail!(
            "mypy failed without a finding (status {code}): {}",
            stderr.trim()
        );
    }
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

/// Runs mypy with `args` (after `-B -m mypy`) in the check's working folder: by a warm worker
/// where the run has them, else as a process of its own. Either way it is the same mypy, with
/// the same arguments in the same folder, under the check's limits. How it ended, and what it
/// wrote to stdout and stderr.
async fn type_check(ctx: &Ctx<'_>, args: Vec<OsString>) -> Result<(Exit, String, String)> {
    let worker = WarmSpec {
        program: ctx.toolchain.python.clone(),
        args: ["-B", "-m", "pygrade_graders.typecheck"]
            .map(OsString::from)
            .to_vec(),
        cwd: crate::toolchain::home()?,
        env: learner_env(ctx.toolchain, &std::env::temp_dir()),
    };
    let Some(pool) = ctx.launcher.warm(worker) else {
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
    #[derive(Deserialize)]
    struct Reply {
        stdout: String,
        stderr: String,
        status: i32,
    }
    let args: Vec<&str> = (args.iter())
        .map(|arg| arg.to_str().context("a mypy argument that is not UTF-8"))
        .collect::<Result<_>>()?;
    let request = serde_json::json!({ "cwd": ctx.work, "args": args });
    let served = pool.ask(&request.to_string(), &ctx.limits).await?;
    ctx.count(served.cpu_ms, served.peak_rss_kib);
    match served.answer {
        Answer::Reply(line) => {
            let reply: Reply = serde_json::from_str(&line)
                .with_context(|| format!("the warm type checker replied {line:?}"))?;
            Ok((Exit::Code(reply.status), reply.stdout, reply.stderr))
        }
        Answer::Ended { exit, stderr } => Ok((exit, String::new(), stderr)),
    }
}

/// Cache folders tried before falling back to a cold one: enough for a few pygrade runs of a
/// few jobs each on one machine.
const CACHE_FOLDERS: usize = 16;

/// A warm mypy cache folder that no other mypy run is using, with the lock that keeps it so.
/// Several pygrade runs may share a machine (a mentor's cohort, a test suite), so the job's
/// slot is only the first folder tried; when every folder is busy, a cold cache in the job's
/// own folder does.
fn warm_cache(ctx: &Ctx<'_>) -> Result<(std::path::PathBuf, Option<std::fs::File>)> {
    let root = &ctx.toolchain.mypy_cache;
    std::fs::create_dir_all(root)?;
    for i in 0..CACHE_FOLDERS {
        let slot = (ctx.slot + i) % CACHE_FOLDERS;
        let lock = std::fs::File::create(root.join(format!("{slot}.lock")))?;
        if lock.try_lock().is_ok() {
            return Ok((root.join(slot.to_string()), Some(lock)));
        }
    }
    Ok((ctx.own.join("mypy-cache"), None))
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
