//! `pygrade watch`: the learner's loop. It watches the workspace, grades the exercise being
//! edited again on every save (after a short quiet spell, so that an editor's burst of writes
//! is one save; a save during a run stops that run and starts again), and shows the result in
//! place: the exercise's report, with its first failing check and what to do, a progress line
//! per module, and the keys. It starts on the first exercise without full marks (or the one
//! whose folder it is started in) and moves on to the next once one passes.
//!
//! On a terminal it takes the screen (the terminal's alternate screen, in raw mode, so that a
//! key acts at once) and gives it back as it was on `q`, Ctrl-C, a hang-up or a SIGTERM.
//! Without a terminal (a pipe, a CI log) it prints each result below the last, and reads the
//! same keys as lines of standard input.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use colored::Colorize;
use crossterm::event::{Event as TermEvent, KeyCode, KeyEventKind, KeyModifiers};
use notify::Watcher;
use tokio::sync::Notify;

use super::check;
use crate::bank::{Bank, Exercise};
use crate::checks::Hidden;
use crate::cli::Format;
use crate::engine::{Submission, Work};
use crate::exit::Outcome;
use crate::report::progress::bar;
use crate::report::{Collector, Report};
use crate::settings::{Grader, Settings};
use crate::workspace::{State, TOOL_CACHES, Workspace};

/// How long the files must stay unchanged after a save before grading starts.
const QUIET: Duration = Duration::from_millis(15);
/// How often the polling watcher looks at the files, where file events do not arrive.
const POLL_EVERY: Duration = Duration::from_millis(300);
/// Failures of the same check in a row after which a hint is offered.
const OFFER_HINT_AFTER: u32 = 3;

