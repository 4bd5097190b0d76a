//! The report for people at a terminal: by module, per exercise, per check, the first few failures with
//! their messages, diffs with invisible whitespace made visible, how many hidden tests passed,
//! and what to run next.
//! A failure is shown once per root cause: when the learner's code cannot even load (a syntax
//! or import error), the check that says so shows it, and each later check that only repeats
//! it is one line pointing there. This is a rendering only; the JSON report keeps every
//! check's own findings. Colour comes from `colored`, switched on or off once by the caller.

use std::io::Write;

use colored::{ColoredString, Colorize};

use super::{Emitter, ExerciseReport, Report};
use crate::checks::COULD_NOT_LOAD;
use crate::grade::{CheckResult, Diagnostic, Status};

/// Failing tests shown per check before "... and N more".
const SHOWN_FAILURES: usize = 3;
/// Lines of one message or diff shown before it is cut.
const SHOWN_LINES: usize = 20;
/// Lines of a failing test's output shown, from its end.
const SHOWN_OUTPUT: usize = 8;

pub(crate) struct Terminal;

impl Emitter for Terminal {
    fn emit(&self, report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
        let mut module = None;
        for (i, exercise) in report.exercises.iter().enumerate() {
            if i > 0 {
                writeln!(out)?;
            }
            // A heading before each module's exercises, titled as the bank's outline says.
            if module != Some(exercise.module) {
                module = Some(exercise.module);
                let heading = format!("Module {}: {}", exercise.module, exercise.module_title);
                writeln!(out, "{}", heading.bold())?;
            }
            write_exercise(exercise, out)?;
        }
        let s = &report.summary;
        let mut parts = vec![format!("{} passed", s.passed).green().to_string()];
        if s.failed > 0 {
            parts.push(format!("{} failed", s.failed).red().to_string());
        }
        if s.errored > 0 {
            parts.push(format!("{} errored", s.errored).red().bold().to_string());
        }
        if s.inconclusive > 0 {
            parts.push(
                format!("{} inconclusive (grade again)", s.inconclusive)
                    .yellow()
                    .to_string(),
            );
        }
        if s.not_started > 0 {
            parts.push(
                format!("{} not started", s.not_started)
                    .dimmed()
                    .to_string(),
            );
        }
        writeln!(
            out,
            "\n{} {} of {} points · {} of {} exercises · {}",
            "Score:".bold(),
            fmt_points(s.score),
            fmt_points(s.max_score),
            s.passed,
            s.exercises,
            parts.join(", ")
        )?;
        if !report.tools.sandboxed() {
            // Said in every report: without a sandbox, learner code ran with the caller's view.
            writeln!(
                out,
                "{}",
                format!("sandbox: {}", report.tools.sandbox).dimmed()
            )?;
        }
        Ok(())
    }
}

fn badge(status: Status) -> ColoredString {
    let text = format!("{:<12}", status.as_str());
    match status {
        Status::Pass => text.green().bold(),
        Status::Skipped | Status::NotRun | Status::NotStarted => text.dimmed(),
        Status::Fail => text.red().bold(),
        Status::Inconclusive => text.yellow().bold(),
        _ => text.magenta().bold(),
    }
}

fn mark(status: Status) -> ColoredString {
    match status {
        Status::Pass => "✓".green(),
        Status::Skipped | Status::NotRun | Status::NotStarted => "·".dimmed(),
        Status::Inconclusive => "?".yellow(),
        _ => "✗".red(),
    }
}

fn fmt_points(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

fn write_exercise(e: &ExerciseReport, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {}  {}  {}",
        mark(e.status),
        e.id.bold(),
        e.title.dimmed(),
        format!("{}/{}", fmt_points(e.score), fmt_points(e.max_score)).bold()
    )?;
    if e.status == Status::Pass {
        // A pass needs no detail, but measured figures are always shown with their budgets.
        for check in e.checks.iter().filter(|c| c.measurement.is_some()) {
            write_check(check, out)?;
        }
        return Ok(());
    }
    for file in &e.not_graded {
        writeln!(
            out,
            "    {} {}: {}",
            "not graded:".yellow(),
            file.file,
            file.reason
        )?;
    }
    if !e.started {
        return writeln!(
            out,
            "    {} solve it, then run `pygrade check {}`",
            "not started:".dimmed(),
            e.id
        );
    }
    let cause = RootCause::of(&e.checks);
    for (i, check) in e.checks.iter().enumerate() {
        match &cause {
            Some(cause) if i > cause.at && cause.is_all_of(check) => {
                write_check_line(check, &format!("same {} as above", cause.what), out)?;
            }
            _ => write_check(check, out)?,
        }
    }
    writeln!(out, "    {} pygrade hint {}", "hint:".cyan(), e.id)
}

