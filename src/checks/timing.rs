//! The `timing` check: is the learner's function fast enough next to the reference's?
//!
//! Ratio mode grades the median of per-round ratios (learner CPU time over reference CPU time,
//! measured in alternating rounds by the harness) against `max-ratio`. Growth mode fits the
//! exponent `k` of `time ~ n^k` over several sizes and grades it against `max-exponent`, or the
//! reference's exponent plus `exponent-margin`. Neither ever grades an absolute time.
//!
//! When the budget lies inside the noise band of the figure, the measurement is repeated and
//! pooled, up to [`MAX_RUNS`] runs, before deciding.

use std::collections::BTreeMap;

use anyhow::Result;

use serde::Deserialize;

use super::ctx::Ctx;
use super::harness::{self, Harnessed};
use super::kind::Kind;
use crate::bank::Layout;
use crate::grade::{CheckResult, Measurement, Status};
use crate::protocol::measure::{Event, Spec};
use crate::stats;

/// `kind = "timing"`: the learner's function timed against the reference's, in one harness
/// process.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Timing {
    /// `module.callable` in the learner's files; the reference's namesake is its measure.
    function: String,
    /// `module.function(n, seed)` in a trusted file of the exercise: the call's arguments.
    inputs: String,
    /// Ratio mode: the size graded, against `max-ratio`.
    size: Option<u64>,
    max_ratio: Option<f64>,
    /// Growth mode: increasing sizes, against `max-exponent` or the reference's plus
    /// `exponent-margin`.
    growth: Option<Vec<u64>>,
    max_exponent: Option<f64>,
    exponent_margin: Option<f64>,
}

impl Kind for Timing {
    const NAME: &'static str = "timing";
    const RUNS_ALONE: bool = true;

    fn problems(&self, exercise: &Layout<'_>) -> Vec<String> {
        let mut problems = harness::problems(&self.function, &self.inputs, exercise);
        match (self.size, &self.growth) {
            (Some(_), None) if self.max_ratio.is_none_or(|r| r <= 0.0) => {
                problems.push("ratio mode (`size`) needs a positive `max-ratio`".into())
            }
            (None, Some(sizes)) => {
                if sizes.len() < 2 || sizes.windows(2).any(|w| w[0] == 0 || w[1] <= w[0]) {
                    problems.push("`growth` needs at least two increasing sizes".into());
                }
                if self.max_exponent.is_none() == self.exponent_margin.is_none() {
                    problems.push(
                        "growth mode needs exactly one of `max-exponent` and `exponent-margin`"
                            .into(),
                    );
                }
            }
            (Some(_), None) => {}
            _ => problems.push("give either `size` (ratio mode) or `growth` (growth mode)".into()),
        }
        problems
    }

    async fn run(&self, ctx: &Ctx<'_>) -> Result<CheckResult> {
        let budget = match (self.size, &self.growth) {
            (Some(size), _) => Budget::Ratio {
                size,
                max_ratio: self.max_ratio.unwrap_or(1.0),
            },
            (None, sizes) => Budget::Growth {
                sizes: sizes.clone().unwrap_or_default(),
                max_exponent: self.max_exponent,
                margin: self.exponent_margin,
            },
        };
        measure(ctx, self, budget).await
    }
}

/// Harness runs at most, counting the first.
const MAX_RUNS: usize = 3;
/// Rounds per size in one harness run (the harness may stop a size early when it is slow).
const ROUNDS: usize = 15;
/// In growth mode, a learner call is stopped after this much CPU time, and larger sizes are
/// not tried: the time measured so far is a lower bound, which only flatters the exponent.
const GROWTH_CALL_SECONDS: f64 = 0.3;

/// Per-round times of one size, and whether a single decisive call replaced the rounds.
#[derive(Default)]
struct SizeSamples {
    learner: Vec<f64>,
    reference: Vec<f64>,
    ratios: Vec<f64>,
    /// A learner call at this size was stopped: its time is only a lower bound.
    capped: bool,
}

/// The budget the manifest sets, in one of the two modes.
enum Budget {
    Ratio {
        size: u64,
        max_ratio: f64,
    },
    Growth {
        sizes: Vec<u64>,
        max_exponent: Option<f64>,
        margin: Option<f64>,
    },
}

