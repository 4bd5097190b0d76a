//! The JUnit XML report, the format CI systems read (GitLab, Jenkins, Azure, GitHub test
//! reporters): a `<testsuites>` root, one `<testsuite>` per exercise, one `<testcase>` per
//! test of a check that has tests and one per check that has none, each named by the check
//! kind under `<exercise id>.<kind>`.
//!
//! A status becomes `<failure>` (fail), `<error>` (the code could not be evaluated, or went
//! over a limit, or was refused: the status is its `type`) or `<skipped>` (not run, not
//! started, inconclusive). A check's time is spread evenly over its testcases, since pygrade
//! times checks, not tests. Learner text (messages, diffs, output) is made safe for XML 1.0:
//! `quick-xml` escapes it, [`clean`] replaces the characters XML 1.0 forbids, and [`clip`]
//! keeps each element's text within [`MAX_TEXT`]. The elements and attributes are only those
//! the JUnit schema of Jenkins' xUnit plugin allows (`tests/schemas/junit.xsd` follows it), so
//! the root has no `skipped` total: each suite has its own.

use std::borrow::Cow;
use std::io::Write;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{Emitter, ExerciseReport, Report};
use crate::grade::{CheckResult, Measurement, Status, TestResult};

/// The most bytes of text one element keeps; past it the text is cut, with a notice.
const MAX_TEXT: usize = 64 * 1024;
/// The most bytes of a `message` attribute: a one-line summary, the element's text has it all.
const MAX_MESSAGE: usize = 1024;

pub(crate) struct Junit;

impl Emitter for Junit {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        let suites: Vec<Suite<'_>> = report.exercises.iter().map(Suite::of).collect();
        let total = suites
            .iter()
            .map(Suite::counts)
            .fold(Counts::default(), Counts::add);
        {
            let mut xml = Writer::new_with_indent(&mut *out, b' ', 2);
            xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
            let mut root = vec![("name", "pygrade".to_string())];
            root.extend(total.attributes(false));
            xml.create_element("testsuites")
                .with_attributes(root.iter().map(|(k, v)| (*k, v.as_str())))
                .write_inner_content(|xml| {
                    for suite in &suites {
                        suite.write(xml)?;
                    }
                    Ok(())
                })?;
        }
        writeln!(out)
    }
}

/// One exercise's testcases.
struct Suite<'r> {
    exercise: &'r ExerciseReport,
    cases: Vec<Case>,
    /// The exercise's checks' time, in seconds.
    time: f64,
}

/// One testcase, and what became of it.
struct Case {
    classname: String,
    name: String,
    /// Seconds.
    time: f64,
    status: Status,
    /// What the `message` attribute says: a line.
    message: String,
    /// The element's text: the message in full, where, the diff, the findings, the figures.
    body: String,
    /// What the learner's code printed.
    output: String,
}

/// How many testcases ended which way, and their time.
#[derive(Default, Clone, Copy)]
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
    time: f64,
}

/// The element a status becomes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Passed,
    Failure,
    Error,
    Skipped,
}

impl Verdict {
    fn of(status: Status) -> Verdict {
        match status {
            Status::Pass => Verdict::Passed,
            Status::Fail => Verdict::Failure,
            Status::Skipped | Status::NotRun | Status::NotStarted | Status::Inconclusive => {
                Verdict::Skipped
            }
            Status::Error
            | Status::Timeout
            | Status::OutputLimit
            | Status::MemoryLimit
            | Status::DiskLimit
            | Status::ProcessLimit
            | Status::Rejected => Verdict::Error,
        }
    }
}

impl Counts {
    fn add(self, other: Counts) -> Counts {
        Counts {
            tests: self.tests + other.tests,
            failures: self.failures + other.failures,
            errors: self.errors + other.errors,
            skipped: self.skipped + other.skipped,
            time: self.time + other.time,
        }
    }