/// What the loop reacts to.
enum Message {
    /// A file of the workspace changed.
    Changed(PathBuf),
    Key(Key),
    /// A run ended: its number, its report and whether it was stopped midway.
    Graded {
        run: u64,
        report: Box<Result<(Report, bool)>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Hint,
    Next,
    Rerun,
    List,
    Quit,
}

impl Key {
    fn of(text: &str) -> Option<Key> {
        match text.trim() {
            "h" => Some(Key::Hint),
            "n" => Some(Key::Next),
            "r" => Some(Key::Rerun),
            "l" => Some(Key::List),
            "q" => Some(Key::Quit),
            _ => None,
        }
    }
}

pub(super) fn run(settings: &Settings, workspace: Option<&Path>, poll: bool) -> Result<Outcome> {
    let bank = settings.bank()?;
    let workspace = Workspace::around(workspace)?;
    workspace.refresh()?;
    let on_terminal = std::io::stdout().is_terminal() && std::io::stdin().is_terminal();
    settings.decide_color(std::io::stdout().is_terminal());
    let jobs = std::thread::available_parallelism().map_or(2, usize::from);
    let grader = settings.grader(jobs, Hidden::Skip)?;
    let (tx, rx) = mpsc::channel();
    let _watcher = watch_files(&workspace.root, poll, tx.clone())?;
    read_signals(tx.clone());
    let mut screen = Screen::new(on_terminal)?;
    read_keys(on_terminal, tx.clone());

    let here = std::env::current_dir().ok();
    let mut current = here
        .and_then(|dir| exercise_at(&bank, &workspace, &dir))
        .or_else(|| next_unsolved(&bank, &workspace.state().unwrap_or_default(), None))
        .unwrap_or(&bank.exercises[0]);
    let mut view = View::default();
    std::thread::scope(|scope| -> Result<()> {
        let mut runs = 0u64;
        let mut running: Option<(u64, Arc<Notify>)> = None;
        let mut due = Some(Instant::now());
        // Whether the next run replaces one that a change made out of date.
        let mut changed_during_run = false;
        loop {
            let wait = due.map_or(Duration::from_secs(3600), |at| {
                at.saturating_duration_since(Instant::now())
            });
            match rx.recv_timeout(wait) {
                Err(RecvTimeoutError::Timeout) => {
                    due = None;
                    if let Some((_, stop)) = running.take() {
                        stop.notify_one();
                        view.note = Some(match changed_during_run {
                            true => "a file changed during the run: grading again".into(),
                            false => "grading again".into(),
                        });
                    }
                    changed_during_run = false;
                    runs += 1;
                    let stop = Arc::new(Notify::new());
                    running = Some((runs, stop.clone()));
                    view.grading = true;
                    screen.draw(&view, current, &bank, &workspace)?;
                    let (tx, run, grader, workspace) = (tx.clone(), runs, &grader, &workspace);
                    scope.spawn(move || {
                        let report = grade(settings, grader, workspace, current, &stop);
                        let _ = tx.send(Message::Graded {
                            run,
                            report: Box::new(report),
                        });
                    });
                }
                Err(RecvTimeoutError::Disconnected) => break,
                Ok(Message::Changed(path)) => {
                    if let Some(edited) = exercise_at(&bank, &workspace, &path) {
                        if edited.id != current.id {
                            current = edited;
                            view = View::default();
                        }
                        due = Some(Instant::now() + QUIET);
                        changed_during_run = running.is_some();
                    }
                }
                Ok(Message::Key(Key::Quit)) => {
                    if let Some((_, stop)) = running.take() {
                        stop.notify_one();
                    }
                    break;
                }
                Ok(Message::Key(Key::Rerun)) => due = Some(Instant::now()),
                Ok(Message::Key(Key::Next)) => {
                    let state = workspace.state()?;
                    if let Some(next) = next_unsolved(&bank, &state, Some(current)) {
                        current = next;
                        view = View::default();
                        due = Some(Instant::now());
                    }
                }
                Ok(Message::Key(Key::Hint)) => {
                    view.hint = Some(next_hint(&workspace, current)?);
                    view.listing = false;
                    screen.draw(&view, current, &bank, &workspace)?;
                }
                Ok(Message::Key(Key::List)) => {
                    view.listing = !view.listing;
                    screen.draw(&view, current, &bank, &workspace)?;
                }
                Ok(Message::Graded { run, report }) => {
                    if running.as_ref().is_none_or(|(now, _)| *now != run) {
                        continue; // a run stopped for a newer one
                    }
                    running = None;
                    view.grading = false;
                    let (report, _stopped) = (*report)?;
                    let solved =
                        report.all_passed() && report.summary.score >= report.summary.max_score;
                    view.count_failure(&report);
                    if solved {
                        let state = workspace.state()?;
                        match next_unsolved(&bank, &state, Some(current)) {
                            Some(next) => {
                                view = View {
                                    note: Some(format!(
                                        "✓ {} is solved. On to the next one: {}",
                                        current.id, next.id
                                    )),
                                    ..View::default()
                                };
                                current = next;
                                due = Some(Instant::now());
                            }
                            None => {
                                view.report = Some(report);
                                view.note = Some("✓ Every exercise is solved. Well done!".into());
                            }
                        }
                    } else {
                        view.report = Some(report);
                    }
                    screen.draw(&view, current, &bank, &workspace)?;
                }
            }
        }
        Ok(())
    })?;
    drop(screen);
    Ok(Outcome::Success)
}

/// Grades one exercise of the workspace, remembering its grade there, unless `stop` is
/// notified first.
fn grade(
    settings: &Settings,
    grader: &Grader,
    workspace: &Workspace,
    exercise: &Exercise,
    stop: &Notify,
) -> Result<(Report, bool)> {
    let learner = workspace.root.display().to_string();
    let folder = workspace.exercise_dir(&exercise.id);
    let work = vec![Work {
        submission: &learner,
        exercise,
        files: Submission::from_workspace(exercise, &folder)?,
        grade_untouched: false,
        behaviour_only: false,
    }];
    let mut collector = Collector::default();
    let mut remember = workspace.remember();
    let stopped = grader.engine(&settings.registry).grade_until(
        work,
        &mut [&mut collector, &mut remember],
        stop,
    )?;
    Ok((collector.into_report(grader.tools.clone()), stopped))
}

/// The exercise whose folder `path` is in (or is), if any.
fn exercise_at<'b>(bank: &'b Bank, workspace: &Workspace, path: &Path) -> Option<&'b Exercise> {
    let root = workspace.root.canonicalize().ok()?;
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let inside = path.strip_prefix(&root).ok()?;
    let parts: Vec<String> = (inside.components().take(2))
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    let id = parts.join("/");
    bank.exercises.iter().find(|e| e.id == id)
}

/// The first exercise without full marks after `after` (from the start when None, wrapping
/// round), or None when every one has full marks.
fn next_unsolved<'b>(
    bank: &'b Bank,
    state: &State,
    after: Option<&Exercise>,
) -> Option<&'b Exercise> {
    let start = after
        .and_then(|a| bank.exercises.iter().position(|e| e.id == a.id))
        .map_or(0, |at| at + 1);
    let count = bank.exercises.len();
    (0..count)
        .map(|i| &bank.exercises[(start + i) % count])
        .find(|e| !state.passes(&e.id) && after.is_none_or(|a| a.id != e.id))
}

