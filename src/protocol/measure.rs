//! The measuring harness (`python -m pygrade_graders.measure SPEC FD TOKEN_FD`): the spec it
//! reads, and the events it writes back on its results channel.

use serde::{Deserialize, Serialize};

#[derive(Serialize)]
pub(crate) struct Spec<'a> {
    pub mode: &'static str,
    pub function: &'a str,
    pub inputs: &'a str,
    pub sizes: Vec<u64>,
    pub rounds: usize,
    /// A learner call is stopped after this many times the reference's time ...
    pub give_up_ratio: Option<f64>,
    /// ... or after this many CPU seconds.
    pub give_up_seconds: Option<f64>,
    /// The reference's module file, for the harness to import.
    pub reference: String,
    /// In mode `memory`, the reference's peak, kept from a trusted run (mode
    /// `reference-memory`): the harness then calls the reference only for its answer.
    pub reference_peak: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub(crate) enum Event {
    Hello {
        protocol: u32,
    },
    Wrong {
        message: String,
    },
    Sample {
        size: u64,
        /// Rounds are numbered per harness run; every round times every size.
        round: u64,
        learner: f64,
        reference: f64,
    },
    Slow {
        size: u64,
        learner: f64,
        reference: f64,
        /// The learner's call was stopped: its time is a lower bound.
        capped: bool,
    },
    Memory {
        learner_peak: u64,
        reference_peak: u64,
    },
    /// Learner code reached for the harness's frames (its audit hook saw it), sent as soon
    /// as seen.
    Tampered {
        inspected: Vec<String>,
    },
    /// In mode `reference-memory`: the reference's peak for one size.
    ReferencePeak {
        peak: u64,
    },
    Done {},
}
