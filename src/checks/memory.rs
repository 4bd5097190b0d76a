//! The `memory` check: peak memory allocated during one call of the learner's function
//! (tracemalloc, in the harness), against an absolute budget, a ratio to the reference's peak,
//! or both. It is what tells a generator pipeline from one that builds a list of everything.
//! A `memory-limit` on the whole process turns running out into the `memory-limit` verdict.

use anyhow::Result;

use serde::Deserialize;

use super::ctx::Ctx;
use super::harness::{self, Harnessed};
use super::kind::Kind;
use crate::bank::Layout;
use crate::grade::{CheckResult, Measurement, Status};
use crate::protocol::measure::{Event, Spec};

/// `kind = "memory"`: the peak memory allocated during one call of the learner's function.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Memory {
    function: String,
    inputs: String,
    size: u64,
    /// Absolute budget for the peak.
    max_peak: Option<bytesize::ByteSize>,
    /// Budget relative to the reference's peak.
    max_ratio: Option<f64>,
}

impl Kind for Memory {
    const NAME: &'static str = "memory";

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        let mut problems = harness::problems(&self.function, &self.inputs, exercise);
        if self.max_peak.is_none() && self.max_ratio.is_none() {
            problems.push("give a budget: `max-peak`, `max-ratio` or both".into());
        }
        problems
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        let budget = Budget {
            size: self.size,
            max_peak: self.max_peak.map(|b| b.as_u64()),
            max_ratio: self.max_ratio,
        };
        measure(ctx, self, budget).await
    }
}

struct Budget {
    pub size: u64,
    pub max_peak: Option<u64>,
    pub max_ratio: Option<f64>,
}

/// Measures the learner's function against the reference's within `budget`, and grades it.
async fn measure(ctx: &Ctx<'_>, check: &Memory, budget: Budget) -> Result<CheckResult> {
    let (points, function, inputs) = (ctx.points, check.function.as_str(), check.inputs.as_str());
    let spec = Spec {
        mode: "memory",
        function,
        inputs,
        sizes: vec![budget.size],
        rounds: 1,
        give_up_ratio: None,
        give_up_seconds: None,
        reference: String::new(),
    };
    let events = match harness::run(ctx, "memory", points, spec).await? {
        Harnessed::Settled(result) => return Ok(*result),
        Harnessed::Events(events) => events,
    };
    let Some((peak, reference_peak)) = events.iter().find_map(|e| match e {
        Event::Memory {
            learner_peak,
            reference_peak,
            ..
        } => Some((*learner_peak, *reference_peak)),
        _ => None,
    }) else {
        return Ok(CheckResult::whole("memory", Status::Error, points)
            .with_message("nothing could be measured: the harness reported no peak"));
    };
    let measurement = Measurement::Memory {
        size: budget.size,
        peak_bytes: peak,
        reference_peak_bytes: reference_peak,
        max_peak_bytes: budget.max_peak,
        max_ratio: budget.max_ratio,
    };
    let mut problems = Vec::new();
    if let Some(max) = budget.max_peak
        && peak > max
    {
        problems.push(format!("over the budget of {}", human(max)));
    }
    if let Some(ratio) = budget.max_ratio
        && peak as f64 > ratio * reference_peak as f64
    {
        problems.push(format!(
            "over {ratio:.1}x the reference's {}",
            human(reference_peak)
        ));
    }
    let status = if problems.is_empty() {
        Status::Pass
    } else {
        Status::Fail
    };
    let mut message = format!(
        "peak {} during one call at n={} (the reference's: {})",
        human(peak),
        budget.size,
        human(reference_peak)
    );
    if !problems.is_empty() {
        message = format!("{message}: {}", problems.join(", "));
    }
    let mut result = CheckResult::whole("memory", status, points).with_message(message);
    result.measurement = Some(measurement);
    Ok(result)
}

fn human(bytes: u64) -> String {
    bytesize::ByteSize(bytes).display().iec().to_string()
}
