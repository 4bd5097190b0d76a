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
use std::time::Instant;

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

/// Harness runs at most, counting the first; another starts only while the check has used
/// less than half its time.
const MAX_RUNS: usize = 3;
/// Rounds per harness run (the harness stops early once the rounds have cost it enough).
const ROUNDS: usize = 15;
/// In growth mode, a learner call is first stopped after this much CPU time (further runs
/// allow [`ALLOWANCE_GROWTH`] times more), and larger sizes are not tried.
const GROWTH_CALL_SECONDS: f64 = 0.3;
const ALLOWANCE_GROWTH: f64 = 4.0;

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

/// One call of each side at one size, instead of rounds: the learner was too slow for them.
#[derive(Debug, Clone, Copy)]
struct Single {
    learner: f64,
    reference: f64,
    /// The learner's call was stopped: its time is only a lower bound.
    capped: bool,
}

/// One size's rounds: (learner, reference) seconds per call, keyed by (run, round).
type Rounds = BTreeMap<(usize, u64), (f64, f64)>;

/// What the harness measured, over its runs. Rounds are keyed by (run, round), so the sizes
/// of one round line up.
#[derive(Default)]
struct Pool {
    rounds: BTreeMap<u64, Rounds>,
    /// The last run's single calls, by size.
    single: BTreeMap<u64, Single>,
    /// The sizes the last run timed in rounds.
    timed: Vec<u64>,
}

impl Pool {
    /// Adds one harness run's events. A run that timed other sizes than the ones before it
    /// (a larger allowance let it reach further) replaces them: rounds are compared only
    /// across the same sizes.
    fn add(&mut self, run: usize, events: Vec<Event>) {
        let mut rounds: BTreeMap<u64, Rounds> = BTreeMap::new();
        self.single.clear();
        for event in events {
            match event {
                Event::Sample {
                    size,
                    round,
                    learner,
                    reference,
                } => {
                    rounds
                        .entry(size)
                        .or_default()
                        .insert((run, round), (learner, reference));
                }
                Event::Slow {
                    size,
                    learner,
                    reference,
                    capped,
                } => {
                    self.single.insert(
                        size,
                        Single {
                            learner,
                            reference,
                            capped,
                        },
                    );
                }
                _ => {}
            }
        }
        let timed: Vec<u64> = rounds.keys().copied().collect();
        if timed != self.timed {
            self.rounds.clear();
            self.timed = timed;
        }
        for (size, samples) in rounds {
            self.rounds.entry(size).or_default().extend(samples);
        }
    }

    /// The learner's and the reference's median time per call at `size`.
    fn medians(&self, size: u64) -> Option<(f64, f64)> {
        let samples = self.rounds.get(&size)?;
        let learner: Vec<f64> = samples.values().map(|s| s.0).collect();
        let reference: Vec<f64> = samples.values().map(|s| s.1).collect();
        Some((stats::median(&learner)?, stats::median(&reference)?))
    }

    /// The rounds that timed every size, each as its (learner, reference) time per size.
    fn whole_rounds(&self) -> Vec<Vec<(u64, f64, f64)>> {
        let Some(first) = self.rounds.values().next() else {
            return Vec::new();
        };
        first
            .keys()
            .filter_map(|key| {
                self.rounds
                    .iter()
                    .map(|(size, samples)| samples.get(key).map(|(l, r)| (*size, *l, *r)))
                    .collect()
            })
            .collect()
    }
}

/// What the measurements so far say.
enum Finding {
    /// The budget lies outside the figure's uncertainty: a verdict.
    Decided(Measurement, bool),
    /// The budget lies inside it, or a stopped call left the growth open: measure more.
    Open(Option<Measurement>, String),
    /// The learner's function could not finish even the smallest size within its allowance:
    /// a failure, once a larger allowance has not helped either.
    Unfinished(String),
}

