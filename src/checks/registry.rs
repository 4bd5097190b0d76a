//! The check kinds pygrade knows: registering a kind is one line in [`Registry::builtin`].

use std::future::Future;
use std::pin::Pin;

use anyhow::Result;

use super::ctx::Ctx;
use super::kind::Kind;
use super::{
    constraints, learner_tests, lint, memory, mypy, output, package, predict, pytest, timing,
};
use crate::bank::{Check, Kinds, Section};
use crate::grade::CheckResult;

type Running<'a> = Pin<Box<dyn Future<Output = Result<CheckResult>> + Send + 'a>>;

/// A registered kind: how to read its section and how to run it.
struct Entry {
    name: &'static str,
    parse: fn(toml::Table) -> Result<Box<dyn Section>, String>,
    run: for<'a> fn(&'a dyn Section, &'a Ctx<'a>) -> Running<'a>,
}

impl Entry {
    fn of<K: Kind>() -> Entry {
        Entry {
            name: K::NAME,
            parse: |section| {
                section
                    .try_into::<K>()
                    .map(|kind| Box::new(kind) as Box<dyn Section>)
                    .map_err(|e| e.to_string())
            },
            run: |section, ctx| {
                let kind = section
                    .as_any()
                    .downcast_ref::<K>()
                    .expect("a section runs with the kind that read it");
                Box::pin(kind.run(ctx))
            },
        }
    }
}

/// The check kinds pygrade knows.
#[derive(Default)]
pub(crate) struct Registry {
    kinds: Vec<Entry>,
}

impl Registry {
    /// Every kind the bank may use.
    pub(crate) fn builtin() -> Registry {
        Registry::default()
            .with::<pytest::Pytest>()
            .with::<mypy::Mypy>()
            .with::<output::Output>()
            .with::<timing::Timing>()
            .with::<memory::Memory>()
            .with::<constraints::Constraints>()
            .with::<lint::Lint>()
            .with::<learner_tests::LearnerTests>()
            .with::<package::Package>()
            .with::<predict::Predict>()
    }

    /// This registry with kind `K` as well.
    pub(crate) fn with<K: Kind>(mut self) -> Registry {
        self.kinds.push(Entry::of::<K>());
        self
    }

    /// Runs `check` in `ctx`.
    pub(crate) async fn run(&self, check: &Check, ctx: &Ctx<'_>) -> Result<CheckResult> {
        let entry = self
            .kinds
            .iter()
            .find(|entry| entry.name == check.kind())
            .expect("a check's kind was registered when its manifest was read");
        (entry.run)(check.section.as_ref(), ctx).await
    }
}

impl Kinds for Registry {
    fn parse(&self, kind: &str, section: toml::Table) -> Option<Result<Box<dyn Section>, String>> {
        let entry = self.kinds.iter().find(|entry| entry.name == kind)?;
        Some((entry.parse)(section))
    }

    fn names(&self) -> Vec<&'static str> {
        self.kinds.iter().map(|entry| entry.name).collect()
    }
}
