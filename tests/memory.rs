//! The memory check's reference peak: measured once, by a trusted run that imports none of the
//! learner's files, kept in pygrade's home, and taken from there by every later check.

mod common;

use common::{Env, Fixture, Grade, check, copy_outline, copy_tree, exercise, message, repo};
use serde_json::Value;

const STREAMING_STATS: &str = "07-performance/03-streaming-stats";

/// Appended to a learner file that lists every number: the harness loads the reference's
/// module before the learner's, and the reference's `summarise` looks `read_numbers` up in its
/// module when it is called, so that, measured beside this file, the reference would hold
/// 20 MB during its call, and a list of every number would look small beside it.
const BENDS_THE_REFERENCE: &str = r#"

import sys as _sys

_reference = _sys.modules.get("pygrade_reference")
if _reference is not None:
    _reference_read_numbers = _reference.read_numbers

    def _heavy_read_numbers(lines):  # type: ignore[no-untyped-def]
        ballast = bytearray(20_000_000)
        yield from _reference_read_numbers(lines)
        del ballast

    _reference.read_numbers = _heavy_read_numbers
"#;

#[test]
fn a_learner_cannot_bend_the_reference_s_peak_and_the_kept_one_is_taken() {
    let env = Env::new();
    // A home of this test's own, so that the reference's peak is measured here first; the
    // Python is the one already set up.
    let home = env.path().join("home");
    let python = env.python();
    let bank = env.path().join("bank");
    copy_tree(
        &repo().join("exercises").join(STREAMING_STATS),
        &bank.join(STREAMING_STATS),
    );
    copy_outline(&bank);
    // A budget relative to the reference's peak, where bending it would pay.
    let manifest = bank.join(STREAMING_STATS).join("exercise.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("max-peak = \"256 KiB\""));
    std::fs::write(
        &manifest,
        text.replace("max-peak = \"256 KiB\"", "max-ratio = 2.0"),
    )
    .unwrap();
    let ws = env.init("ws", Some(&bank));
    let folder = ws.exercise(STREAMING_STATS);
    Fixture::named("memory-materialises-list").lay(&folder, None);
    let file = folder.join("stream_stats.py");
    let listing = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, listing + BENDS_THE_REFERENCE).unwrap();
    let memory = || -> Value {
        let graded = env
            .check(&ws)
            .env("PYGRADE_HOME", &home)
            .env("PYGRADE_PYTHON", &python)
            .arg(STREAMING_STATS)
            .graded();
        check(exercise(&graded.report, STREAMING_STATS), "memory").clone()
    };

    let first = memory();
    let measured = &first["measurement"];
    let reference_peak = measured["reference_peak_bytes"].as_u64().unwrap();
    assert_eq!(first["status"], "fail", "{}", message(&first));
    assert!(
        reference_peak < 100_000,
        "the reference's peak was bent: {first}"
    );
    assert!(
        message(&first).contains("over 2.0x the reference's"),
        "{}",
        message(&first)
    );

    // The one figure kept is the one reported, and the next check takes it from there.
    let kept: Vec<_> = std::fs::read_dir(home.join("measured"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let figure: Value = serde_json::from_slice(&std::fs::read(&kept[0]).unwrap()).unwrap();
    assert_eq!(figure["reference_peak"].as_u64(), Some(reference_peak));
    std::fs::write(&kept[0], r#"{"reference_peak": 1073741824}"#).unwrap();
    let second = memory();
    assert_eq!(second["status"], "pass", "{}", message(&second));
    assert_eq!(
        second["measurement"]["reference_peak_bytes"].as_u64(),
        Some(1 << 30)
    );
    assert!(
        message(&second).contains("(the reference's: 1.0 GiB)"),
        "{}",
        message(&second)
    );
}
