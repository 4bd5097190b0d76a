//! The `memory` check: peak memory allocated during one call of the learner's function
//! (tracemalloc, in the harness), against an absolute budget, a ratio to the reference's peak,
//! or both. It is what tells a generator pipeline from one that builds a list of everything.
//! A `memory-limit` on the whole process turns running out into the `memory-limit` verdict.

use anyhow::{Context, Result};

use serde::{Deserialize, Serialize};

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
        reference_peak: Some(reference_peak(ctx, check).await?),
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

/// What a kept reference peak's file holds.
#[derive(Serialize, Deserialize)]
struct Kept {
    reference_peak: u64,
}

/// The reference's peak during one call at the check's size. tracemalloc makes a call several
/// times slower, and the peak is the same for every learner: it is measured once, by a trusted
/// run that imports none of the learner's files (which could otherwise bend it for everyone
/// after them), and kept by everything it depends on: the exercise's files, the check's
/// function, inputs and size, the Python, pygrade and its graders package (the harness).
async fn reference_peak(ctx: &Ctx<'_>, check: &Memory) -> Result<u64> {
    let size = check.size.to_string();
    let mut parts: Vec<&[u8]> = vec![
        env!("CARGO_PKG_VERSION").as_bytes(),
        b"reference peak",
        ctx.toolchain.graders.as_os_str().as_encoded_bytes(),
        ctx.toolchain.versions.python.as_bytes(),
        check.function.as_bytes(),
        check.inputs.as_bytes(),
        size.as_bytes(),
    ];
    for (path, bytes) in &ctx.exercise.files {
        parts.push(path.as_os_str().as_encoded_bytes());
        parts.push(bytes);
    }
    let kept = crate::toolchain::home()?
        .join("measured")
        .join(format!("{}.json", crate::toolchain::short_hash(&parts)));
    if let Some(Kept { reference_peak }) = std::fs::read(&kept)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        return Ok(reference_peak);
    }
    let spec = Spec {
        mode: "reference-memory",
        function: &check.function,
        inputs: &check.inputs,
        sizes: vec![check.size],
        rounds: 1,
        give_up_ratio: None,
        give_up_seconds: None,
        reference: String::new(),
        reference_peak: None,
    };
    let events = harness::trusted(ctx, Memory::NAME, spec).await?;
    let reference_peak = events
        .iter()
        .find_map(|e| match e {
            Event::ReferencePeak { peak } => Some(*peak),
            _ => None,
        })
        .with_context(|| {
            format!(
                "{}: the harness reported no peak for the reference",
                ctx.exercise.id
            )
        })?;
    // Kept for the next check; one that cannot be kept is measured again then.
    if let Some(folder) = kept.parent()
        && std::fs::create_dir_all(folder).is_ok()
    {
        let _ = crate::files::write_atomically(&kept, |out| {
            serde_json::to_writer(out, &Kept { reference_peak }).map_err(Into::into)
        });
    }
    Ok(reference_peak)
}

fn human(bytes: u64) -> String {
    bytesize::ByteSize(bytes).display().iec().to_string()
}
