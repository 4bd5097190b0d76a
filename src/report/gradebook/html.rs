//! `report.html`: the cohort on one page, for the mentor at a browser. A learner by exercise
//! heatmap with the modules over their exercises, columns that sort on a click, a summary of
//! the cohort on top, and a learner's details (each exercise's checks, their messages and the
//! failing tests) on a click of the learner or of a cell.
//!
//! The page is one self-contained file: its style and script are inline and it loads nothing,
//! which its Content-Security-Policy enforces (`default-src 'none'`, the one script allowed by
//! its hash). The grades travel as JSON in a `<script type="application/json">` block, where
//! every `<`, `>` and `&` is written as a `\u` escape, so no learner text can close the block;
//! the script sets learner text only as text (`textContent`), never as markup. The page holds
//! what a mentor scans, not every byte of every report: messages are cut, each check lists its
//! first failing tests and counts the rest, and the learner's own `learners/<name>.md` and
//! `.json`, linked from the details, have everything. Texts that recur across learners (test
//! names, messages, check kinds) are stored once. The same gradebook always gives the same
//! bytes: there is no timestamp and no random id.

use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

#[cfg(test)]
use super::Gradebook;
use super::summary::Summary;
use super::{Column, Learner, Spill, max_total, percent};
use crate::grade::{CheckResult, Status};
use crate::report::ExerciseReport;

/// The page's style and script, kept in files of their own to be read as CSS and JavaScript.
const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// Failing tests, and mypy findings, listed per check; the rest are counted.
const SHOWN_FAILURES: usize = 3;
/// Lines, and characters, kept of a message.
const MESSAGE_LINES: usize = 5;
const MESSAGE_CHARS: usize = 240;
/// Bytes of texts the page stores before it leaves further messages out (names, statuses and
/// numbers stay), so that a large cohort that fails everything still opens in a browser.
const TEXT_BUDGET: usize = 4 * 1024 * 1024;
/// Characters kept of a test's name.
const NAME_CHARS: usize = 120;

/// What the page's script renders, as the `data` block holds it. Keys are short where they
/// repeat for every cell; a number in `Cell` or `Check` that stands for a text is its index in
/// `texts`.
#[derive(Serialize)]
struct Page {
    /// Every text that a cell or check refers to, each once, in order of first use.
    texts: Vec<String>,
    /// Whether messages were left out to keep the page within [`TEXT_BUDGET`].
    messages_left_out: bool,
    learners: usize,
    refused: usize,
    max_score: f64,
    mean_score: f64,
    mean_percent: f64,
    modules: Vec<PageModule>,
    columns: Vec<PageColumn>,
    // Last, the learners' rows: see [`Rows::finish`].
}

#[derive(Serialize)]
struct PageModule {
    number: u8,
    title: String,
    exercises: usize,
    max_score: f64,
    mean_score: f64,
    mean_percent: f64,
}

#[derive(Serialize)]
struct PageColumn {
    id: String,
    module: u8,
    title: String,
    max_score: f64,
    started: usize,
    passed: usize,
    /// The mean score of those who started it (`null` when no one has).
    mean_score: Option<f64>,
}

#[derive(Serialize)]
struct Row {
    name: String,
    total: f64,
    percent: f64,
    /// Why the learner's whole submission was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    refused: Option<String>,
    /// A cell per column, in column order.
    cells: Vec<Cell>,
}

/// One learner's grade of one exercise.
#[derive(Serialize)]
struct Cell {
    /// The status.
    s: usize,
    /// The score.
    p: f64,
    /// The checks; none for an exercise not started (or missing from the report).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    c: Vec<Check>,
    /// How many of the learner's files in the folder no check saw.
    #[serde(skip_serializing_if = "is_zero")]
    ng: usize,
}

