//! The JUnit report as CI systems read it: what `check --format junit=PATH` writes for a
//! failing submission, and that it, like the emitter's sample reports as their snapshots hold
//! them, is valid against the JUnit schema Jenkins checks reports with
//! (`tests/schemas/junit.xsd`). The validator, `xmlschema`, is pinned in
//! `tests/schemas/requirements.txt`; the test installs it with pygrade's pinned Python into
//! the target folder, apart from the environment learner code runs in (see
//! [`common::python_packages`]).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use assert_cmd::prelude::*;
use common::{Env, WORD_COUNT, python_packages, repo};
use predicates::prelude::*;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// An element of a report: its attributes, and its text.
#[derive(Debug, Default)]
struct Element {
    attributes: BTreeMap<String, String>,
    text: String,
}

impl Element {
    fn of(start: &BytesStart<'_>) -> Element {
        let attributes = start
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                let value = a.normalized_value(XmlVersion::Explicit1_0).unwrap();
                (a.key.as_ref().to_string(), value.into_owned())
            })
            .collect();
        Element {
            attributes,
            text: String::new(),
        }
    }

    fn get(&self, name: &str) -> &str {
        self.attributes
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", self.attributes))
    }
}

/// A `<testcase>`, and the `<failure>`, `<error>` or `<skipped>` in it.
#[derive(Debug)]
struct Case {
    case: Element,
    outcome: Option<(String, Element)>,
}

/// The `<testsuite>`s of a JUnit report, each with its cases.
fn suites(xml: &str) -> Vec<(Element, Vec<Case>)> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut suites: Vec<(Element, Vec<Case>)> = Vec::new();
    let mut in_outcome = false;
    loop {
        let (start, empty) = match reader.read_event().unwrap() {
            Event::Eof => return suites,
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                in_outcome &= !matches!(e.name().as_ref(), "failure" | "error" | "skipped");
                continue;
            }
            Event::Text(t) if in_outcome => {
                let outcome = suites.last_mut().unwrap().1.last_mut().unwrap();
                let text = t.xml_content(XmlVersion::Explicit1_0);
                outcome.outcome.as_mut().unwrap().1.text.push_str(&text);
                continue;
            }
            Event::GeneralRef(r) if in_outcome => {
                let outcome = suites.last_mut().unwrap().1.last_mut().unwrap();
                let name = r.xml_content(XmlVersion::Explicit1_0);
                let text = match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&name)
                        .unwrap()
                        .to_string(),
                };
                outcome.outcome.as_mut().unwrap().1.text.push_str(&text);
                continue;
            }
            _ => continue,
        };
        match start.name().as_ref() {
            "testsuite" => suites.push((Element::of(&start), Vec::new())),
            "testcase" => suites.last_mut().unwrap().1.push(Case {
                case: Element::of(&start),
                outcome: None,
            }),
            name @ ("failure" | "error" | "skipped") => {
                let case = suites.last_mut().unwrap().1.last_mut().unwrap();
                case.outcome = Some((name.to_string(), Element::of(&start)));
                in_outcome = !empty;
            }
            _ => {}
        }
    }
}

/// Checks each file against the JUnit schema, with the root it must have.
fn assert_valid(env: &Env, files: &[PathBuf]) {
    let python = env.python();
    let script = "import sys\n\
        import xml.etree.ElementTree as ElementTree\n\
        import xmlschema\n\
        schema = xmlschema.XMLSchema(sys.argv[1])\n\
        for path in sys.argv[2:]:\n\
        \x20   root = ElementTree.parse(path).getroot()\n\
        \x20   assert root.tag == 'testsuites', f'{path}: the root is <{root.tag}>'\n\
        \x20   schema.validate(path)\n";
    let out = Command::new(&python)
        .args(["-B", "-c", script])
        .arg(repo().join("tests/schemas/junit.xsd"))
        .args(files)
        .env(
            "PYTHONPATH",
            python_packages(&python, &repo().join("tests/schemas/requirements.txt")),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "not valid JUnit:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_writes_a_junit_report_with_each_failure() {
    let env = Env::new();
    let ws = env.fixture_workspace("wrong-answer");
    let file = env.path().join("reports/junit.xml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    env.check(&ws)
        .arg(WORD_COUNT)
        .arg("--format")
        .arg(format!("junit={}", file.display()))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("junit report written to"));
    let xml = std::fs::read_to_string(&file).unwrap();
    assert_valid(&env, std::slice::from_ref(&file));

    let suites = suites(&xml);
    let [(suite, cases)] = suites.as_slice() else {
        panic!("one suite expected:\n{xml}");
    };
    assert_eq!(suite.get("name"), WORD_COUNT);
    let count = |outcome: &str| {
        cases
            .iter()
            .filter(|c| c.outcome.as_ref().is_some_and(|(o, _)| o == outcome))
            .count()
            .to_string()
    };
    assert_eq!(suite.get("tests"), cases.len().to_string());
    assert_eq!(suite.get("failures"), count("failure"));
    assert_eq!(suite.get("errors"), "0");
    assert_eq!(suite.get("skipped"), "0");

    let case = |classname: &str, name: &str| {
        let kind = format!("{WORD_COUNT}.{classname}");
        cases
            .iter()
            .find(|c| c.case.get("classname") == kind && c.case.get("name") == name)
            .unwrap_or_else(|| panic!("no case {kind} {name}:\n{xml}"))
    };
    let failure = |classname: &str, name: &str| {
        let (outcome, failure) = case(classname, name).outcome.as_ref().unwrap();
        assert_eq!(outcome, "failure");
        assert_eq!(failure.get("type"), "fail");
        failure
    };
    let insensitive = failure("pytest", "counts are case insensitive");
    assert_eq!(
        insensitive.get("message"),
        "AssertionError: unexpected keys 'Go', 'GO', 'gO'"
    );
    assert!(
        insensitive.text.contains(
            "actual:   {'Go': 1, 'GO': 1, 'go': 1, 'gO': 1}\nat tests/test_word_count.py:17"
        ),
        "{}",
        insensitive.text
    );
    let one = failure("output", "one");
    assert_eq!(
        one.text,
        "the output differs from the expected output\n--- expected\n+++ actual\n@@ -1 +1 @@\n-rain 4\n+Rain, 1\n"
    );
    assert!(case("pytest", "counts each word").outcome.is_none());
    assert!(case("mypy", "mypy").outcome.is_none());
}

#[test]
fn the_sample_reports_are_valid_junit() {
    let env = Env::new();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(repo().join("src/report/snapshots")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with("pygrade__report__junit__") && name.ends_with(".snap")) {
            continue;
        }
        // The snapshot's header ends at its second `---` line; the report follows.
        let snapshot = std::fs::read_to_string(&path).unwrap();
        let (_, report) = snapshot
            .split_once("\n---\n")
            .unwrap_or_else(|| panic!("{name} has no header"));
        let file = env.path().join(name.replace(".snap", ".xml"));
        std::fs::write(&file, report).unwrap();
        files.push(file);
    }
    assert!(files.len() >= 2, "only {} snapshots", files.len());
    assert_valid(&env, &files);
}
