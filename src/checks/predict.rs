//! The `predict` check: the learner answers questions in a small TOML file (what does this
//! snippet print, what does `sys.getrefcount` return here, which method does the MRO pick,
//! what may these threads do under the GIL), and each answer is checked against what the
//! exercise's snippet prints when it runs (in the sandbox, with the grading interpreter, so
//! that a question about CPython is answered by the CPython that grades) or against a key the
//! exercise gives. This is how the topics that are ideas rather than code get graded.
//!
//! Each question is one test of the check; the points are shared among them. Answers are
//! compared with their surrounding space removed, runs of space as one, and case ignored. A
//! wrong answer says it is wrong, never what is right.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::Path;

use anyhow::{Result, bail};
use serde::Deserialize;

use super::ctx::Ctx;
use super::kind::Kind;
use super::verdict::describe_exit;
use crate::bank::Layout;
use crate::contain::Exit;
use crate::grade::{CheckResult, Status, TestResult};

/// `kind = "predict"`: the learner's answers file, and a `[[check.question]]` table for each
/// question.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Predict {
    /// The learner file of answers, a TOML table of strings by question id.
    answers: String,
    #[serde(rename = "question")]
    questions: Vec<Question>,
}

/// One question: what the learner's answer is checked against.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Question {
    /// Its key in the answers file.
    id: String,
    /// A trusted Python file of the exercise whose standard output is the answer.
    run: Option<String>,
    /// The answer, from the exercise's author.
    key: Option<String>,
}

impl Kind for Predict {
    const NAME: &'static str = "predict";
    const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        let mut problems = Vec::new();
        if !exercise.files.contains(&self.answers) {
            problems.push(format!(
                "`answers` is {:?}, which is not one of `files`: the learner must hand it in",
                self.answers
            ));
        }
        if !self.answers.ends_with(".toml") {
            problems.push(format!(
                "`answers` is {:?}: it must be a .toml file",
                self.answers
            ));
        }
        if self.questions.is_empty() {
            problems.push("no `[[check.question]]`: give the questions to check".into());
        }
        let mut ids = BTreeSet::new();
        for question in &self.questions {
            let at = format!("question {:?}", question.id);
            let bare = !question.id.is_empty()
                && (question.id.chars()).all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !bare {
                problems.push(format!(
                    "{at}: an `id` is a bare TOML key (letters, digits, `-` and `_`)"
                ));
            }
            if !ids.insert(&question.id) {
                problems.push(format!("{at} is asked twice"));
            }
            match (&question.run, &question.key) {
                (Some(run), None) => {
                    if !run.ends_with(".py") || !(exercise.has_file)(Path::new(run)) {
                        problems.push(format!(
                            "{at}: `run` is {run:?}, which is no .py file of the exercise"
                        ));
                    }
                }
                (None, Some(key)) if key.trim().is_empty() => {
                    problems.push(format!("{at}: `key` is empty"));
                }
                (None, Some(_)) => {}
                _ => problems.push(format!(
                    "{at}: give exactly one of `run` (a snippet whose output is the answer) and `key` (the answer)"
                )),
            }
        }
        problems
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        run(ctx, self).await
    }
}