/// Measures the learner's function against the reference's within `budget`, and grades it.
async fn measure(ctx: &Ctx<'_>, check: &Timing, budget: Budget) -> Result<CheckResult> {
    let (points, function, inputs) = (ctx.points, check.function.as_str(), check.inputs.as_str());
    let sizes = match &budget {
        Budget::Ratio { size, .. } => vec![*size],
        Budget::Growth { sizes, .. } => sizes.clone(),
    };
    let mut pooled: BTreeMap<u64, SizeSamples> = BTreeMap::new();
    let mut measurement = None;
    for _ in 0..MAX_RUNS {
        // A call far past the budget is stopped: its verdict is clear, and it would only
        // spend the check's time.
        let (give_up_ratio, give_up_seconds) = match &budget {
            Budget::Ratio { max_ratio, .. } => (Some((3.0 * max_ratio).max(10.0)), None),
            Budget::Growth { .. } => (None, Some(GROWTH_CALL_SECONDS)),
        };
        let spec = Spec {
            mode: "timing",
            function,
            inputs,
            sizes: sizes.clone(),
            rounds: ROUNDS,
            give_up_ratio,
            give_up_seconds,
            reference: String::new(),
        };
        let events = match harness::run(ctx, "timing", points, spec).await? {
            Harnessed::Settled(result) => return Ok(result),
            Harnessed::Events(events) => events,
        };
        for event in events {
            let (size, learner, reference, capped) = match event {
                Event::Sample {
                    size,
                    learner,
                    reference,
                } => (size, learner, reference, false),
                Event::Slow {
                    size,
                    learner,
                    reference,
                    capped,
                } => (size, learner, reference, capped),
                _ => continue,
            };
            let samples = pooled.entry(size).or_default();
            let mut ratio = learner / reference.max(1e-12);
            if capped {
                // Stopped for having run past the allowance: at least that slow.
                ratio = ratio.max(give_up_ratio.unwrap_or(0.0));
                samples.capped = true;
            }
            samples.learner.push(learner);
            samples.reference.push(reference);
            samples.ratios.push(ratio);
        }
        let (figure, inconclusive) = evaluate(&budget, &pooled);
        measurement = figure;
        if !inconclusive {
            break;
        }
    }
    let Some(measurement) = measurement else {
        return Ok(CheckResult::whole("timing", Status::Error, points)
            .with_message("nothing could be measured: the harness reported no samples"));
    };
    let (passed, message) = verdict(&measurement);
    let mut result = CheckResult::whole(
        "timing",
        if passed { Status::Pass } else { Status::Fail },
        points,
    )
    .with_message(message);
    result.measurement = Some(measurement);
    Ok(result)
}

/// The figure so far, and whether its budget lies inside its noise band (measure more).
fn evaluate(budget: &Budget, pooled: &BTreeMap<u64, SizeSamples>) -> (Option<Measurement>, bool) {
    match budget {
        Budget::Ratio { size, max_ratio } => {
            let Some(samples) = pooled.get(size) else {
                return (None, false);
            };
            let (Some(ratio), Some(spread)) = (
                stats::median(&samples.ratios),
                stats::spread(&samples.ratios),
            ) else {
                return (None, false);
            };
            let inconclusive = (ratio - max_ratio).abs() <= 2.0 * spread;
            let figure = Measurement::Ratio {
                size: *size,
                ratio,
                spread,
                max_ratio: *max_ratio,
                rounds: samples.ratios.len(),
            };
            (Some(figure), inconclusive)
        }
        Budget::Growth {
            sizes,
            max_exponent,
            margin,
        } => {
            // A stopped call's time is only a lower bound, and would flatter the exponent: it
            // is left out while two complete sizes remain to fit.
            let complete = pooled.values().filter(|s| !s.capped).count();
            let fit = |side: fn(&SizeSamples) -> &Vec<f64>, q: f64| -> Option<f64> {
                let points: Vec<(f64, f64)> = pooled
                    .iter()
                    .filter(|(_, s)| complete < 2 || !s.capped)
                    .filter_map(|(n, s)| Some((*n as f64, stats::quantile(side(s), q)?)))
                    .collect();
                stats::growth_exponent(&points)
            };
            fn learner(s: &SizeSamples) -> &Vec<f64> {
                &s.learner
            }
            fn reference(s: &SizeSamples) -> &Vec<f64> {
                &s.reference
            }
            let (Some(exponent), Some(reference_exponent)) =
                (fit(learner, 0.5), fit(reference, 0.5))
            else {
                return (None, false);
            };
            let low = fit(learner, 0.25).unwrap_or(exponent);
            let high = fit(learner, 0.75).unwrap_or(exponent);
            let spread = (high - low).abs() / 2.0;
            let max_exponent = max_exponent.unwrap_or(reference_exponent + margin.unwrap_or(0.0));
            let inconclusive = (exponent - max_exponent).abs() <= 2.0 * spread;
            let measured: Vec<u64> = sizes
                .iter()
                .copied()
                .filter(|n| pooled.contains_key(n))
                .collect();
            let figure = Measurement::Growth {
                sizes: measured,
                exponent,
                spread,
                reference_exponent,
                max_exponent,
            };
            (Some(figure), inconclusive)
        }
    }
}