    /// As attributes; the schema allows `skipped` on a suite, not on the root.
    fn attributes(&self, with_skipped: bool) -> Vec<(&'static str, String)> {
        let mut attributes = vec![
            ("tests", self.tests.to_string()),
            ("failures", self.failures.to_string()),
            ("errors", self.errors.to_string()),
        ];
        if with_skipped {
            attributes.push(("skipped", self.skipped.to_string()));
        }
        attributes.push(("time", seconds(self.time)));
        attributes
    }
}

impl<'r> Suite<'r> {
    fn of(exercise: &'r ExerciseReport) -> Suite<'r> {
        let time = exercise
            .checks
            .iter()
            .map(|c| c.duration_ms as f64 / 1000.0)
            .sum();
        let cases = if exercise.status == Status::NotStarted {
            // Nothing was graded: one case says so, rather than a skip per check.
            let message = exercise
                .checks
                .iter()
                .find_map(|c| c.message.clone())
                .unwrap_or_else(|| "the files are still the starter's".into());
            vec![Case {
                classname: exercise.id.clone(),
                name: "not started".into(),
                time,
                status: Status::NotStarted,
                message: summary(Status::NotStarted, &message),
                body: String::new(),
                output: String::new(),
            }]
        } else {
            exercise
                .checks
                .iter()
                .flat_map(|check| check_cases(&exercise.id, check))
                .collect()
        };
        Suite {
            exercise,
            cases,
            time,
        }
    }

    fn counts(&self) -> Counts {
        let mut counts = Counts {
            tests: self.cases.len(),
            time: self.time,
            ..Counts::default()
        };
        for case in &self.cases {
            match Verdict::of(case.status) {
                Verdict::Passed => {}
                Verdict::Failure => counts.failures += 1,
                Verdict::Error => counts.errors += 1,
                Verdict::Skipped => counts.skipped += 1,
            }
        }
        counts
    }

    fn write<W: Write>(&self, xml: &mut Writer<W>) -> std::io::Result<()> {
        let e = self.exercise;
        let mut attributes = vec![("name", e.id.clone())];
        attributes.extend(self.counts().attributes(true));
        let mut properties = vec![
            ("title", e.title.clone()),
            ("status", e.status.as_str().to_string()),
            ("score", e.score.to_string()),
            ("max_score", e.max_score.to_string()),
        ];
        for file in &e.not_graded {
            properties.push(("not_graded", format!("{}: {}", file.file, file.reason)));
        }
        xml.create_element("testsuite")
            .with_attributes(attributes.iter().map(|(k, v)| (*k, v.as_str())))
            .write_inner_content(|xml| {
                xml.create_element("properties")
                    .write_inner_content(|xml| {
                        for (name, value) in &properties {
                            xml.create_element("property")
                                .with_attribute(("name", *name))
                                .with_attribute(("value", clean(value).as_ref()))
                                .write_empty()?;
                        }
                        Ok(())
                    })?;
                for case in &self.cases {
                    case.write(xml)?;
                }
                Ok(())
            })?;
        Ok(())
    }
}

/// The testcases of one check: one per test, one for the hidden tests' tally, and one for
/// the check itself when it has no tests or none of them shows how it ended (a syntax error
/// that kept every test from running, a refusal).
fn check_cases(exercise: &str, check: &CheckResult) -> Vec<Case> {
    let classname = format!("{exercise}.{}", check.kind);
    let mut cases: Vec<Case> = check
        .tests
        .iter()
        .map(|test| test_case(&classname, check, test))
        .collect();
    // All a report holds of hidden tests unless they were revealed (and then they are cases
    // like the others): how many passed.
    if let Some(hidden) = check
        .hidden
        .filter(|_| !check.tests.iter().any(|t| t.hidden))
    {
        let status = if hidden.passed == hidden.total {
            Status::Pass
        } else {
            Status::Fail
        };
        cases.push(Case {
            classname: classname.clone(),
            name: "hidden tests".into(),
            time: 0.0,
            status,
            message: format!("hidden tests: {} of {} passed", hidden.passed, hidden.total),
            body: format!("hidden tests: {} of {} passed", hidden.passed, hidden.total),
            output: String::new(),
        });
    }
    // A failing test shows why its check failed; an error must be shown as itself.
    let shown = cases.iter().any(|c| {
        c.status == check.status
            || (check.status == Status::Fail
                && matches!(Verdict::of(c.status), Verdict::Failure | Verdict::Error))
    });
    if cases.is_empty() || (check.status != Status::Pass && !shown) {
        // First: the cause comes before the tests it kept from running.
        cases.insert(0, check_case(&classname, check));
    }
    let share = check.duration_ms as f64 / 1000.0 / cases.len() as f64;
    for case in &mut cases {
        case.time = share;
    }
    cases
}

fn test_case(classname: &str, check: &CheckResult, test: &TestResult) -> Case {
    // A test that errored as its check did may leave the telling to the check (a measured
    // run that raised): its message is then the check's.
    let message = test.message.as_deref().or_else(|| {
        let told = test.status == check.status && Verdict::of(test.status) == Verdict::Error;
        told.then_some(check.message.as_deref()).flatten()
    });
    let mut body = Vec::new();
    body.extend(message.map(str::to_string));
    body.extend(test.location.as_ref().map(|at| format!("at {at}")));
    body.extend(test.diff.clone());
    let mut output = test.output.clone();
    if test.output_truncated {
        output.push_str("\n[pygrade cut this output: it was too long]\n");
    }
    Case {
        classname: classname.to_string(),
        name: test.name.clone(),
        time: 0.0,
        status: test.status,
        message: summary(test.status, message.unwrap_or_default()),
        body: body.join("\n"),
        output,
    }
}

fn check_case(classname: &str, check: &CheckResult) -> Case {
    let message = check.message.as_deref().unwrap_or_default();
    let mut body = vec![message.to_string()];
    for d in &check.diagnostics {
        let code = d
            .code
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        let severity = match d.severity.as_str() {
            "error" => String::new(),
            other => format!("{other}: "),
        };
        body.push(format!(
            "{}:{}: {severity}{}{code}",
            d.file, d.line, d.message
        ));
    }
    body.extend(check.measurement.as_ref().map(figures));
    Case {
        classname: classname.to_string(),
        name: check.kind.to_string(),
        time: 0.0,
        status: check.status,
        message: summary(check.status, message),
        body: body.join("\n").trim().to_string(),
        output: String::new(),
    }
}

impl Case {
    fn write<W: Write>(&self, xml: &mut Writer<W>) -> std::io::Result<()> {
        let time = seconds(self.time);
        let case = xml.create_element("testcase").with_attributes([
            ("name", clean(&self.name).as_ref()),
            ("classname", clean(&self.classname).as_ref()),
            ("time", time.as_str()),
        ]);
        let verdict = Verdict::of(self.status);
        if verdict == Verdict::Passed && self.output.is_empty() {
            case.write_empty()?;
            return Ok(());
        }
        let cleaned = clean(self.message.as_str());
        let message = clip(&cleaned, MAX_MESSAGE);
        case.write_inner_content(|xml| {
            let outcome = match verdict {
                Verdict::Passed => None,
                Verdict::Failure => Some(("failure", Some("fail"))),
                Verdict::Error => Some(("error", Some(self.status.as_str()))),
                Verdict::Skipped => Some(("skipped", None)),
            };
            if let Some((element, kind)) = outcome {
                let mut outcome = xml
                    .create_element(element)
                    .with_attribute(("message", message.as_ref()));
                if let Some(kind) = kind {
                    outcome = outcome.with_attribute(("type", kind));
                }
                // A skip says it all in its message, unless there is more to tell.
                let says_more = !self.body.is_empty() && !self.message.ends_with(&self.body);
                if verdict == Verdict::Skipped && !says_more {
                    outcome.write_empty()?;
                } else {
                    outcome.write_text_content(text(&self.body))?;
                }
            }
            if !self.output.is_empty() {
                xml.create_element("system-out")
                    .write_text_content(text(&self.output))?;
            }
            Ok(())
        })?;
        Ok(())
    }
}

/// Learner text as an element's content: cleaned, clipped, then escaped by `quick-xml`
/// (`<`, `>`, `&` and carriage returns; quotes need no escape in text).
fn text(raw: &str) -> BytesText<'static> {
    let escaped = partial_escape(clip(&clean(raw), MAX_TEXT)).into_owned();
    BytesText::from_escaped(escaped)
}