/// Why none of an exercise's checks could run the learner's code: it does not load (a syntax
/// error, an import error, an exception raised at import), as one check says in full.
struct RootCause<'r> {
    /// The index of the check that says it.
    at: usize,
    /// What it is, for "same ... as above": `syntax error`, `import error` or `error`.
    what: &'static str,
    /// The line Python ends its traceback with, e.g. `SyntaxError: expected ':'`: every
    /// check that ran the code saw it end the same way.
    last_line: &'r str,
}

impl<'r> RootCause<'r> {
    fn of(checks: &'r [CheckResult]) -> Option<RootCause<'r>> {
        checks.iter().enumerate().find_map(|(at, check)| {
            let message = check.message.as_deref()?;
            let (head, _) = message.split_once('\n')?;
            let what = match head.strip_prefix(COULD_NOT_LOAD)?.strip_suffix(':')? {
                "a syntax error" => "syntax error",
                "an import error" => "import error",
                _ => "error",
            };
            let last_line = last_line(message)?;
            Some(RootCause {
                at,
                what,
                last_line,
            })
        })
    }

    /// Whether all a check would show of its failure is this cause again: mypy's syntax
    /// error or missing module, and failing tests (output cases, a measured run) whose
    /// output ends in the same traceback line.
    fn is_all_of(&self, check: &CheckResult) -> bool {
        let mut errors = check.diagnostics.iter().filter(|d| d.severity == "error");
        let mut failing = check
            .tests
            .iter()
            .filter(|t| !matches!(t.status, Status::Pass | Status::NotRun));
        let shown = errors.clone().count() + failing.clone().count();
        check.status != Status::Pass
            && shown > 0
            && errors.all(|d| self.is_said_by(d))
            && failing.all(|t| last_line(&t.output) == Some(self.last_line))
    }

    fn is_said_by(&self, d: &Diagnostic) -> bool {
        match d.code.as_deref() {
            Some("syntax") => self.what == "syntax error",
            Some("import-not-found") => self
                .last_line
                .strip_prefix("ModuleNotFoundError: No module named '")
                .and_then(|rest| rest.strip_suffix('\''))
                .is_some_and(|module| d.message.contains(&format!("\"{module}\""))),
            _ => false,
        }
    }
}

/// The last line of `text` that is not blank, trimmed.
fn last_line(text: &str) -> Option<&str> {
    text.lines().map(str::trim).rfind(|line| !line.is_empty())
}

/// A check's one line: kind, status, points and `message`.
/// The widest kind's name (`learner-tests`), so that every check's status lines up.
const KIND_WIDTH: usize = 13;

fn write_check_line(
    check: &CheckResult,
    message: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "    {:<KIND_WIDTH$} {} {:>6}  {}",
        check.kind,
        badge(check.status),
        format!(
            "{}/{}",
            fmt_points(check.score),
            fmt_points(check.max_score)
        ),
        message
    )
}