#[derive(Serialize)]
struct Check {
    /// The kind, status, score and maximum.
    k: usize,
    s: usize,
    p: f64,
    m: f64,
    /// The message, cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    msg: Option<usize>,
    /// The first failing tests: name, status, message (or `null`), location (or `null`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    t: Vec<(usize, usize, Option<usize>, Option<usize>)>,
    /// The first type errors: place and message (or `null`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    d: Vec<(usize, Option<usize>)>,
    /// Failing tests and type errors left out of `t` and `d`.
    #[serde(skip_serializing_if = "is_zero")]
    more: usize,
    /// Tests that never ran.
    #[serde(skip_serializing_if = "is_zero")]
    nr: usize,
    /// Hidden tests: passed, and counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    h: Option<(u32, u32)>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The texts of a page, each stored once.
#[derive(Default)]
struct Texts {
    index: BTreeMap<String, usize>,
    texts: Vec<String>,
    bytes: usize,
    left_out: bool,
}

impl Texts {
    fn of(&mut self, text: &str) -> usize {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        self.bytes += text.len();
        self.texts.push(text.to_string());
        self.index.insert(text.to_string(), self.texts.len() - 1);
        self.texts.len() - 1
    }

    /// A message, cut, unless the page's texts are over budget and it is a new one.
    fn message(&mut self, text: &str) -> Option<usize> {
        let text = clip(text.trim_end(), MESSAGE_LINES, MESSAGE_CHARS);
        if let Some(&i) = self.index.get(&text) {
            return Some(i);
        }
        if self.bytes + text.len() > TEXT_BUDGET {
            self.left_out = true;
            return None;
        }
        Some(self.of(&text))
    }
}

/// Writes the page of `gradebook`.
#[cfg(test)]
pub(crate) fn write(gradebook: &Gradebook, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rows = Rows::new(&gradebook.columns)?;
    for learner in &gradebook.learners {
        rows.add(learner)?;
    }
    rows.finish(&Summary::of(gradebook), out)
}

/// The page's rows, made one learner at a time (in the gradebook's order), each set aside
/// as its JSON, so that a cohort's page needs no more than one learner's report in memory at
/// once.
pub(crate) struct Rows<'g> {
    columns: &'g [Column],
    max_score: f64,
    texts: Texts,
    /// The rows' JSON so far, made safe for the page ([`json_for_script`]), between commas.
    rows: Spill,
    count: usize,
}

impl<'g> Rows<'g> {
    pub(crate) fn new(columns: &'g [Column]) -> std::io::Result<Rows<'g>> {
        Ok(Rows {
            columns,
            max_score: max_total(columns),
            texts: Texts::default(),
            rows: Spill::new()?,
            count: 0,
        })
    }

    pub(crate) fn add(&mut self, learner: &Learner) -> std::io::Result<()> {
        let row = row(&mut self.texts, self.columns, self.max_score, learner);
        if self.count > 0 {
            self.rows.write_all(b",")?;
        }
        self.count += 1;
        let json = json_for_script(&serde_json::to_string(&row)?);
        self.rows.write_all(json.as_bytes())
    }

    /// Writes the page, with the cohort's `summary` on top.
    pub(crate) fn finish(self, summary: &Summary, out: &mut dyn Write) -> std::io::Result<()> {
        let head = serde_json::to_string(&page(summary, self.texts))?;
        write_page_top(out)?;
        // The page's JSON as one object, the rows its last member.
        let head = head.strip_suffix('}').expect("an object");
        out.write_all(json_for_script(head).as_bytes())?;
        out.write_all(b",\"rows\":[")?;
        self.rows.copy_to(out)?;
        out.write_all(b"]}")?;
        write_page_bottom(out)
    }
}

/// Writes the page up to its data, the grades' JSON, which comes next.
fn write_page_top(out: &mut dyn Write) -> std::io::Result<()> {
    // The one script the policy allows, by its hash: nothing else on the page can run, not
    // even markup that slipped in, and nothing can be fetched.
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT));
    write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{hash}'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>pygrade: cohort report</title>
<style>
{STYLE}</style>
</head>
<body>
<header>
<h1>Cohort report</h1>
<noscript><p>This page needs JavaScript to show the grades. <a href="gradebook.csv">gradebook.csv</a> and <a href="summary.md">summary.md</a> hold them too.</p></noscript>
<section id="summary" aria-label="Summary"></section>
</header>
<main>
<div id="legend" aria-hidden="true"></div>
<div class="scroll">
<table id="grades">
<caption>Each learner's points per exercise, then their total and percentage. Click a column's heading to sort by it, a learner or a cell for the details.</caption>
<thead></thead>
<tbody></tbody>
</table>
</div>
<section id="details" aria-live="polite" hidden></section>
</main>
<script type="application/json" id="data">"#
    )
}

