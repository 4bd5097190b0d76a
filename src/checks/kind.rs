//! The one trait a check kind implements, and what the bank sees of it.

use std::any::Any;
use std::fmt::Debug;
use std::future::Future;
use std::time::Duration;

use anyhow::Result;
use serde::de::DeserializeOwned;

use super::ctx::Ctx;
use crate::bank::{Layout, Section};
use crate::grade::CheckResult;

/// One kind of check.
pub(crate) trait Kind: DeserializeOwned + Debug + Send + Sync + 'static {
    /// The `kind = "..."` that names it in a manifest.
    const NAME: &'static str;
    /// Its wall-clock limit per process when the manifest sets none.
    const TIMEOUT: Duration = Duration::from_secs(60);
    /// Whether it runs after every other check, one at a time, so that nothing competes
    /// with it for the machine (the timing checks).
    const RUNS_ALONE: bool = false;
    /// Whether it grades how the code is written rather than whether it works (typing): its
    /// points then count only in the proportion that the exercise's other checks earned
    /// theirs ([`crate::grade::scale_quality`]), so that untouched or broken code that happens
    /// to be well typed earns nothing for it.
    const QUALITY: bool = false;
    /// Whether a check of this kind may do the work of several of its submission's checks at
    /// once: it then sees the submission's checks of the run ([`Ctx::together`]).
    const TOGETHER: bool = false;

    /// What is wrong with this section in its exercise, each problem a sentence.
    fn problems(&self, _exercise: &Layout<'_>) -> Vec<String> {
        Vec::new()
    }

    /// Folders of the exercise this check keeps to pygrade: never in a job's folder.
    fn private_folders(&self) -> Vec<&str> {
        Vec::new()
    }

    /// Files of the exercise, besides its README, tests and starter, that the learner gets.
    fn handed_out(&self) -> Vec<&str> {
        Vec::new()
    }

    /// Runs the check in `ctx` and grades what happened, out of `ctx.points`.
    fn run(&self, ctx: &Ctx<'_>) -> impl Future<Output = Result<CheckResult>> + Send;
}

impl<K: Kind> Section for K {
    fn kind(&self) -> &'static str {
        K::NAME
    }
    fn default_timeout(&self) -> Duration {
        K::TIMEOUT
    }
    fn runs_alone(&self) -> bool {
        K::RUNS_ALONE
    }
    fn quality(&self) -> bool {
        K::QUALITY
    }
    fn together(&self) -> bool {
        K::TOGETHER
    }
    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        Kind::problems(self, exercise)
    }
    fn private_folders(&self) -> Vec<&str> {
        Kind::private_folders(self)
    }
    fn handed_out(&self) -> Vec<&str> {
        Kind::handed_out(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