fn write_check(check: &CheckResult, out: &mut dyn Write) -> std::io::Result<()> {
    let message = check.message.as_deref().map(first_line).unwrap_or_default();
    write_check_line(check, &message, out)?;
    if check.status == Status::Pass {
        return Ok(());
    }
    if let Some(message) = &check.message
        && message.contains('\n')
    {
        write_block(
            out,
            message.split_once('\n').map(|(_, rest)| rest).unwrap_or(""),
            10,
        )?;
    }
    for d in check
        .diagnostics
        .iter()
        .filter(|d| d.severity == "error")
        .take(SHOWN_LINES)
    {
        let code = d
            .code
            .as_deref()
            .map(|c| format!("  [{c}]"))
            .unwrap_or_default();
        writeln!(
            out,
            "      {}:{}: {}{}",
            d.file,
            d.line,
            d.message,
            code.dimmed()
        )?;
    }
    let failing = check.failing_tests();
    for test in failing.iter().take(SHOWN_FAILURES) {
        let hidden = if test.hidden { " (hidden)" } else { "" };
        writeln!(
            out,
            "      {} {}{}",
            mark(test.status),
            test.name,
            hidden.dimmed()
        )?;
        if let Some(message) = &test.message {
            write_block(out, message, 8)?;
        }
        if let Some(location) = &test.location {
            writeln!(out, "          {} {}", "at".dimmed(), location.dimmed())?;
        }
        if let Some(diff) = &test.diff {
            write_diff(out, diff)?;
        }
        if !test.output.trim().is_empty() {
            writeln!(out, "          {}", "output (last lines):".dimmed())?;
            let lines: Vec<&str> = test.output.trim_end().lines().collect();
            let shown = &lines[lines.len().saturating_sub(SHOWN_OUTPUT)..];
            write_block(out, &shown.join("\n"), 10)?;
        }
    }
    if failing.len() > SHOWN_FAILURES {
        writeln!(out, "      ... and {} more", failing.len() - SHOWN_FAILURES)?;
    }
    let not_run = check
        .tests
        .iter()
        .filter(|t| t.status == Status::NotRun)
        .count();
    if not_run > 0 {
        writeln!(out, "      {}", format!("{not_run} tests not run").dimmed())?;
    }
    // Unless the grader revealed them, this count is all a report holds of hidden tests.
    if let Some(hidden) = &check.hidden {
        let status = if hidden.passed == hidden.total {
            Status::Pass
        } else {
            Status::Fail
        };
        writeln!(
            out,
            "      {} hidden tests: {} of {} passed",
            mark(status),
            hidden.passed,
            hidden.total
        )?;
    }
    Ok(())
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().to_string()
}

fn write_block(out: &mut dyn Write, text: &str, indent: usize) -> std::io::Result<()> {
    let pad = " ".repeat(indent + 2);
    let lines: Vec<&str> = text.lines().collect();
    for line in lines.iter().take(SHOWN_LINES) {
        writeln!(out, "{pad}{line}")?;
    }
    if lines.len() > SHOWN_LINES {
        writeln!(
            out,
            "{pad}{}",
            format!("... {} more lines", lines.len() - SHOWN_LINES).dimmed()
        )?;
    }
    Ok(())
}

fn write_diff(out: &mut dyn Write, diff: &str) -> std::io::Result<()> {
    for line in diff.lines().take(SHOWN_LINES * 2) {
        let shown = match line.chars().next() {
            Some('-') if !line.starts_with("---") => visible_whitespace(line).red(),
            Some('+') if !line.starts_with("+++") => visible_whitespace(line).green(),
            Some('@') => line.cyan(),
            _ => line.normal(),
        };
        writeln!(out, "          {shown}")?;
    }
    Ok(())
}

/// Trailing spaces, tabs and carriage returns drawn as visible marks, so that a difference
/// in whitespace alone can be seen.
fn visible_whitespace(line: &str) -> String {
    let body = line.trim_end_matches([' ', '\t', '\r']);
    let trailing: String = line[body.len()..]
        .chars()
        .map(|c| match c {
            ' ' => '·',
            '\t' => '→',
            _ => '␍',
        })
        .collect();
    format!("{}{trailing}", body.replace('\t', "→"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(report: &Report) -> String {
        colored::control::set_override(false);
        let mut out = Vec::new();
        Terminal.emit(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_report_matches_its_snapshot() {
        insta::assert_snapshot!(render(&super::super::sample::report()));
    }

    #[test]
    fn code_that_cannot_load_is_shown_once() {
        insta::assert_snapshot!(render(&super::super::sample::cannot_load()));
    }

    #[test]
    fn trailing_whitespace_becomes_visible() {
        assert_eq!(visible_whitespace("+b 1 \t\r"), "+b 1·→␍");
        assert_eq!(visible_whitespace("-a\tb"), "-a→b");
    }
}
