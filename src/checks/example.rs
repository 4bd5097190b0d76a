//! An example check kind, for the tests: a new kind is this one file and one registration
//! line (`Registry::builtin().with::<Lines>()`), and it is read from manifests, validated,
//! run, graded and reported like any other.

use anyhow::{Context, Result};
use serde::Deserialize;

use super::ctx::Ctx;
use super::kind::Kind;
use crate::bank::Layout;
use crate::grade::{CheckResult, Status, TestResult};

/// `kind = "lines"`: every learner file has at most `max-lines` lines.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Lines {
    max_lines: usize,
}

impl Kind for Lines {
    const NAME: &'static str = "lines";

    fn problems(&self, _exercise: &Layout<'_>) -> Vec<String> {
        if self.max_lines == 0 {
            vec!["`max-lines` must be at least 1".into()]
        } else {
            Vec::new()
        }
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        let mut tests = Vec::new();
        for file in &ctx.exercise.manifest.files {
            let path = ctx.work.join(file);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("could not read {}", path.display()))?;
            let count = text.lines().count();
            let mut test = TestResult::new(file, Status::Pass);
            if count > self.max_lines {
                test.status = Status::Fail;
                test.message = Some(format!("{count} lines, over {}", self.max_lines));
            }
            tests.push(test);
        }
        let status = if tests.iter().all(|t| t.status == Status::Pass) {
            Status::Pass
        } else {
            Status::Fail
        };
        Ok(CheckResult::from_tests(
            Self::NAME,
            status,
            ctx.points,
            tests,
        ))
    }
}
