//! Timing and memory checks on the fixtures made for them: the verdicts a learner would get
//! for an equivalent solution, a constant factor slower, a quadratic one, a fast wrong one,
//! and for a streaming and a list-building pipeline. Verdicts only: the figures behind them
//! are CPU-time ratios and exponents, which is what makes them hold on a busy machine; how
//! often they hold is measured by `benches/timing_verdicts.py`, not asserted here.

mod common;

use common::{Env, check, exercise, repo};
use serde_json::Value;

const PAIR_SUMS: &str = "07-performance/02-pair-sums";
const STREAMING: &str = "07-performance/03-streaming-stats";

/// The timing or memory checks of `id`, graded on the fixture's files.
fn measured(fixture: &str, id: &str) -> Vec<Value> {
    let env = Env::new();
    let ws = env.workspace();
    common::copy_tree(&repo().join("fixtures/submissions").join(fixture), &ws);
    let (_, report) = env.check_json(None, &ws, &[id]);
    let e = exercise(&report, id).clone();
    assert_eq!(
        check(&e, "pytest")["status"],
        if fixture.contains("wrong") {
            "fail"
        } else {
            "pass"
        }
    );
    e["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "timing" || c["kind"] == "memory")
        .cloned()
        .collect()
}

fn by_mode<'a>(checks: &'a [Value], mode: &str) -> &'a Value {
    checks
        .iter()
        .find(|c| {
            c["measurement"]["kind"] == mode || (mode == "wrong" && c["measurement"].is_null())
        })
        .unwrap_or_else(|| panic!("no {mode} figure in {checks:?}"))
}

#[test]
fn an_equivalent_solution_passes_both_timing_checks() {
    let checks = measured("timing-equivalent", PAIR_SUMS);
    for c in &checks {
        assert_eq!(c["status"], "pass", "{c}");
        let m = &c["measurement"];
        assert!(
            m["spread"].is_number(),
            "every figure comes with its spread: {m}"
        );
    }
    let ratio = by_mode(&checks, "ratio")["measurement"].clone();
    assert!(ratio["ratio"].as_f64().unwrap() <= ratio["max_ratio"].as_f64().unwrap());
}

#[test]
fn a_constant_factor_slower_fails_the_ratio_but_not_the_growth() {
    let checks = measured("timing-3x-slower", PAIR_SUMS);
    assert_eq!(by_mode(&checks, "ratio")["status"], "fail");
    assert_eq!(by_mode(&checks, "growth")["status"], "pass");
}

#[test]
fn a_quadratic_solution_fails_on_growth() {
    let checks = measured("timing-quadratic", PAIR_SUMS);
    let growth = by_mode(&checks, "growth");
    assert_eq!(growth["status"], "fail");
    let m = &growth["measurement"];
    assert!(
        m["exponent"].as_f64().unwrap() > m["max_exponent"].as_f64().unwrap(),
        "{m}"
    );
}

#[test]
fn a_fast_wrong_solution_is_never_timed() {
    let checks = measured("timing-fast-wrong", PAIR_SUMS);
    for c in &checks {
        assert_eq!(c["status"], "fail");
        assert!(
            c["message"].as_str().unwrap().contains("wrong result"),
            "{c}"
        );
    }
}

#[test]
fn a_streaming_pipeline_passes_its_memory_budget() {
    let checks = measured("memory-generator", STREAMING);
    let memory = &checks[0];
    assert_eq!(memory["status"], "pass", "{memory}");
    let m = &memory["measurement"];
    assert!(m["peak_bytes"].as_u64().unwrap() <= m["max_peak_bytes"].as_u64().unwrap());
}

#[test]
fn a_pipeline_that_builds_a_list_fails_its_memory_budget() {
    let checks = measured("memory-materialises-list", STREAMING);
    let memory = &checks[0];
    assert_eq!(memory["status"], "fail");
    let m = &memory["measurement"];
    assert!(
        m["peak_bytes"].as_u64().unwrap() > m["max_peak_bytes"].as_u64().unwrap(),
        "{m}"
    );
}