/// Measures the learner's function against the reference's within `budget`, and grades it:
/// pass or fail only once the budget lies outside the figure's 95% confidence interval,
/// `inconclusive` when the check's runs could not get it there.
async fn measure(ctx: &Ctx<'_>, check: &Timing, budget: Budget) -> Result<CheckResult> {
    let (points, function, inputs) = (ctx.points, check.function.as_str(), check.inputs.as_str());
    let sizes = match &budget {
        Budget::Ratio { size, .. } => vec![*size],
        Budget::Growth { sizes, .. } => sizes.clone(),
    };
    let started = Instant::now();
    let half_time = ctx.limits.timeout.unwrap_or(<Timing as Kind>::TIMEOUT) / 2;
    let mut pool = Pool::default();
    let mut finding = Finding::Open(None, "nothing was measured".into());
    for run in 0..MAX_RUNS {
        if run > 0 && started.elapsed() > half_time {
            break;
        }
        // A call far past the budget is stopped: its verdict is clear, and it would only
        // spend the check's time.
        let (give_up_ratio, give_up_seconds) = match &budget {
            Budget::Ratio { max_ratio, .. } => (Some((3.0 * max_ratio).max(10.0)), None),
            Budget::Growth { .. } => (
                None,
                Some(GROWTH_CALL_SECONDS * ALLOWANCE_GROWTH.powi(run.min(1) as i32)),
            ),
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
            reference_peak: None,
        };
        let events = match harness::run(ctx, "timing", points, spec).await? {
            Harnessed::Settled(result) => return Ok(*result),
            Harnessed::Events(events) => events,
        };
        pool.add(run, events);
        finding = evaluate(&budget, &pool, give_up_ratio, give_up_seconds);
        if matches!(finding, Finding::Decided(..)) {
            break;
        }
    }
    let (status, measurement, message) = match finding {
        Finding::Decided(measurement, passed) => {
            let status = if passed { Status::Pass } else { Status::Fail };
            let message = describe(&measurement);
            (status, Some(measurement), message)
        }
        Finding::Unfinished(why) => (Status::Fail, None, why),
        Finding::Open(None, why) => {
            return Ok(CheckResult::whole("timing", Status::Error, points)
                .with_message(format!("nothing could be measured: {why}")));
        }
        Finding::Open(Some(measurement), why) => {
            let message = format!(
                "{}: {why}, so no verdict could be given; grade it again on a quieter machine",
                describe(&measurement)
            );
            (Status::Inconclusive, Some(measurement), message)
        }
    };
    let mut result = CheckResult::whole("timing", status, points).with_message(message);
    result.measurement = measurement;
    Ok(result)
}

/// What the measurements in `pool` say about `budget`.
fn evaluate(
    budget: &Budget,
    pool: &Pool,
    give_up_ratio: Option<f64>,
    give_up_seconds: Option<f64>,
) -> Finding {
    match budget {
        Budget::Ratio { size, max_ratio } => ratio(*size, *max_ratio, pool, give_up_ratio),
        Budget::Growth {
            sizes,
            max_exponent,
            margin,
        } => growth(sizes, *max_exponent, *margin, pool, give_up_seconds),
    }
}

fn ratio(size: u64, max_ratio: f64, pool: &Pool, give_up_ratio: Option<f64>) -> Finding {
    if let Some(single) = pool.single.get(&size) {
        // One call each, only when the learner is many times slower than the reference (or
        // was stopped for it): far past any noise.
        let mut ratio = single.learner / single.reference.max(1e-12);
        if single.capped {
            ratio = ratio.max(give_up_ratio.unwrap_or(0.0));
        }
        let figure = Measurement::Ratio {
            size,
            ratio,
            uncertainty: 0.0,
            max_ratio,
            rounds: 1,
        };
        return Finding::Decided(figure, ratio <= max_ratio);
    }
    let ratios: Vec<f64> = pool
        .rounds
        .get(&size)
        .map(|s| s.values().map(|(l, r)| l / r.max(1e-12)).collect())
        .unwrap_or_default();
    let (Some(ratio), Some(uncertainty)) =
        (stats::median(&ratios), stats::median_uncertainty(&ratios))
    else {
        return Finding::Open(None, "the harness reported no samples".into());
    };
    let figure = Measurement::Ratio {
        size,
        ratio,
        uncertainty,
        max_ratio,
        rounds: ratios.len(),
    };
    if (ratio - max_ratio).abs() > uncertainty {
        Finding::Decided(figure, ratio <= max_ratio)
    } else {
        Finding::Open(
            figure.into(),
            "the budget lies within the measurement's uncertainty".into(),
        )
    }
}