/// Writes the page after its data.
fn write_page_bottom(out: &mut dyn Write) -> std::io::Result<()> {
    write!(
        out,
        r#"</script>
<script>{SCRIPT}</script>
</body>
</html>
"#
    )
}

/// `value` as JSON that is safe inside a `<script>` element: `<`, `>` and `&` (which JSON
/// holds only in strings) become `\u` escapes, so neither `</script>` nor `<!--` can appear.
fn json_for_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn row(texts: &mut Texts, columns: &[Column], max_score: f64, learner: &Learner) -> Row {
    let report = &learner.report;
    let cells = (columns.iter())
        .map(|column| {
            match report.exercises.iter().find(|e| e.id == column.id) {
                Some(e) => cell(texts, e),
                // A report that lacks the exercise: graded as not started, like the CSV.
                None => Cell {
                    s: texts.of(Status::NotStarted.as_str()),
                    p: 0.0,
                    c: Vec::new(),
                    ng: 0,
                },
            }
        })
        .collect();
    Row {
        name: learner.name.clone(),
        total: report.summary.score,
        percent: percent(report.summary.score, max_score),
        refused: learner.refusal().map(str::to_string),
        cells,
    }
}

fn page(summary: &Summary, texts: Texts) -> Page {
    Page {
        messages_left_out: texts.left_out,
        texts: texts.texts,
        learners: summary.learners,
        refused: summary.refused,
        max_score: summary.max_score,
        mean_score: summary.mean_score,
        mean_percent: summary.mean_percent,
        modules: (summary.modules.iter())
            .map(|m| PageModule {
                number: m.number,
                title: m.title.clone(),
                exercises: m.exercises,
                max_score: m.max_score,
                mean_score: m.mean_score,
                mean_percent: m.mean_percent,
            })
            .collect(),
        columns: (summary.exercises.iter())
            .map(|e| PageColumn {
                id: e.id.clone(),
                module: e.module,
                title: e.title.clone(),
                max_score: e.max_score,
                started: e.started,
                passed: e.passed,
                mean_score: e.mean_score,
            })
            .collect(),
    }
}

fn cell(texts: &mut Texts, e: &ExerciseReport) -> Cell {
    let checks = if e.status == Status::NotStarted {
        // Its checks only say it was not started, which the status says already.
        Vec::new()
    } else {
        e.checks.iter().map(|c| check(texts, c)).collect()
    };
    Cell {
        s: texts.of(e.status.as_str()),
        p: e.score,
        c: checks,
        ng: e.not_graded.len(),
    }
}

fn check(texts: &mut Texts, c: &CheckResult) -> Check {
    let failing = c.failing_tests();
    let errors = c.errors();
    let t = (failing.iter().take(SHOWN_FAILURES))
        .map(|test| {
            (
                texts.of(&clip(&test.name, 1, NAME_CHARS)),
                texts.of(test.status.as_str()),
                test.message.as_deref().and_then(|m| texts.message(m)),
                test.location.as_deref().map(|l| texts.of(l)),
            )
        })
        .collect();
    let d = (errors.iter().take(SHOWN_FAILURES))
        .map(|d| {
            let code = d
                .code
                .as_deref()
                .map(|c| format!("  [{c}]"))
                .unwrap_or_default();
            let place = texts.of(&format!("{}:{}", d.file, d.line));
            (place, texts.message(&format!("{}{code}", d.message)))
        })
        .collect();
    Check {
        k: texts.of(c.kind),
        s: texts.of(c.status.as_str()),
        p: c.score,
        m: c.max_score,
        msg: (c.message.as_deref())
            .filter(|m| !m.trim().is_empty())
            .and_then(|m| texts.message(m)),
        t,
        d,
        more: failing.len().saturating_sub(SHOWN_FAILURES)
            + errors.len().saturating_sub(SHOWN_FAILURES),
        nr: (c.tests.iter())
            .filter(|t| t.status == Status::NotRun)
            .count(),
        h: c.hidden.map(|h| (h.passed, h.total)),
    }
}