/// The line a `message` attribute gives: the first line of `message` (and its last, when the
/// first only introduces what follows, as a traceback ends with the error), after the status
/// when it is a skip (`not run`, `inconclusive: ...`).
fn summary(status: Status, message: &str) -> String {
    let mut lines = message.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or_default();
    let line = match lines.next_back() {
        Some(last) if first.ends_with(':') => format!("{first} {last}"),
        _ => first.to_string(),
    };
    if Verdict::of(status) != Verdict::Skipped {
        return line;
    }
    let words = status.as_str().replace('-', " ");
    if line.is_empty() {
        words
    } else if line.to_lowercase().starts_with(&words) {
        line
    } else {
        format!("{words}: {line}")
    }
}

/// The figures a timing or memory check measured, with their budget, on one line.
fn figures(measurement: &Measurement) -> String {
    match measurement {
        Measurement::Ratio {
            size,
            ratio,
            uncertainty,
            max_ratio,
            rounds,
        } => format!(
            "figures: ratio {ratio:.2} ±{uncertainty:.2}, budget {max_ratio:.2}; size {size}; {rounds} rounds"
        ),
        Measurement::Growth {
            sizes,
            exponent,
            uncertainty,
            reference_exponent,
            max_exponent,
            rounds,
            stopped_at,
            lower_bound,
        } => {
            let sizes: Vec<String> = sizes.iter().map(u64::to_string).collect();
            let bound = if *lower_bound { " (a lower bound)" } else { "" };
            let stopped = stopped_at
                .map(|n| format!("; a call at n={n} stopped at its CPU allowance"))
                .unwrap_or_default();
            format!(
                "figures: exponent {exponent:.2}{bound} ±{uncertainty:.2}, the reference's {reference_exponent:.2}, budget {max_exponent:.2}; sizes {}; {rounds} rounds{stopped}",
                sizes.join(", ")
            )
        }
        Measurement::Memory {
            size,
            peak_bytes,
            reference_peak_bytes,
            max_peak_bytes,
            max_ratio,
        } => {
            let mut budgets = Vec::new();
            budgets.extend(max_peak_bytes.map(bytes));
            budgets.extend(max_ratio.map(|r| format!("{r:.2}x the reference's")));
            format!(
                "figures: peak {}, the reference's {}, budget {}; size {size}",
                bytes(*peak_bytes),
                bytes(*reference_peak_bytes),
                budgets.join(" and ")
            )
        }
    }
}