/// The exercise's next hint, as `pygrade hint` shows it, remembered in the workspace.
fn next_hint(workspace: &Workspace, exercise: &Exercise) -> Result<String> {
    let hints = &exercise.manifest.hints;
    Ok(match workspace.next_hint(exercise)? {
        Some(next) => format!(
            "hint {} of {}: {}",
            next + 1,
            hints.len(),
            hints[next].trim()
        ),
        None => "This exercise has no hints.".into(),
    })
}

/// What the screen shows besides the exercise's report.
#[derive(Default)]
struct View {
    report: Option<Report>,
    grading: bool,
    note: Option<String>,
    hint: Option<String>,
    listing: bool,
    /// The check that failed last, and how many times in a row.
    failing: Option<(String, u32)>,
}

impl View {
    fn count_failure(&mut self, report: &Report) {
        let first = (report.exercises.iter())
            .flat_map(|e| &e.checks)
            .find(|check| check.score < check.max_score)
            .map(|check| check.kind.to_string());
        self.failing = match (first, self.failing.take()) {
            (Some(kind), Some((last, times))) if kind == last => Some((kind, times + 1)),
            (Some(kind), _) => Some((kind, 1)),
            (None, _) => None,
        };
    }
}

/// The terminal: taken over (raw mode, alternate screen) when there is one, given back as it
/// was when dropped, even on a panic.
struct Screen {
    terminal: bool,
}

impl Screen {
    fn new(terminal: bool) -> Result<Screen> {
        if terminal {
            let hook = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                give_back_terminal();
                hook(info);
            }));
            crossterm::terminal::enable_raw_mode().context("could not take the terminal")?;
            crossterm::execute!(
                std::io::stdout(),
                crossterm::terminal::EnterAlternateScreen,
                crossterm::cursor::Hide
            )?;
        }
        Ok(Screen { terminal })
    }

    fn draw(
        &mut self,
        view: &View,
        exercise: &Exercise,
        bank: &Bank,
        ws: &Workspace,
    ) -> Result<()> {
        if view.grading && !self.terminal {
            // A log gets one line per run, and the whole screen when its result is in.
            if let Some(note) = &view.note {
                println!("{note}");
            }
            println!("grading {}…", exercise.id);
            return Ok(());
        }
        let mut text = String::new();
        let title = format!(
            "pygrade watch · {}: {}",
            exercise.id, exercise.manifest.title
        );
        text.push_str(&format!("{}\n", title.bold()));
        if view.grading {
            text.push_str(&format!("{}\n", "grading…".dimmed()));
        }
        if let Some(note) = &view.note {
            text.push_str(&format!("{}\n", note.green()));
        }
        text.push('\n');
        let state = ws.state().unwrap_or_default();
        if view.listing {
            for e in &bank.exercises {
                let status = match state.grades.get(&e.id) {
                    Some(k) => format!("{} {}/{}", k.status, k.score, k.max_score),
                    None => "not graded".into(),
                };
                let mark = if e.id == exercise.id { ">" } else { " " };
                text.push_str(&format!("{mark} {:<44} {status}\n", e.id));
            }
        } else if let Some(report) = &view.report {
            let mut out = Vec::new();
            check::emitter(Format::Terminal).emit(report, &mut out)?;
            text.push_str(&String::from_utf8_lossy(&out));
        }
        if let Some(hint) = &view.hint {
            text.push_str(&format!("\n{}\n", hint.cyan()));
        } else if let Some((kind, times)) = &view.failing
            && *times >= OFFER_HINT_AFTER
        {
            let offer =
                format!("The {kind} check failed {times} times in a row: press h for a hint.");
            text.push_str(&format!("\n{}\n", offer.yellow()));
        }
        text.push_str(&format!("\n{}\n", "Progress".bold()));
        for module in &bank.outline.modules {
            let of: Vec<&Exercise> = (bank.exercises.iter())
                .filter(|e| e.manifest.module == module.number)
                .collect();
            if of.is_empty() {
                continue;
            }
            let done = of.iter().filter(|e| state.passes(&e.id)).count();
            text.push_str(&format!(
                "  module {:>2} {} {}\n",
                module.number,
                bar(done, of.len()),
                module.title
            ));
        }
        text.push_str(&format!(
            "\n{}\n",
            "h hint · n next exercise · r grade again · l list · q quit".dimmed()
        ));
        let mut out = std::io::stdout().lock();
        if self.terminal {
            crossterm::queue!(
                out,
                crossterm::terminal::Clear(crossterm::terminal::ClearType::All),
                crossterm::cursor::MoveTo(0, 0)
            )?;
            // Raw mode moves down a line without going back to its start.
            out.write_all(text.replace('\n', "\r\n").as_bytes())?;
        } else {
            out.write_all(format!("{}\n{text}", "─".repeat(40)).as_bytes())?;
        }
        out.flush()?;
        Ok(())
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        if self.terminal {
            give_back_terminal();
        }
    }
}

