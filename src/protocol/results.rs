//! The results channel of the pytest plugin (`graders/pygrade_graders/pytest_plugin.py`):
//! one JSON event per line, each carrying the run's token (which the launcher checks).

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub(crate) enum Event {
    Hello {
        protocol: u32,
    },
    Collected {
        tests: Vec<Collected>,
    },
    CollectError {
        kind: String,
        message: String,
        /// The id of the file (or folder) that could not be collected.
        #[serde(default)]
        location: String,
    },
    /// Learner code replaced something the grading relies on, or reached for the frames of
    /// the tests. Sent as soon as the plugin sees it, so a run may hold several.
    Tampered {
        /// What was replaced, by name (`builtins.__import__`).
        replaced: Vec<String>,
        /// How learner code reached into the test process, and from where
        /// (`sys._getframe from word_count.py:12`).
        #[serde(default)]
        inspected: Vec<String>,
    },
    Start {
        id: String,
    },
    Result(Reported),
    Done {
        /// pytest's exit status (3: an internal error, such as learner code raising
        /// `SystemExit` while it was imported).
        #[serde(default)]
        exit_status: Option<i32>,
    },
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct Collected {
    pub id: String,
    pub name: String,
    pub weight: f64,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Reported {
    pub id: String,
    pub status: String,
    pub message: Option<String>,
    pub location: Option<String>,
    pub output: String,
    pub output_truncated: bool,
}
