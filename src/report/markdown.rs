//! The Markdown report, in GitHub's flavour: for a GitHub Actions job summary
//! (`$GITHUB_STEP_SUMMARY`), a pull or merge request comment, or a GitLab note. A heading with
//! the score, the summary's counts, a table with a row per exercise, and a folded `<details>`
//! section per exercise that did not pass: each failing check's message, its first failing
//! tests with message and location, mypy's findings, output diffs in `diff` blocks, and how many
//! hidden tests passed (never more of them).
//!
//! Learner text cannot change the document around it. Text on a line is escaped (Markdown's
//! punctuation with a backslash, `<`, `>` and `&` as entities) and never starts a line, so it
//! can open no block, no table cell and no HTML; text of several lines goes only into fenced
//! code blocks, whose fence is longer than any run of backticks inside. Control characters
//! other than tabs and newlines are dropped (a carriage return shows as `␍`), and long blocks
//! are cut with a notice. GitHub keeps at most 1 MiB of a step's summary, so the details stop,
//! with a count of what is left out, well before that.

use std::fmt::Write as _;
use std::io::Write;

use super::{Emitter, ExerciseReport, Report};
use crate::grade::{CheckResult, Status, TestResult};

/// Failing tests shown per check before "... and N more".
const SHOWN_FAILURES: usize = 3;
/// mypy findings shown per check.
const SHOWN_DIAGNOSTICS: usize = 10;
/// Lines, and characters, of one block shown before it is cut.
const BLOCK_LINES: usize = 30;
const BLOCK_CHARS: usize = 3000;
/// Lines of a failing test's output shown, from its end.
const SHOWN_OUTPUT: usize = 8;
/// Bytes the document may reach before the details of further exercises are left out.
const BUDGET: usize = 900 * 1024;

pub(crate) struct Markdown;

impl Emitter for Markdown {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(render(report).as_bytes())
    }
}

fn render(report: &Report) -> String {
    let s = &report.summary;
    let mut doc = String::new();
    let whose = match &report.learner {
        Some(learner) => text(learner),
        None => "pygrade".into(),
    };
    let _ = writeln!(
        doc,
        "## {whose}: {} of {} points\n",
        points(s.score),
        points(s.max_score)
    );
    let _ = writeln!(
        doc,
        "**{} {}:** {} passed, {} failed, {} errored, {} inconclusive, {} not started\n",
        s.exercises,
        if s.exercises == 1 {
            "exercise"
        } else {
            "exercises"
        },
        s.passed,
        s.failed,
        s.errored,
        s.inconclusive,
        s.not_started
    );
    if !report.exercises.is_empty() {
        doc.push_str("| status | exercise | title | points |\n| --- | --- | --- | ---: |\n");
        for e in &report.exercises {
            let _ = writeln!(
                doc,
                "| {} {} | {} | {} | {}/{} |",
                marker(e.status),
                e.status.as_str(),
                text(&e.id),
                text(&e.title),
                points(e.score),
                points(e.max_score)
            );
        }
        doc.push('\n');
    }
    let mut left_out = 0;
    for e in report
        .exercises
        .iter()
        .filter(|e| !matches!(e.status, Status::Pass | Status::NotStarted))
    {
        let details = details(e);
        if left_out > 0 || doc.len() + details.len() > BUDGET {
            left_out += 1;
        } else {
            doc.push_str(&details);
        }
    }
    if left_out > 0 {
        let _ = writeln!(
            doc,
            "*The details of {left_out} more exercises are left out, to keep this summary within GitHub's size limit: the JSON or terminal report has them.*\n"
        );
    }
    let t = &report.tools;
    let _ = writeln!(
        doc,
        "<sub>Graded by pygrade {} with Python {}, pytest {}, mypy {}; sandbox: {}</sub>",
        text(&t.pygrade),
        text(&t.python),
        text(t.pytest.as_deref().unwrap_or("(none)")),
        text(t.mypy.as_deref().unwrap_or("(none)")),
        text(&t.sandbox)
    );
    doc
}

