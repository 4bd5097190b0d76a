//! The packaging harness (`python -m pygrade_graders.package SPEC FD TOKEN_FD`): the spec it
//! reads, and the events it writes back on its results channel.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub(crate) struct Spec<'a> {
    /// The folder holding the learner's `pyproject.toml`.
    pub project: String,
    /// The distribution name the wheel must have.
    pub name: &'a str,
    /// Core metadata fields and their expected values (`*`: present, any value).
    pub metadata: &'a BTreeMap<String, String>,
    pub runs: &'a [Run],
    /// The most any one step (the build, a command) may take, in seconds.
    pub timeout: f64,
}

/// One command the installed package must answer, and how.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Run {
    /// The command and its arguments: the first is a console script the package declares.
    pub args: Vec<String>,
    /// What it must print (trailing space aside); not compared when absent.
    pub stdout: Option<String>,
    #[serde(default)]
    pub stdin: String,
    /// The exit status it must end with.
    #[serde(default)]
    pub code: i32,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub(crate) enum Event {
    Hello {
        protocol: u32,
    },
    Step {
        name: String,
        status: String,
        message: Option<String>,
    },
    Done {},
}