fn growth(
    sizes: &[u64],
    max_exponent: Option<f64>,
    margin: Option<f64>,
    pool: &Pool,
    give_up_seconds: Option<f64>,
) -> Finding {
    let stopped = pool.single.iter().find(|(_, s)| s.capped);
    let fitted = fit_rounds(pool, max_exponent, margin);
    let Some((&stopped_at, stopped)) = stopped else {
        // Every size timed: one fit per round, so the uncertainty is the rounds' own.
        let Some(fit) = fitted.filter(|_| pool.timed.len() == sizes.len()) else {
            return Finding::Open(None, "not every size could be timed".into());
        };
        let figure = fit.figure(pool.timed.clone(), None);
        return if (fit.centre - fit.graded_budget).abs() > fit.uncertainty {
            Finding::Decided(figure, fit.centre <= fit.graded_budget)
        } else {
            Finding::Open(
                Some(figure),
                "the budget lies within the measurement's uncertainty".into(),
            )
        };
    };
    // A call was stopped, so the sizes from it on have no time. The sizes below it decide
    // a failure when their own growth is past the budget beyond doubt ...
    if let Some(fit) = fitted.as_ref().filter(|_| pool.timed.len() >= 2)
        && fit.centre - fit.uncertainty > fit.graded_budget
    {
        return Finding::Decided(fit.figure(pool.timed.clone(), Some(stopped_at)), false);
    }
    // ... and so does the stopped call, whose time is a lower bound: against a size that
    // completed, it bounds the exponent from below.
    let allowance = give_up_seconds.unwrap_or(stopped.learner);
    let Some((from, bound)) = pool
        .timed
        .iter()
        .filter(|&&n| n < stopped_at)
        .filter_map(|&n| {
            let (time, _) = pool.medians(n)?;
            Some((
                n,
                (stopped.learner / time).ln() / (stopped_at as f64 / n as f64).ln(),
            ))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
    else {
        return Finding::Unfinished(format!(
            "your function did not finish the smallest size, n={stopped_at}, within {allowance:.1} s of CPU time, so its growth could not be measured"
        ));
    };
    // The reference ran at every size the learner reached, the stopped one included.
    let reference_points: Vec<(f64, f64)> = sizes
        .iter()
        .filter_map(|&n| {
            let time = (pool.medians(n).map(|m| m.1)).or(pool.single.get(&n).map(|s| s.reference));
            Some((n as f64, time?))
        })
        .collect();
    let Some(reference_exponent) = stats::growth_exponent(&reference_points) else {
        return Finding::Open(None, "the reference's time could not be fitted".into());
    };
    let budget = max_exponent.unwrap_or(reference_exponent + margin.unwrap_or(0.0));
    let figure = Measurement::Growth {
        sizes: vec![from, stopped_at],
        exponent: bound,
        uncertainty: 0.0,
        reference_exponent,
        max_exponent: budget,
        rounds: 1,
        stopped_at: Some(stopped_at),
        lower_bound: true,
    };
    if bound > budget {
        Finding::Decided(figure, false)
    } else {
        Finding::Open(
            Some(figure),
            format!(
                "a call at n={stopped_at} was stopped after {allowance:.1} s of CPU time before its growth could be told"
            ),
        )
    }
}

/// The growth over the sizes timed in rounds: one fit per round, learner and reference.
struct Fit {
    exponent: f64,
    reference_exponent: f64,
    /// The figure graded (the exponent, or with a margin its difference from the
    /// reference's), its uncertainty and its budget.
    centre: f64,
    uncertainty: f64,
    graded_budget: f64,
    /// The budget of the exponent itself.
    budget: f64,
    rounds: usize,
}

impl Fit {
    fn figure(&self, sizes: Vec<u64>, stopped_at: Option<u64>) -> Measurement {
        Measurement::Growth {
            sizes,
            exponent: self.exponent,
            uncertainty: self.uncertainty,
            reference_exponent: self.reference_exponent,
            max_exponent: self.budget,
            rounds: self.rounds,
            stopped_at,
            lower_bound: false,
        }
    }
}

fn fit_rounds(pool: &Pool, max_exponent: Option<f64>, margin: Option<f64>) -> Option<Fit> {
    let rounds = pool.whole_rounds();
    let fit = |round: &Vec<(u64, f64, f64)>, side: fn(&(u64, f64, f64)) -> f64| {
        let points: Vec<(f64, f64)> = round.iter().map(|p| (p.0 as f64, side(p))).collect();
        stats::growth_exponent(&points)
    };
    let learner: Vec<f64> = rounds.iter().filter_map(|r| fit(r, |p| p.1)).collect();
    let reference: Vec<f64> = rounds.iter().filter_map(|r| fit(r, |p| p.2)).collect();
    let exponent = stats::median(&learner)?;
    let reference_exponent = stats::median(&reference)?;
    // With a margin, the graded figure is the difference of the two exponents, round by round.
    let (graded, budget, graded_budget) = match (max_exponent, margin) {
        (Some(max), _) => (learner.clone(), max, max),
        (None, margin) => {
            let margin = margin.unwrap_or(0.0);
            let differences = learner.iter().zip(&reference).map(|(l, r)| l - r).collect();
            (differences, reference_exponent + margin, margin)
        }
    };
    Some(Fit {
        exponent,
        reference_exponent,
        centre: stats::median(&graded)?,
        uncertainty: stats::median_uncertainty(&graded)?,
        graded_budget,
        budget,
        rounds: graded.len(),
    })
}

/// The figure and its budget, in the words of a report.
fn describe(measurement: &Measurement) -> String {
    match measurement {
        Measurement::Ratio {
            ratio,
            max_ratio,
            size,
            rounds,
            ..
        } if *rounds <= 1 => format!(
            "{ratio:.2}x the reference's time at n={size} (one call each; budget {max_ratio:.2}x)"
        ),
        Measurement::Ratio {
            ratio,
            uncertainty,
            max_ratio,
            size,
            ..
        } => format!(
            "{ratio:.2}x the reference's time at n={size} (±{uncertainty:.2}; budget {max_ratio:.2}x)"
        ),
        Measurement::Growth {
            exponent,
            uncertainty,
            reference_exponent,
            max_exponent,
            sizes,
            stopped_at,
            lower_bound,
            ..
        } => {
            let (first, last) = (sizes[0], sizes[sizes.len() - 1]);
            let figure = match (stopped_at, lower_bound) {
                (Some(stopped), true) => format!(
                    "time grows at least like n^{exponent:.2} from n={first} to n={last} (a call at n={stopped} was stopped at its CPU allowance"
                ),
                (Some(stopped), false) => format!(
                    "time grows like n^{exponent:.2} from n={first} to n={last} (±{uncertainty:.2}; a call at n={stopped} was stopped at its CPU allowance"
                ),
                (None, _) => format!("time grows like n^{exponent:.2} (±{uncertainty:.2}"),
            };
            format!(
                "{figure}; the reference's n^{reference_exponent:.2}; budget n^{max_exponent:.2})"
            )
        }
        Measurement::Memory { .. } => unreachable!("a timing check measures time"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pool of `rounds` rounds in which the learner takes `learner(n, round)` and the
    /// reference `n` microseconds at each size.
    fn pool(sizes: &[u64], rounds: u64, learner: impl Fn(f64, u64) -> f64) -> Pool {
        let mut events = Vec::new();
        for round in 0..rounds {
            for &size in sizes {
                events.push(Event::Sample {
                    size,
                    round,
                    learner: learner(size as f64, round),
                    reference: size as f64 * 1e-6,
                });
            }
        }
        let mut pool = Pool::default();
        pool.add(0, events);
        pool
    }

    fn ratio_budget(max_ratio: f64) -> Budget {
        Budget::Ratio {
            size: 1000,
            max_ratio,
        }
    }

    fn growth_budget(max_exponent: f64) -> Budget {
        Budget::Growth {
            sizes: vec![1000, 2000, 4000, 8000],
            max_exponent: Some(max_exponent),
            margin: None,
        }
    }

    /// Noise of about ±10% that differs from round to round.
    fn noise(round: u64) -> f64 {
        1.0 + 0.1 * ((round * 7 % 5) as f64 - 2.0) / 2.0
    }

    #[test]
    fn a_ratio_well_inside_its_budget_passes() {
        let pool = pool(&[1000], 15, |n, r| n * 1e-6 * noise(r));
        match evaluate(&ratio_budget(3.0), &pool, Some(10.0), None) {
            Finding::Decided(figure, passed) => assert!(passed, "{}", describe(&figure)),
            _ => panic!("undecided"),
        }
    }

    #[test]
    fn a_budget_within_the_uncertainty_gives_no_verdict() {
        let pool = pool(&[1000], 15, |n, r| 3.0 * n * 1e-6 * noise(r));
        assert!(matches!(
            evaluate(&ratio_budget(3.0), &pool, Some(10.0), None),
            Finding::Open(Some(_), _)
        ));
    }

    #[test]
    fn growth_fits_every_round_and_grades_the_median() {
        let sizes = [1000, 2000, 4000, 8000];
        let quadratic = pool(&sizes, 15, |n, r| n * n * 1e-9 * noise(r));
        let Finding::Decided(figure, passed) =
            evaluate(&growth_budget(1.4), &quadratic, None, None)
        else {
            panic!("undecided")
        };
        assert!(!passed);
        let Measurement::Growth {
            exponent,
            reference_exponent,
            rounds,
            ..
        } = figure
        else {
            panic!("{figure:?}")
        };
        assert!((exponent - 2.0).abs() < 0.01 && (reference_exponent - 1.0).abs() < 0.01);
        assert_eq!(rounds, 15);
    }

    #[test]
    fn a_load_that_changes_between_rounds_does_not_bend_the_growth() {
        // Every other round runs three times slower at every size: the per-round fits do not
        // see it, where fitting pooled medians size by size would if the load changed midway.
        let sizes = [1000, 2000, 4000, 8000];
        let linear = pool(&sizes, 16, |n, r| {
            n * 1e-6 * if r % 2 == 0 { 1.0 } else { 3.0 }
        });
        let Finding::Decided(figure, passed) = evaluate(&growth_budget(1.4), &linear, None, None)
        else {
            panic!("undecided")
        };
        assert!(passed, "{}", describe(&figure));
    }

    #[test]
    fn a_stopped_call_decides_when_its_lower_bound_is_past_the_budget() {
        let mut pool = Pool::default();
        let mut events: Vec<Event> = (0..10)
            .map(|round| Event::Sample {
                size: 2000,
                round,
                learner: 0.1,
                reference: 0.001,
            })
            .collect();
        events.push(Event::Slow {
            size: 4000,
            learner: 0.3,
            reference: 0.002,
            capped: true,
        });
        pool.add(0, events);
        let Finding::Decided(figure, passed) =
            evaluate(&growth_budget(1.4), &pool, None, Some(0.3))
        else {
            panic!("undecided")
        };
        assert!(!passed);
        assert!(describe(&figure).starts_with("time grows at least like n^1.58"));
        // A bound below the budget leaves the growth open.
        assert!(matches!(
            evaluate(&growth_budget(1.7), &pool, None, Some(0.3)),
            Finding::Open(Some(_), _)
        ));
    }

    #[test]
    fn the_sizes_below_a_stopped_call_decide_when_their_growth_is_past_the_budget() {
        let mut events = Vec::new();
        for round in 0..10 {
            for (size, learner) in [(2000, 0.06), (4000, 0.24)] {
                events.push(Event::Sample {
                    size,
                    round,
                    learner: learner * noise(round),
                    reference: size as f64 * 1e-6,
                });
            }
        }
        events.push(Event::Slow {
            size: 8000,
            learner: 0.3,
            reference: 0.008,
            capped: true,
        });
        let mut pool = Pool::default();
        pool.add(0, events);
        let Finding::Decided(figure, passed) =
            evaluate(&growth_budget(1.4), &pool, None, Some(0.3))
        else {
            panic!("undecided")
        };
        assert!(!passed);
        assert!(
            describe(&figure).starts_with("time grows like n^2.00 from n=2000 to n=4000"),
            "{}",
            describe(&figure)
        );
    }

    #[test]
    fn a_call_stopped_at_the_smallest_size_cannot_be_fitted() {
        let mut pool = Pool::default();
        pool.add(
            0,
            vec![Event::Slow {
                size: 1000,
                learner: 0.3,
                reference: 0.001,
                capped: true,
            }],
        );
        assert!(matches!(
            evaluate(&growth_budget(1.4), &pool, None, Some(0.3)),
            Finding::Unfinished(_)
        ));
    }
}