/// A folded section for an exercise that did not pass.
fn details(e: &ExerciseReport) -> String {
    let mut doc = String::new();
    let _ = writeln!(
        doc,
        "<details>\n<summary>{} {}: {} ({}/{})</summary>\n",
        marker(e.status),
        html(&e.id),
        html(&e.title),
        points(e.score),
        points(e.max_score)
    );
    for file in &e.not_graded {
        let _ = writeln!(
            doc,
            "⚠️ not graded: {}: {}\n",
            code(&file.file),
            text(&file.reason)
        );
    }
    for check in e.checks.iter().filter(|c| c.status != Status::Pass) {
        write_check(&mut doc, check);
    }
    doc.push_str("</details>\n\n");
    doc
}

fn write_check(doc: &mut String, check: &CheckResult) {
    let message = check.message.as_deref().unwrap_or_default();
    let (first, rest) = message.split_once('\n').unwrap_or((message, ""));
    let said = if first.trim().is_empty() {
        String::new()
    } else {
        format!(": {}", text(first))
    };
    let _ = writeln!(
        doc,
        "{} **{}** {} {}/{}{said}\n",
        marker(check.status),
        check.kind,
        check.status.as_str(),
        points(check.score),
        points(check.max_score),
    );
    if !rest.trim().is_empty() {
        fenced(doc, "text", rest);
    }
    let errors = check.errors();
    for d in errors.iter().take(SHOWN_DIAGNOSTICS) {
        let place = match d.column {
            Some(col) => format!("{}:{}:{col}", d.file, d.line),
            None => format!("{}:{}", d.file, d.line),
        };
        let code_name = d
            .code
            .as_deref()
            .map(|c| format!(" {}", code(&format!("[{c}]"))))
            .unwrap_or_default();
        let _ = writeln!(doc, "- {} {}{code_name}", code(&place), text(&d.message));
    }
    if errors.len() > SHOWN_DIAGNOSTICS {
        let _ = writeln!(doc, "- ... and {} more", errors.len() - SHOWN_DIAGNOSTICS);
    }
    if !errors.is_empty() {
        doc.push('\n');
    }
    let failing = check.failing_tests();
    for test in failing.iter().take(SHOWN_FAILURES) {
        write_test(doc, test);
    }
    if failing.len() > SHOWN_FAILURES {
        let _ = writeln!(
            doc,
            "... and {} more failing tests\n",
            failing.len() - SHOWN_FAILURES
        );
    }
    let not_run = check
        .tests
        .iter()
        .filter(|t| t.status == Status::NotRun)
        .count();
    if not_run > 0 {
        let _ = writeln!(doc, "{not_run} tests not run\n");
    }
    // Unless the grader revealed them, this count is all a report holds of hidden tests.
    if let Some(hidden) = &check.hidden {
        let status = if hidden.passed == hidden.total {
            Status::Pass
        } else {
            Status::Fail
        };
        let _ = writeln!(
            doc,
            "{} hidden tests: {} of {} passed\n",
            marker(status),
            hidden.passed,
            hidden.total
        );
    }
}

fn write_test(doc: &mut String, test: &TestResult) {
    let hidden = if test.hidden { " (hidden)" } else { "" };
    let at = test
        .location
        .as_deref()
        .map(|l| format!(" at {}", code(l)))
        .unwrap_or_default();
    let _ = writeln!(
        doc,
        "{} **{}**{hidden} {}{at}\n",
        marker(test.status),
        text(&test.name),
        test.status.as_str()
    );
    if let Some(message) = &test.message {
        fenced(doc, "text", message);
    }
    if let Some(diff) = &test.diff {
        let shown: Vec<String> = diff.lines().map(visible_trailing_whitespace).collect();
        fenced(doc, "diff", &shown.join("\n"));
    }
    // An output case's error message already ends with what the program wrote to stderr.
    let said = test.message.as_deref().unwrap_or_default();
    if !test.output.trim().is_empty() && !said.trim_end().ends_with(test.output.trim()) {
        let lines: Vec<&str> = test.output.trim_end().lines().collect();
        let shown = &lines[lines.len().saturating_sub(SHOWN_OUTPUT)..];
        let _ = writeln!(doc, "output (last lines):\n");
        fenced(doc, "text", &shown.join("\n"));
    }
}