/// Leaves raw mode and the alternate screen, and shows the cursor again.
fn give_back_terminal() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::cursor::Show,
        crossterm::terminal::LeaveAlternateScreen
    );
    let _ = crossterm::terminal::disable_raw_mode();
}

/// Watches the workspace for changes to the learner's files (pygrade's own folder and the
/// caches of Python's tools left out): by the system's file events, or by looking every
/// [`POLL_EVERY`] where those cannot be had or `poll` asks (network file systems, some
/// containers and WSL, where events do not arrive).
fn watch_files(root: &Path, poll: bool, tx: Sender<Message>) -> Result<Box<dyn Watcher + Send>> {
    let handler = move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        use notify::EventKind;
        use notify::event::{AccessKind, AccessMode};
        if !matches!(
            event.kind,
            EventKind::Create(_)
                | EventKind::Modify(_)
                | EventKind::Remove(_)
                | EventKind::Access(AccessKind::Close(AccessMode::Write))
        ) {
            return;
        }
        for path in event.paths {
            if is_learners(&path) {
                let _ = tx.send(Message::Changed(path));
            }
        }
    };
    let mut watcher: Box<dyn Watcher + Send> = if poll {
        Box::new(notify::PollWatcher::new(
            handler,
            notify::Config::default().with_poll_interval(POLL_EVERY),
        )?)
    } else {
        Box::new(notify::RecommendedWatcher::new(
            handler,
            notify::Config::default(),
        )?)
    };
    watcher
        .watch(root, notify::RecursiveMode::Recursive)
        .with_context(|| {
            format!(
                "could not watch {} for changes (try `pygrade watch --poll`)",
                root.display()
            )
        })?;
    Ok(watcher)
}

/// Whether a changed path is the learner's work: not pygrade's folder, a cache, or an
/// editor's swap or backup file.
fn is_learners(path: &Path) -> bool {
    let cache = path.components().any(|part| {
        let part = part.as_os_str();
        part == ".pygrade" || part == ".git" || TOOL_CACHES.iter().any(|cache| part == *cache)
    });
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let scratch = name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".#")
        || name.ends_with(".tmp");
    !cache && !scratch
}

/// Reads the keys: one keystroke at a time on a terminal (Ctrl-C quits, as `q` does), else
/// one per line of standard input, until it ends.
fn read_keys(on_terminal: bool, tx: Sender<Message>) {
    std::thread::spawn(move || {
        if on_terminal {
            while let Ok(event) = crossterm::event::read() {
                let TermEvent::Key(key) = event else { continue };
                if key.kind != KeyEventKind::Press {
                    continue;
                }
                let pressed = match key.code {
                    KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                        Some(Key::Quit)
                    }
                    KeyCode::Char(c) => Key::of(&c.to_string()),
                    KeyCode::Esc => Some(Key::Quit),
                    _ => None,
                };
                if let Some(pressed) = pressed
                    && tx.send(Message::Key(pressed)).is_err()
                {
                    return;
                }
            }
        } else {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { return };
                if let Some(pressed) = Key::of(&line)
                    && tx.send(Message::Key(pressed)).is_err()
                {
                    return;
                }
            }
        }
    });
}

/// Quits on Ctrl-C (outside raw mode), a hang-up or SIGTERM, so that the terminal is given
/// back and no grading is left running.
fn read_signals(tx: Sender<Message>) {
    std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut hangup), Ok(mut terminate)) = (
                signal(SignalKind::hangup()),
                signal(SignalKind::terminate()),
            ) else {
                return;
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = hangup.recv() => {}
                _ = terminate.recv() => {}
            }
            let _ = tx.send(Message::Key(Key::Quit));
        });
    });
}