fn verdict(measurement: &Measurement) -> (bool, String) {
    match measurement {
        Measurement::Ratio {
            ratio,
            spread,
            max_ratio,
            size,
            ..
        } => (
            ratio <= max_ratio,
            format!(
                "{ratio:.2}x the reference's time at n={size} (±{spread:.2}; budget {max_ratio:.2}x)"
            ),
        ),
        Measurement::Growth {
            exponent,
            spread,
            reference_exponent,
            max_exponent,
            ..
        } => (
            exponent <= max_exponent,
            format!(
                "time grows like n^{exponent:.2} (±{spread:.2}; the reference's n^{reference_exponent:.2}; budget n^{max_exponent:.2})"
            ),
        ),
        Measurement::Memory { .. } => unreachable!("a timing check measures time"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(ratios: &[f64]) -> BTreeMap<u64, SizeSamples> {
        let mut pooled = BTreeMap::new();
        pooled.insert(
            100,
            SizeSamples {
                learner: ratios.to_vec(),
                reference: vec![1.0; ratios.len()],
                ratios: ratios.to_vec(),
                capped: false,
            },
        );
        pooled
    }

    #[test]
    fn a_ratio_well_inside_its_budget_is_conclusive() {
        let (figure, inconclusive) = evaluate(
            &Budget::Ratio {
                size: 100,
                max_ratio: 3.0,
            },
            &samples(&[1.0, 1.1, 0.9, 1.05]),
        );
        assert!(!inconclusive);
        assert!(verdict(&figure.unwrap()).0);
    }

    #[test]
    fn a_ratio_whose_noise_band_holds_the_budget_asks_for_more() {
        let (_, inconclusive) = evaluate(
            &Budget::Ratio {
                size: 100,
                max_ratio: 3.0,
            },
            &samples(&[2.5, 3.4, 2.8, 3.2, 3.0]),
        );
        assert!(inconclusive);
    }

    #[test]
    fn growth_compares_the_fitted_exponent_with_the_budget() {
        let mut pooled = BTreeMap::new();
        for n in [1000u64, 2000, 4000] {
            let t = (n as f64).powi(2) * 1e-9;
            let r = n as f64 * 1e-6;
            pooled.insert(
                n,
                SizeSamples {
                    learner: vec![t, t * 1.01],
                    reference: vec![r, r],
                    ..SizeSamples::default()
                },
            );
        }
        let budget = Budget::Growth {
            sizes: vec![1000, 2000, 4000],
            max_exponent: None,
            margin: Some(0.4),
        };
        let (figure, _) = evaluate(&budget, &pooled);
        let figure = figure.unwrap();
        let (passed, message) = verdict(&figure);
        assert!(!passed, "{message}");
        match figure {
            Measurement::Growth {
                exponent,
                reference_exponent,
                max_exponent,
                ..
            } => {
                assert!((exponent - 2.0).abs() < 0.01);
                assert!((reference_exponent - 1.0).abs() < 0.01);
                assert!((max_exponent - 1.4).abs() < 0.01);
            }
            other => panic!("{other:?}"),
        }
    }
}