/// `text` in a fenced code block of language `info`, cut after [`BLOCK_LINES`] lines or
/// [`BLOCK_CHARS`] characters with a notice. Nothing inside a fence is Markdown, and the
/// fence is longer than any run of backticks in the text, so no line of it ends the block.
fn fenced(doc: &mut String, info: &str, text: &str) {
    let clean = block_text(text.trim_end());
    let total = clean.lines().count();
    let mut shown: String = clean
        .lines()
        .take(BLOCK_LINES)
        .collect::<Vec<_>>()
        .join("\n");
    if let Some((at, _)) = shown.char_indices().nth(BLOCK_CHARS) {
        shown.truncate(at);
    }
    let fence = "`".repeat(longest_backtick_run(&shown).max(2) + 1);
    let _ = writeln!(doc, "{fence}{info}\n{shown}\n{fence}\n");
    let lines_shown = shown.lines().count();
    if shown.len() < clean.len() {
        let _ = writeln!(doc, "*(cut: {lines_shown} of {total} lines shown)*\n");
    }
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

/// Text for a code block: carriage returns shown as `␍`, other control characters but tabs
/// and newlines dropped.
fn block_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\r' => Some('␍'),
            '\n' | '\t' => Some(c),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Text on one line: line breaks and tabs as spaces, other control characters dropped.
fn one_line(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Text inside a line of Markdown, a table cell included: what Markdown reads as markup is
/// escaped with a backslash, and what HTML reads as markup becomes an entity.
pub(super) fn text(raw: &str) -> String {
    let mut escaped = String::new();
    for c in one_line(raw).chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' | '#' | '!' => {
                escaped.push('\\');
                escaped.push(c);
            }
            c => escaped.push(c),
        }
    }
    escaped
}

/// Text inside an HTML element (a `<summary>`), where Markdown is not read.
fn html(raw: &str) -> String {
    one_line(raw)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Text as an inline code span: its delimiters longer than any run of backticks inside, and
/// spaced from a backtick at either end.
pub(super) fn code(raw: &str) -> String {
    let inner = one_line(raw);
    let ticks = "`".repeat(longest_backtick_run(&inner) + 1);
    let pad = if inner.starts_with('`') || inner.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{inner}{pad}{ticks}")
}

/// A diff line with its trailing spaces and tabs drawn as `·` and `→`, so that a difference
/// in whitespace alone can be seen.
fn visible_trailing_whitespace(line: &str) -> String {
    let body = line.trim_end_matches([' ', '\t']);
    let trailing: String = line[body.len()..]
        .chars()
        .map(|c| if c == ' ' { '·' } else { '→' })
        .collect();
    format!("{body}{trailing}")
}

fn marker(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::NotStarted | Status::Skipped | Status::NotRun => "⏸️",
        Status::Inconclusive => "❔",
        _ => "❌",
    }
}