fn bytes(n: u64) -> String {
    bytesize::ByteSize(n).display().iec().to_string()
}

/// Seconds as JUnit writes them: at most three decimals, as Jenkins' schema requires.
fn seconds(s: f64) -> String {
    format!("{s:.3}")
}

/// `text` with the characters XML 1.0 cannot hold (control characters but tab, newline and
/// carriage return; U+FFFE and U+FFFF) written as Python writes them in a string, `\x1b`.
/// Lone surrogates, also forbidden, cannot be in a Rust string.
fn clean<'t>(text: impl Into<Cow<'t, str>>) -> Cow<'t, str> {
    let text = text.into();
    let forbidden = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    };
    if !text.contains(forbidden) {
        return text;
    }
    let mut cleaned = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if forbidden(c) && (c as u32) < 0x100 => {
                cleaned.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if forbidden(c) => cleaned.push_str(&format!("\\u{:04x}", c as u32)),
            c => cleaned.push(c),
        }
    }
    Cow::Owned(cleaned)
}

/// `text` cut to at most `max` bytes, on a character boundary, with a notice of the cut.
fn clip(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!(
        "{}\n[pygrade cut {} more bytes]",
        &text[..end],
        text.len() - end
    ))
}

#[cfg(test)]
mod tests {
    use quick_xml::events::Event;
    use quick_xml::{Reader, XmlVersion};

