//! The engine driven end to end with the example check kind: the events of a run, in order,
//! and the kind's results in the JSON report.

use std::path::Path;

use anyhow::Result;

use super::{Engine, Event, Listener, Submission, Work};
use crate::bank::outline::{self, tests::ONE_MODULE};
use crate::bank::{Bank, Side};
use crate::checks::example::Lines;
use crate::checks::{Hidden, Registry};
use crate::contain::Sandbox;
use crate::report::{Collector, Emitter, Json, Tools};
use crate::toolchain::{Toolchain, Versions};

const MANIFEST: &str = r#"
format-version = 1
title = "Short"
module = 1
files = ["short.py"]
hints = ["Fewer lines."]

[[check]]
kind = "lines"
points = 3
max-lines = 2
"#;

/// A bank of one exercise whose only check is of the example kind.
fn bank(dir: &Path, registry: &Registry) -> Bank {
    let exercise = dir.join("01-foundations/01-short");
    let files = [
        ("exercise.toml", MANIFEST),
        ("README.md", "# Short\n"),
        ("starter/short.py", "a = 1\nb = 2\nc = 3\n"),
        ("reference/short.py", "a, b, c = 1, 2, 3\n"),
    ];
    for (path, text) in files {
        crate::checks::write_file(&exercise.join(path), text.as_bytes()).unwrap();
    }
    crate::checks::write_file(&dir.join(outline::FILE), ONE_MODULE.as_bytes()).unwrap();
    Bank::load(Some(dir), registry).unwrap()
}

/// Writes down each event as one line.
#[derive(Default)]
struct Recorder(Vec<String>);

impl Listener for Recorder {
    fn on(&mut self, event: &Event<'_, '_>) -> Result<()> {
        let line = match event {
            Event::RunStarted { units, checks } => {
                format!("run started: {units} units, {checks} checks")
            }
            Event::ExerciseStarted { unit } => {
                format!("{} {}: started", unit.submission, unit.exercise.id)
            }
            Event::CheckStarted { unit, check } => {
                format!("{} check {check}: started", unit.submission)
            }
            Event::CheckFinished {
                unit,
                check,
                result,
            } => format!(
                "{} check {check}: {} {}/{}",
                unit.submission,
                result.status.as_str(),
                result.score,
                result.max_score
            ),
            Event::ExerciseGraded { graded } => format!(
                "{} {}: graded {} (started: {})",
                graded.unit.submission,
                graded.unit.exercise.id,
                graded.status().as_str(),
                graded.started
            ),
            Event::RunFinished { interrupted } => {
                format!("run finished (interrupted: {interrupted})")
            }
        };
        self.0.push(line);
        Ok(())
    }
}

#[test]
fn a_new_check_kind_runs_grades_and_reports_through_the_events() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::builtin().with::<Lines>();
    let bank = bank(dir.path(), &registry);
    let exercise = &bank.exercises[0];
    let work = [Side::Reference, Side::Starter]
        .map(|side| Work {
            submission: side.dir(),
            exercise,
            files: Submission::from_side(exercise, side),
            grade_untouched: true,
            behaviour_only: false,
        })
        .into_iter()
        .collect();
    // The example kind starts no process: no Python or sandbox is needed.
    let toolchain = Toolchain {
        python: "python3".into(),
        graders: dir.path().into(),
        mypy_cache: dir.path().into(),
        versions: Versions {
            python: "3".into(),
            pytest: None,
            mypy: None,
            ruff: None,
            coverage: None,
        },
    };
    let engine = Engine {
        registry: &registry,
        toolchain: &toolchain,
        sandbox: &Sandbox::Off,
        jobs: 1,
        hidden: Hidden::Skip,
        warm: false,
        workers: &super::Workers::new(Vec::new()).unwrap(),
    };
    let (mut recorder, mut collector) = (Recorder::default(), Collector::default());
    let interrupted = engine
        .grade(work, &mut [&mut recorder, &mut collector])
        .unwrap();
    assert!(!interrupted);
    assert_eq!(
        recorder.0,
        [
            "run started: 2 units, 2 checks",
            "reference 01-foundations/01-short: started",
            "reference check 0: started",
            "reference check 0: pass 3/3",
            "reference 01-foundations/01-short: graded pass (started: true)",
            "starter 01-foundations/01-short: started",
            "starter check 0: started",
            "starter check 0: fail 0/3",
            "starter 01-foundations/01-short: graded fail (started: false)",
            "run finished (interrupted: false)",
        ]
    );

    let report = collector.into_report(Tools::new(&toolchain.versions, "none".into()));
    let mut out = Vec::new();
    Json.emit(&report, &mut out).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let starter = &json["exercises"][1]["checks"][0];
    assert_eq!(starter["kind"], "lines");
    assert_eq!(starter["status"], "fail");
    assert_eq!(starter["tests"][0]["message"], "3 lines, over 2");
    assert_eq!(json["summary"]["score"], 3.0);
}