/// An answer as compared: trimmed, runs of space as one, case ignored.
fn normal(answer: &str) -> String {
    answer
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

async fn run(ctx: &Ctx<'_>, section: &Predict) -> Result<CheckResult> {
    let points = ctx.points;
    let text = std::fs::read_to_string(ctx.work.join(&section.answers)).unwrap_or_default();
    let answers: toml::Table = match toml::from_str(&text) {
        Ok(answers) => answers,
        Err(error) => {
            let why = error.message().to_string();
            let line = error
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            let at = line.map_or(String::new(), |line| format!(" (line {line})"));
            return Ok(
                CheckResult::whole("predict", Status::Error, points).with_message(format!(
                    "{} is not a TOML file of answers{at}: {why}",
                    section.answers
                )),
            );
        }
    };
    let mut tests = Vec::new();
    for question in &section.questions {
        let mut test = TestResult::new(&question.id, Status::Fail);
        let given = match answers.get(&question.id) {
            None => {
                test.message = Some(format!("no answer: add `{} = \"...\"`", question.id));
                tests.push(test);
                continue;
            }
            Some(toml::Value::String(given)) if given.trim().is_empty() => {
                test.message = Some("not answered yet".into());
                tests.push(test);
                continue;
            }
            Some(toml::Value::String(given)) => given.clone(),
            Some(_) => {
                test.message = Some("an answer is text in quotes".into());
                tests.push(test);
                continue;
            }
        };
        let right = match (&question.run, &question.key) {
            (Some(snippet), _) => match printed_by(ctx, snippet).await? {
                Ok(printed) => printed,
                Err(result) => return Ok(*result),
            },
            (None, Some(key)) => key.clone(),
            (None, None) => bail!("question {:?} has neither `run` nor `key`", question.id),
        };
        if normal(&given) == normal(&right) {
            test.status = Status::Pass;
        } else {
            let from = match &question.run {
                Some(snippet) => format!("not what {snippet} prints"),
                None => "not the answer".into(),
            };
            test.message = Some(format!("{from}: think it through once more"));
        }
        tests.push(test);
    }
    let wrong = tests.iter().filter(|t| t.status != Status::Pass).count();
    let status = if wrong == 0 {
        Status::Pass
    } else {
        Status::Fail
    };
    let message = format!("{} of {} answers right", tests.len() - wrong, tests.len());
    Ok(CheckResult::from_tests("predict", status, points, tests).with_message(message))
}

/// What the exercise's `snippet` prints, run in the sandbox by the grading interpreter; or,
/// when the run ended by a limit, the check's result.
async fn printed_by(ctx: &Ctx<'_>, snippet: &str) -> Result<Result<String, Box<CheckResult>>> {
    let args: Vec<OsString> = vec!["-B".into(), snippet.into()];
    let finished = ctx.run(ctx.spawn(&ctx.toolchain.python, args)).await?;
    match finished.exit {
        Exit::Code(0) => Ok(Ok(finished.stdout.text())),
        Exit::Code(code) => bail!(
            "{}: the snippet {snippet} failed (status {code}): {}",
            ctx.exercise.id,
            finished.stderr.text().trim()
        ),
        exit => Ok(Err(Box::new(
            CheckResult::whole("predict", Status::Error, ctx.points).with_message(format!(
                "the snippet {snippet} {}",
                describe_exit(exit, &ctx.limits)
            )),
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_compare_without_space_or_case_differences() {
        assert_eq!(normal("  True\n"), normal("true"));
        assert_eq!(normal("C.greet   from B"), normal("c.greet from b"));
        assert_ne!(normal("2"), normal("3"));
    }

    #[test]
    fn a_question_takes_a_snippet_or_a_key_and_names_a_bare_key() {
        let section: Predict = toml::from_str(
            "answers = \"answers.toml\"\n[[question]]\nid = \"refcount\"\nrun = \"snippets/refcount.py\"\n[[question]]\nid = \"gil\"\nkey = \"b\"\n",
        )
        .unwrap();
        let files = ["answers.toml".to_string()];
        let has = |p: &Path| p == Path::new("snippets/refcount.py");
        let layout = Layout {
            files: &files,
            has_file: &has,
            has_dir: &|_| false,
            files_in: &|_| Vec::new(),
            read: &|_| None,
        };
        assert!(Kind::problems(&section, &layout).is_empty());
        let both: Predict = toml::from_str(
            "answers = \"a.toml\"\n[[question]]\nid = \"x y\"\nrun = \"s.py\"\nkey = \"1\"\n",
        )
        .unwrap();
        let problems = Kind::problems(&both, &layout).join("\n");
        assert!(problems.contains("not one of `files`"), "{problems}");
        assert!(problems.contains("a bare TOML key"), "{problems}");
        assert!(problems.contains("exactly one of `run`"), "{problems}");
    }
}