pub(super) fn points(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "a | b `x` ``` <script>alert(1)</script> & *bold* [link](javascript:x) 100% =cmd,\n# heading\n</details>\n```\n\u{1b}[31mred\u{7}";

    fn hostile_report() -> Report {
        let mut report = super::super::sample::report();
        report.exercises[0].title = HOSTILE.into();
        let check = &mut report.exercises[0].checks[0];
        check.message = Some(HOSTILE.into());
        check.tests[1].name = HOSTILE.into();
        check.tests[1].message = Some(HOSTILE.into());
        report
    }

    #[test]
    fn the_report_matches_its_snapshot() {
        insta::assert_snapshot!(render(&super::super::sample::report()));
    }

    #[test]
    fn learner_text_is_escaped_on_a_line_and_fenced_when_it_has_several() {
        let doc = render(&hostile_report());
        // The table row keeps its four cells.
        let row = doc
            .lines()
            .find(|l| l.starts_with("| ❌ fail | 01"))
            .unwrap();
        assert_eq!(row.matches(" | ").count(), 3, "{row}");
        assert!(row.contains(r"a \| b \`x\` \`\`\` &lt;script&gt;alert(1)&lt;/script&gt; &amp; \*bold\* \[link\](javascript:x) 100% =cmd, \# heading &lt;/details&gt; \`\`\` \[31mred |"), "{row}");
        // In the summary, HTML is escaped and Markdown is not read.
        assert!(doc.contains("<summary>❌ 01-foundations/01-word-count: a | b `x` ``` &lt;script&gt;alert(1)&lt;/script&gt; &amp; *bold*"), "{doc}");
        // The test's message is in a block whose fence is longer than the ``` inside it.
        assert!(doc.contains("````text\na | b `x` ``` <script>alert(1)</script> & *bold* [link](javascript:x) 100% =cmd,\n# heading\n</details>\n```\n[31mred\n````\n"), "{doc}");
        // Raw HTML only inside the fences: the check's message after its first line, and the
        // test's message.
        assert_eq!(doc.matches("<script>").count(), 1, "{doc}");
        assert_eq!(doc.matches("</details>").count(), 2 + 2, "{doc}");
        assert!(!doc.contains('\u{1b}') && !doc.contains('\u{7}'));
    }

    #[test]
    fn fences_outgrow_the_backticks_inside() {
        let mut doc = String::new();
        fenced(&mut doc, "text", "a ````` b");
        assert_eq!(doc, "``````text\na ````` b\n``````\n\n");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x`"), "`` `x` ``");
    }

    #[test]
    fn long_blocks_are_cut_with_a_notice() {
        let mut doc = String::new();
        let long: Vec<String> = (0..100).map(|i| format!("line {i}")).collect();
        fenced(&mut doc, "text", &long.join("\n"));
        assert!(doc.contains("line 29\n```\n"), "{doc}");
        assert!(!doc.contains("line 30"));
        assert!(doc.ends_with("*(cut: 30 of 100 lines shown)*\n\n"), "{doc}");
        let mut doc = String::new();
        fenced(&mut doc, "text", &"x".repeat(10_000));
        assert!(doc.contains("*(cut: 1 of 1 lines shown)*"), "{doc}");
        assert!(doc.len() < BLOCK_CHARS + 100);
    }

    #[test]
    fn the_details_stop_before_githubs_size_limit() {
        let mut report = super::super::sample::report();
        let mut exercise = report.exercises[0].clone();
        let long: Vec<String> = (0..BLOCK_LINES)
            .map(|i| format!("{i} {}", "x".repeat(100)))
            .collect();
        exercise.checks[0].message = Some(format!("failed\n{}", long.join("\n")));
        report.exercises = vec![exercise; 400];
        let doc = render(&report);
        assert!(doc.len() <= BUDGET + 64 * 1024, "{} bytes", doc.len());
        let shown = doc.matches("<details>").count();
        assert!(shown > 100 && shown < 400, "{shown} shown");
        assert!(doc.contains(&format!(
            "*The details of {} more exercises are left out",
            400 - shown
        )));
        // The table still has every exercise.
        assert_eq!(doc.matches("| ❌ fail |").count(), 400);
    }

    #[test]
    fn carriage_returns_show_and_trailing_spaces_show_in_diffs() {
        assert_eq!(block_text("a\r\nb\u{0}\tc"), "a␍\nb\tc");
        assert_eq!(visible_trailing_whitespace("+b 1 \t"), "+b 1·→");
    }
}