/// `text`'s first `lines` lines and `chars` characters, with `…` where it was cut, and no
/// control characters but newlines and tabs.
fn clip(text: &str, lines: usize, chars: usize) -> String {
    let mut kept = String::new();
    let mut cut = false;
    for (n, line) in text.split('\n').enumerate() {
        if n == lines {
            cut = true;
            break;
        }
        if n > 0 {
            kept.push('\n');
        }
        kept.extend(line.chars().filter(|c| !c.is_control() || *c == '\t'));
    }
    if let Some((at, _)) = kept.char_indices().nth(chars) {
        kept.truncate(at);
        cut = true;
    }
    if cut {
        kept.push('…');
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grade::TestResult;
    use crate::report::gradebook::sample;

    fn render(gradebook: &Gradebook) -> String {
        let mut out = Vec::new();
        write(gradebook, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The page's data block, parsed.
    fn data(html: &str) -> serde_json::Value {
        let start = html
            .find(r#"<script type="application/json" id="data">"#)
            .unwrap();
        let rest = &html[start..];
        let json = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_data_holds_each_learners_numbers_and_the_summary() {
        let html = render(&sample::gradebook());
        let data = data(&html);
        let texts = data["texts"].as_array().unwrap();
        let text = |v: &serde_json::Value| texts[v.as_u64().unwrap() as usize].as_str().unwrap();
        let rows = data["rows"].as_array().unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["=cmd", "bob", "zoe"]);
        let bob = &rows[1];
        assert_eq!(
            (bob["total"].as_f64(), bob["percent"].as_f64()),
            (Some(6.0), Some(42.86))
        );
        let cells = bob["cells"].as_array().unwrap();
        assert_eq!(
            (text(&cells[0]["s"]), cells[0]["p"].as_f64()),
            ("fail", Some(6.0))
        );
        assert_eq!(text(&cells[1]["s"]), "not-started");
        let pytest = &cells[0]["c"][0];
        assert_eq!(text(&pytest["k"]), "pytest");
        assert_eq!(text(&pytest["t"][0][0]), "counts words");
        assert_eq!(text(&pytest["t"][0][2]), "AssertionError: assert 2 == 3");
        assert!(
            rows[0]["refused"]
                .as_str()
                .unwrap()
                .contains("outside its folder")
        );
        assert_eq!(
            (data["learners"].as_u64(), data["refused"].as_u64()),
            (Some(3), Some(1))
        );
        assert_eq!(data["mean_percent"].as_f64(), Some(47.64));
        assert_eq!(data["modules"][1]["mean_score"].as_f64(), Some(1.33));
        assert_eq!(data["columns"][0]["title"], "Word count");
    }

    #[test]
    fn learner_text_cannot_close_the_data_block_or_become_markup() {
        let mut gradebook = sample::gradebook();
        let bob = &mut gradebook.learners[1];
        bob.name = "<img src=x onerror=alert(1)>".into();
        bob.report.exercises[0].checks[0].tests[1].message =
            Some("</script><script>alert(1)</script><!-- &amp;".into());
        let html = render(&gradebook);
        assert!(!html.contains("<img"), "{html}");
        assert_eq!(html.matches("</script>").count(), 2, "{html}");
        assert!(!html.contains("<!--"), "{html}");
        // The text itself is intact once parsed.
        let data = data(&html);
        let texts: Vec<&str> = (data["texts"].as_array().unwrap().iter())
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(
            texts.contains(&"</script><script>alert(1)</script><!-- &amp;"),
            "{texts:?}"
        );
        let names: Vec<&str> = (data["rows"].as_array().unwrap().iter())
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"<img src=x onerror=alert(1)>"));
    }

    #[test]
    fn the_page_loads_nothing_and_allows_only_its_own_script() {
        let html = render(&sample::gradebook());
        for outside in [
            "http:", "https:", "src=", "@import", "url(", "fetch(", "XMLHttp",
        ] {
            assert!(!html.contains(outside), "{outside} in the page");
        }
        let links: Vec<&str> = (html.split("href=\"").skip(1))
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        assert_eq!(links, ["data:,", "gradebook.csv", "summary.md"]);
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(SCRIPT));
        assert!(html.contains(&format!("script-src 'sha256-{hash}'")));
        assert!(html.contains(&format!("<script>{SCRIPT}</script>")));
    }

    #[test]
    fn the_same_gradebook_gives_the_same_bytes() {
        assert_eq!(render(&sample::gradebook()), render(&sample::gradebook()));
    }

    #[test]
    fn messages_are_cut_and_only_the_first_failing_tests_are_listed() {
        let mut gradebook = sample::gradebook();
        let check = &mut gradebook.learners[1].report.exercises[0].checks[0];
        check.tests = (0..10)
            .map(|i| {
                let mut t = TestResult::new(format!("test {i}"), Status::Fail);
                t.message = Some(format!("{}\n", "x".repeat(1000)).repeat(20));
                t.output = "printed".repeat(10_000);
                t
            })
            .collect();
        let html = render(&gradebook);
        let data = data(&html);
        let pytest = &data["rows"][1]["cells"][0]["c"][0];
        assert_eq!(pytest["t"].as_array().unwrap().len(), SHOWN_FAILURES);
        assert_eq!(pytest["more"], 10 - SHOWN_FAILURES);
        let texts = data["texts"].as_array().unwrap();
        let message = texts[pytest["t"][0][2].as_u64().unwrap() as usize]
            .as_str()
            .unwrap();
        assert_eq!(message.chars().count(), MESSAGE_CHARS + 1);
        assert!(message.ends_with('…'));
        assert!(!html.contains("printedprinted"));
    }

    #[test]
    fn a_cohort_of_500_learners_and_70_exercises_that_fails_everything_stays_under_16_mib() {
        let base = sample::gradebook();
        let columns: Vec<super::super::Column> = (0..70)
            .map(|i| super::super::Column {
                id: format!("{:02}-module/{:02}-exercise", i / 7 + 1, i % 7 + 1),
                module: (i / 7 + 1) as u8,
                module_title: format!("Module {}", i / 7 + 1),
                title: format!("Exercise {i}"),
                max_score: 10.0,
            })
            .collect();
        let tools = base.learners[0].report.tools.clone();
        let learners = (0..500)
            .map(|l| {
                let exercises = (columns.iter().enumerate())
                    .map(|(i, c)| {
                        // Every exercise failing, each learner with messages of its own.
                        let tests = (0..8)
                            .map(|t| {
                                let mut test = TestResult::new(
                                    format!("test_{i}_{t} checks a case of the exercise"),
                                    if t < 5 { Status::Fail } else { Status::Pass },
                                );
                                test.message = Some(format!(
                                    "AssertionError: assert {l} == {t}\n  where {l} = f({l}, {i})\n{}",
                                    "  context line\n".repeat(20)
                                ));
                                test
                            })
                            .collect();
                        let mut pytest = CheckResult::from_tests("pytest", Status::Fail, 8.0, tests)
                            .with_message("5 of 8 tests did not pass");
                        pytest.score = 3.0;
                        ExerciseReport {
                            id: c.id.clone(),
                            module: c.module,
                            module_title: c.module_title.clone(),
                            title: c.title.clone(),
                            status: Status::Fail,
                            started: true,
                            score: 3.0,
                            max_score: c.max_score,
                            checks: vec![pytest, CheckResult::whole("mypy", Status::Pass, 2.0)],
                            not_graded: Vec::new(),
                        }
                    })
                    .collect();
                let mut report = crate::report::Report::new(tools.clone(), exercises);
                report.learner = Some(format!("learner-{l:03}"));
                super::super::Learner {
                    name: format!("learner-{l:03}"),
                    report,
                }
            })
            .collect();
        let modules = (1..=10)
            .map(|n| super::super::Module {
                number: n,
                title: format!("Module {n}"),
                topics: Vec::new(),
            })
            .collect();
        let html = render(&Gradebook::new(modules, columns, learners));
        assert!(html.len() < 16 * 1024 * 1024, "{} bytes", html.len());
    }
}