    use super::*;
    use crate::grade::{HiddenTally, TestResult};

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        Junit.emit(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// An element as a reader gets it back: its name, attributes and text.
    struct Read {
        name: String,
        attributes: Vec<(String, String)>,
        text: String,
    }

    /// Every element of `xml`, in order, or a panic where it is not well-formed.
    fn parse(xml: &str) -> Vec<Read> {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        let version = XmlVersion::Explicit1_0;
        let (mut read, mut open): (Vec<Read>, Vec<usize>) = (Vec::new(), Vec::new());
        loop {
            let text = match reader.read_event() {
                Ok(Event::Eof) => {
                    assert!(open.is_empty(), "unclosed elements");
                    return read;
                }
                Ok(event @ (Event::Start(_) | Event::Empty(_))) => {
                    let (Event::Start(e) | Event::Empty(e)) = &event else {
                        unreachable!()
                    };
                    let attributes = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            let value = a.normalized_value(version).unwrap();
                            (a.key.as_ref().to_string(), value.into_owned())
                        })
                        .collect();
                    if matches!(event, Event::Start(_)) {
                        open.push(read.len());
                    }
                    read.push(Read {
                        name: e.name().as_ref().to_string(),
                        attributes,
                        text: String::new(),
                    });
                    continue;
                }
                Ok(Event::End(_)) => {
                    open.pop();
                    continue;
                }
                Ok(Event::Text(t)) => t.xml_content(version).into_owned(),
                Ok(Event::GeneralRef(r)) => match r.resolve_char_ref().unwrap() {
                    Some(c) => c.to_string(),
                    None => {
                        let name = r.xml_content(version);
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .unwrap_or_else(|| panic!("unknown entity &{name};"))
                            .to_string()
                    }
                },
                Ok(_) => continue,
                Err(e) => panic!("not XML at {}: {e}\n{xml}", reader.buffer_position()),
            };
            if let Some(&at) = open.last() {
                read[at].text.push_str(&text);
            }
        }
    }

    /// Whether XML 1.0 allows `c` in a document (its `Char` production).
    fn allowed(c: char) -> bool {
        matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
    }

    #[test]
    fn the_report_matches_its_snapshot() {
        let xml = render(&super::super::sample::report());
        parse(&xml);
        insta::assert_snapshot!(xml);
    }

    #[test]
    fn code_that_cannot_load_matches_its_snapshot() {
        let xml = render(&super::super::sample::cannot_load());
        parse(&xml);
        insta::assert_snapshot!(xml);
    }

    #[test]
    fn hostile_learner_text_stays_well_formed_xml() {
        let hostile = "<testcase name=\"x\">]]></failure>&amp; \u{0}\u{1b}[31m\u{7}\u{b}\u{c}\u{fffe}\u{ffff} \"'\r\n\ttab";
        let seen = "<testcase name=\"x\">]]></failure>&amp; \\x00\\x1b[31m\\x07\\x0b\\x0c\\ufffe\\uffff \"'\r\n\ttab";
        let mut test = TestResult::new(format!("name {hostile}"), Status::Fail);
        test.message = Some(format!("message {hostile}"));
        test.location = Some(format!("file {hostile}:1"));
        test.diff = Some(format!("-{hostile}\n+{hostile}\n"));
        test.output = format!("printed {hostile}\n").repeat(5000);
        let mut check = CheckResult::from_tests("output", Status::Fail, 1.0, vec![test]);
        check.hidden = Some(HiddenTally {
            passed: 0,
            total: 1,
        });
        let mut report = super::super::sample::report();
        report.exercises[0].checks = vec![check];
        report.exercises[0].title = format!("title {hostile}");

        let xml = render(&report);
        assert!(xml.chars().all(allowed), "a character XML 1.0 forbids");
        let read = parse(&xml);
        let element = |name: &str| read.iter().find(|e| e.name == name).unwrap();
        let attribute = |e: &Read, name: &str| {
            e.attributes
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
                .unwrap()
        };
        let case = element("testcase");
        assert_eq!(attribute(case, "name"), format!("name {seen}"));
        let failure = element("failure");
        let first_line = seen.split_once(['\r', '\n']).unwrap().0;
        assert_eq!(
            attribute(failure, "message"),
            format!("message {first_line}")
        );
        assert!(
            failure
                .text
                .starts_with(&format!("message {seen}\nat file {seen}:1\n-{seen}\n"))
        );
        let title = read.iter().find(|e| e.name == "property").unwrap();
        assert_eq!(attribute(title, "value"), format!("title {seen}"));
        let out = &element("system-out").text;
        assert!(out.starts_with(&format!("printed {seen}\nprinted")));
        assert!(out.len() < MAX_TEXT + 100, "{} bytes", out.len());
        assert!(out.ends_with(" more bytes]"), "{}", &out[out.len() - 100..]);
    }

    #[test]
    fn a_check_has_a_case_of_its_own_only_when_no_test_shows_how_it_ended() {
        let names = |check: &CheckResult| -> Vec<String> {
            check_cases("ex", check)
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        let mut raised = TestResult::new("parses", Status::Error);
        raised.message = Some("ValueError: oops".into());
        let failing = CheckResult::from_tests(
            "pytest",
            Status::Fail,
            2.0,
            vec![TestResult::new("adds", Status::Pass), raised.clone()],
        );
        assert_eq!(names(&failing), ["adds", "parses"]);

        let mut timed_out = CheckResult::from_tests(
            "pytest",
            Status::Timeout,
            2.0,
            vec![raised, TestResult::new("later", Status::NotRun)],
        )
        .with_message("the check's time ran out");
        assert_eq!(names(&timed_out), ["pytest", "parses", "later"]);
        timed_out.duration_ms = 900;
        let cases = check_cases("ex", &timed_out);
        assert!(cases.iter().all(|c| seconds(c.time) == "0.300"));
        assert_eq!(cases[0].message, "the check's time ran out");
        assert_eq!(cases[2].message, "not run");

        let passed = CheckResult::whole("mypy", Status::Pass, 2.0);
        assert_eq!(names(&passed), ["mypy"]);
    }

    #[test]
    fn hidden_tests_are_one_case_of_their_count_unless_revealed() {
        let names = |check: &CheckResult| -> Vec<String> {
            check_cases("ex", check)
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        let mut hidden = TestResult::new("secret", Status::Fail);
        hidden.hidden = true;
        let mut tallied = CheckResult::from_tests("pytest", Status::Fail, 2.0, vec![hidden]);
        let mut revealed = tallied.clone();
        tallied.settle_hidden(false);
        assert_eq!(names(&tallied), ["hidden tests"]);
        revealed.settle_hidden(true);
        assert_eq!(names(&revealed), ["secret"]);
    }

    #[test]
    fn forbidden_characters_are_written_as_python_escapes() {
        assert_eq!(clean("a\u{1b}b\u{0}\u{fffe}"), "a\\x1bb\\x00\\ufffe");
        assert!(matches!(clean("tab\tline\nreturn\r"), Cow::Borrowed(_)));
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let text = "é".repeat(10);
        assert_eq!(clip(&text, 5), "éé\n[pygrade cut 16 more bytes]");
        assert_eq!(clip(&text, 20), text);
    }
}
