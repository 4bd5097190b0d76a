//! `pygrade batch`: grade a cohort against the bank into a gradebook; `pygrade merge`: put
//! the outputs of a batch's shards together into exactly the files one run writes.
//!
//! Every learner's every exercise is one unit of one engine run, so the checks of all of
//! them share the cores. Grades are kept in the output's cache as they come: Ctrl-C loses
//! nothing graded, and running the same command again grades only what is left or changed.
//! The files are written at the end, a learner at a time in name order, each learner's
//! report made from the cache, written and let go before the next (see
//! [`crate::report::gradebook::Book`]), along with `.pygrade-batch.json`, the key of every
//! grade, which `--diff` reads to say why a score changed. Nor are the learners' files held
//! while they wait to be graded ([`Submission::park`]), nor the gradebook's rows (they wait
//! in a temporary file): pygrade's memory grows with the cohort only by its plan and the
//! grades' keys, about a hundred bytes a learner's exercise.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};

use crate::bank::{Bank, Exercise};
use crate::checks::Hidden;
use crate::cli::{BatchArgs, Format};
use crate::cohort::cache::{Cache, Fingerprint, Key};
use crate::cohort::{self, Prepared};
use crate::engine::{Event, Listener, Submission, Work};
use crate::exit::Outcome;
use crate::files::write_atomically;
use crate::grade::Status;
use crate::report::gradebook::{self, Column, summary::Summary};
use crate::report::{ExerciseReport, Report, json, progress};
use crate::settings::Settings;

/// The file in a batch's output that holds the key of each grade.
const INDEX: &str = ".pygrade-batch.json";
const LEARNERS: &str = "learners";

/// The key of each learner's grade of each exercise, and the slice of the cohort graded.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    schema: String,
    /// `K/N` for a shard's output; absent for a whole cohort's (and a merge's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shard: Option<String>,
    /// The formats of each learner's reports beyond json and markdown, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    formats: Vec<String>,
    /// By learner, then exercise id.
    keys: BTreeMap<String, BTreeMap<String, Key>>,
}

impl Index {
    fn new(shard: Option<String>, formats: &[Format]) -> Index {
        let mut names: Vec<String> = formats.iter().map(|f| f.name()).collect();
        names.sort();
        names.dedup();
        Index {
            schema: INDEX_SCHEMA.into(),
            shard,
            formats: names,
            keys: BTreeMap::new(),
        }
    }

    /// Every format each learner's reports are written in: json and markdown, then the others.
    fn formats(&self) -> Result<Vec<Format>> {
        let mut formats = vec![Format::Json, Format::Markdown];
        for name in &self.formats {
            let format = Format::from_str(name, false)
                .map_err(|_| anyhow::anyhow!("unknown format `{name}` in {INDEX}"))?;
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        Ok(formats)
    }
}

const INDEX_SCHEMA: &str = "pygrade-batch-index/1";

pub(super) fn run(settings: &Settings, args: BatchArgs) -> Result<Outcome> {
    let started = Instant::now();
    let bank = settings.bank()?;
    let found = cohort::discover(&args.cohort)?;
    for entry in &found.passed_over {
        eprintln!("pygrade: passing over {entry}");
    }
    if found.learners.is_empty() {
        bail!(
            "{} holds no learner: put one workspace folder, .zip or .tar.gz per learner in it",
            args.cohort.display()
        );
    }
    let shard = (args.shard)
        .map(|s| s.resolve(|name| std::env::var(name).ok()))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let learners: Vec<&cohort::Learner> = (found.learners.iter().enumerate())
        .filter(|(place, _)| shard.is_none_or(|s| s.holds(*place)))
        .map(|(_, learner)| learner)
        .collect();

    let out = &args.out;
    std::fs::create_dir_all(out.join(LEARNERS))
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let hidden = if args.reveal {
        Hidden::Reveal
    } else {
        Hidden::Run
    };
    let grader = settings.grader(args.jobs, hidden)?;
    let fingerprint = Fingerprint::new(&grader.tools, hidden)?;
    let cache = Cache::open(&out.join(".cache"))?;
    let columns = columns(&bank);

    // Each learner's grades, by exercise in bank order: where each will come from.
    let mut grades: BTreeMap<&str, Vec<Slot>> = BTreeMap::new();
    let mut refused: BTreeMap<&str, String> = BTreeMap::new();
    let mut roots: BTreeMap<&str, PathBuf> = BTreeMap::new();
    let mut index = Index::new(shard.map(|s| s.to_string()), &args.formats);
    // Reports go to files: no colour codes in them.
    settings.decide_color(false);
    let mut work = Vec::new();
    let mut from_cache = 0;
    // Identical files of one exercise are graded once: by key, the learner graded for it;
    // and each learner whose grade is another's, with whose.
    let mut planned: HashMap<[u8; 32], &str> = HashMap::new();
    let mut twins: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    let scratch = out.join(".work");
    for learner in &learners {
        let name = learner.name.as_str();
        let root = match learner.prepare(&scratch, &bank)? {
            Prepared::Rejected(why) => {
                // In the index with no grade, so that a merge and a diff know the learner.
                index.keys.entry(name.to_string()).or_default();
                refused.insert(name, why);
                continue;
            }
            Prepared::Workspace(root) => root,
        };
        let mut slots = Vec::new();
        let workspace: Arc<Path> = root.as_path().into();
        for (exercise, column) in bank.exercises.iter().zip(&columns) {
            let mut files = match Submission::from_workspace(exercise, &root.join(&exercise.id)) {
                Ok(files) => files,
                Err(e) => {
                    let refused = gradebook::refused(column, &format!("{e:#}"));
                    slots.push(Slot::Refused(Box::new(refused)));
                    continue;
                }
            };
            let key = fingerprint.key(exercise, &files);
            let kept = !args.no_cache && cache.get(&key).is_some();
            if kept {
                from_cache += 1;
                slots.push(Slot::Kept);
            } else {
                let digest = key.digest();
                match planned.get(&digest) {
                    Some(first) => {
                        twins.insert((name, &exercise.id), first);
                    }
                    None => {
                        planned.insert(digest, name);
                        // Read again when graded: the cohort's files are never all held.
                        files.park(exercise, &workspace);
                        work.push(Work {
                            submission: name,
                            exercise,
                            files,
                            grade_untouched: false,
                            behaviour_only: false,
                        });
                    }
                }
                slots.push(Slot::Kept);
            }
            index
                .keys
                .entry(name.to_string())
                .or_default()
                .insert(exercise.id.clone(), key);
        }
        grades.insert(name, slots);
        roots.insert(name, root);
    }
    drop(planned);
    if from_cache > 0 {
        eprintln!(
            "pygrade: {from_cache} grades kept from an earlier run (--no-cache grades them again)"
        );
    }

    let mut collected = Collected::new(&cache, &index);
    let mut bar = progress::Bar::batch();
    let engine = grader.engine(&settings.registry);
    let interrupted = engine.grade(work, &mut [&mut bar, &mut collected])?;
    if interrupted {
        bail!(
            "grading was interrupted: the {} exercise grades finished are kept in {}; run the same command again to go on from there",
            collected.kept + from_cache,
            out.join(".cache").display()
        );
    }

    // A timing verdict the machine was too busy to give is tried once more, alone.
    let again: Vec<(&str, &Exercise)> = (collected.held.iter())
        .filter(|(_, r)| r.status == Status::Inconclusive)
        .filter_map(|((learner, id), _)| {
            let learner = grades.get_key_value(learner.as_str())?.0;
            Some((*learner, bank.exercises.iter().find(|e| &e.id == id)?))
        })
        .collect();
    if !again.is_empty() {
        eprintln!(
            "pygrade: grading {} inconclusive timing verdicts again",
            again.len()
        );
        let work = again
            .iter()
            .map(|(learner, exercise)| {
                Ok(Work {
                    submission: learner,
                    exercise,
                    files: Submission::from_workspace(
                        exercise,
                        &roots[learner].join(&exercise.id),
                    )?,
                    grade_untouched: false,
                    behaviour_only: false,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let single = crate::engine::Engine { jobs: 1, ..engine };
        let mut retried = Collected::new(&cache, &index);
        let interrupted = single.grade(work, &mut [&mut retried])?;
        if !interrupted {
            collected.absorb(retried);
        }
    }

    // Every learner in name order, each report made, written and let go in turn.
    let mut everyone: BTreeMap<&str, Result<Vec<Slot>, String>> = BTreeMap::new();
    everyone.extend(grades.into_iter().map(|(name, slots)| (name, Ok(slots))));
    everyone.extend(refused.into_iter().map(|(name, why)| (name, Err(why))));
    let previous = args.diff.as_deref().map(read_scores).transpose()?;
    let mut scores = Vec::new();
    let mut output = Output::new(out, &index, &bank.outline.modules, &columns)?;
    for (name, slots) in everyone {
        let report = match slots {
            Ok(slots) => {
                let exercises = (slots.into_iter().zip(&columns))
                    .map(|(slot, column)| {
                        let id = column.id.as_str();
                        let report = match slot {
                            Slot::Refused(report) => Some(*report),
                            Slot::Kept => {
                                let whose = twins.get(&(name, id)).unwrap_or(&name);
                                collected.report(whose, id)
                            }
                        };
                        report.with_context(|| {
                            format!("{name}: {id} has no grade (was the output's .cache changed during the run?)")
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                let mut report = Report::new(grader.tools.clone(), exercises);
                report.learner = Some(name.to_string());
                report
            }
            Err(why) => gradebook::rejected(name, grader.tools.clone(), &columns, &why),
        };
        let learner = gradebook::Learner {
            name: name.to_string(),
            report,
        };
        if previous.is_some() {
            scores.push(Scores::of(&learner));
        }
        output.add(&learner)?;
    }
    let summary = output.finish(&index)?;
    let _ = std::fs::remove_dir_all(&scratch);

    eprintln!(
        "pygrade: graded {} learners{} in {}: a mean of {} of {} points ({}%); files written to {}",
        summary.learners,
        shard.map_or(String::new(), |s| format!(" (shard {s})")),
        humantime::format_duration(std::time::Duration::from_secs(started.elapsed().as_secs())),
        summary.mean_score,
        summary.max_score,
        summary.mean_percent,
        out.display()
    );
    if let Some((before, before_index)) = previous {
        print!("{}", changes(&before, &before_index, &scores, &index));
    }
    Ok(Outcome::Success)
}

/// `pygrade merge`: the learners' reports and keys of every shard, into the files one run
/// over the whole cohort writes.
pub(super) fn merge(settings: &Settings, shards: &[PathBuf], out: &Path) -> Result<Outcome> {
    let bank = settings.bank()?;
    let mut index = Index::new(None, &[]);
    settings.decide_color(false);
    let mut slices: BTreeMap<String, PathBuf> = BTreeMap::new();
    // Each learner's shard, by name.
    let mut whose: BTreeMap<String, &Path> = BTreeMap::new();
    for dir in shards {
        let shard_index = read_index(dir)?;
        if let Some(shard) = &shard_index.shard
            && let Some(other) = slices.insert(shard.clone(), dir.clone())
        {
            bail!(
                "{} and {} are both shard {shard}: give each shard's output once",
                other.display(),
                dir.display()
            );
        }
        for name in shard_index.keys.keys() {
            // Each is read when its turn comes; that all are there is known before a file is
            // written.
            let report = dir.join(LEARNERS).join(format!("{name}.json"));
            if !report.is_file() {
                bail!(
                    "{} is missing: give the shard's whole output",
                    report.display()
                );
            }
            if whose.insert(name.clone(), dir).is_some() {
                bail!(
                    "the learner `{name}` is in more than one shard's output (the second: {}): were the shards cut from the same cohort?",
                    dir.display()
                );
            }
        }
        index.keys.extend(shard_index.keys);
        index.formats.extend(shard_index.formats);
        index.formats.sort();
        index.formats.dedup();
    }
    if let Some(total) = slices
        .keys()
        .next()
        .and_then(|s| s.split_once('/'))
        .map(|(_, n)| n)
    {
        let missing: Vec<String> = (1..=total.parse::<usize>().unwrap_or(0))
            .map(|k| format!("{k}/{total}"))
            .filter(|s| !slices.contains_key(s))
            .collect();
        if !missing.is_empty() {
            bail!(
                "shard {} of the cohort is missing: give every shard's output",
                missing.join(", ")
            );
        }
    }
    let columns = columns(&bank);
    let mut output = Output::new(out, &index, &bank.outline.modules, &columns)?;
    for (name, dir) in &whose {
        output.add(&read_learner(dir, name)?)?;
    }
    let learners = output.finish(&index)?.learners;
    eprintln!(
        "pygrade: merged {learners} learners from {} shards into {}",
        shards.len(),
        out.display()
    );
    Ok(Outcome::Success)
}

/// The bank's exercises as gradebook columns.
fn columns(bank: &Bank) -> Vec<Column> {
    (bank.exercises.iter())
        .map(|e| Column {
            id: e.id.clone(),
            module: e.manifest.module,
            module_title: e.module_title.clone(),
            title: e.manifest.title.clone(),
            max_score: crate::grade::round2(e.manifest.checks.iter().map(|c| c.points).sum()),
        })
        .collect()
}

/// Where a learner's grade of an exercise comes from, once the run is over.
enum Slot {
    /// Known before anything ran: the exercise's submission was refused.
    Refused(Box<ExerciseReport>),
    /// The output's cache, under the grade's key in the index, from an earlier run or this
    /// one (for identical files, another learner's grade); or, for a grade the cache does not
    /// keep, this run's: see [`Collected`].
    Kept,
}

/// Each exercise graded in the run, kept in the cache (under its key in the index) as it
/// comes and read back from there when the learner's reports are written; only the grades the
/// cache does not keep (no verdict: inconclusive timings, checks cut short) are held in
/// memory.
struct Collected<'c> {
    /// Grades the cache did not keep, by learner and exercise id.
    held: BTreeMap<(String, String), ExerciseReport>,
    /// How many grades the cache kept.
    kept: usize,
    cache: &'c Cache,
    index: &'c Index,
}

impl<'c> Collected<'c> {
    fn new(cache: &'c Cache, index: &'c Index) -> Self {
        Collected {
            held: BTreeMap::new(),
            kept: 0,
            cache,
            index,
        }
    }

    fn key(&self, learner: &str, id: &str) -> Option<&'c Key> {
        self.index.keys.get(learner)?.get(id)
    }

    /// The grade of exercise `id` of `learner`: this run's, or the cache's.
    fn report(&self, learner: &str, id: &str) -> Option<ExerciseReport> {
        match self.held.get(&(learner.to_string(), id.to_string())) {
            Some(report) => Some(report.clone()),
            None => self.cache.get(self.key(learner, id)?),
        }
    }

    /// Takes in the grades of the run that graded the inconclusive ones again: theirs (kept
    /// in the cache, or held) replace these.
    fn absorb(&mut self, again: Collected<'_>) {
        self.held.retain(|_, r| r.status != Status::Inconclusive);
        self.held.extend(again.held);
        self.kept += again.kept;
    }
}

impl Listener for Collected<'_> {
    fn on(&mut self, event: &Event<'_, '_>) -> Result<()> {
        if let Event::ExerciseGraded { graded } = event {
            let (learner, id) = (graded.unit.submission, &graded.unit.exercise.id);
            let report = ExerciseReport::new(graded);
            let key = (learner.to_string(), id.clone());
            let kept = match self.key(learner, id) {
                Some(key) => self.cache.keep(key, &report)?,
                None => false,
            };
            if kept {
                self.kept += 1;
                self.held.remove(&key);
            } else {
                self.held.insert(key, report);
            }
        }
        Ok(())
    }
}

/// The batch's files in `out`, written as the learners come (in name order): each learner's
/// reports, then the gradebook, the summaries and the index.
struct Output<'b> {
    out: PathBuf,
    formats: Vec<Format>,
    /// The learners' files written.
    current: Vec<String>,
    book: gradebook::Book<'b>,
}

impl<'b> Output<'b> {
    fn new(
        out: &Path,
        index: &Index,
        modules: &'b [gradebook::Module],
        columns: &'b [Column],
    ) -> Result<Output<'b>> {
        std::fs::create_dir_all(out.join(LEARNERS))
            .with_context(|| format!("cannot create the output folder {}", out.display()))?;
        Ok(Output {
            out: out.to_path_buf(),
            formats: index.formats()?,
            current: Vec::new(),
            book: gradebook::Book::new(modules, columns)?,
        })
    }

    fn add(&mut self, learner: &gradebook::Learner) -> Result<()> {
        for format in &self.formats {
            let file = format!("{}.{}", learner.name, format.extension());
            let emitter = super::check::emitter(*format);
            let path = self.out.join(LEARNERS).join(&file);
            write_atomically(&path, |w| emitter.emit(&learner.report, w))?;
            self.current.push(file);
        }
        self.book.add(learner)
    }

    /// Writes the cohort's files and the index, after taking out the files of a learner no
    /// longer in the cohort (or of a format no longer asked for); the summary.
    fn finish(self, index: &Index) -> Result<Summary> {
        let folder = self.out.join(LEARNERS);
        let current: std::collections::HashSet<&String> = self.current.iter().collect();
        for entry in std::fs::read_dir(&folder)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !current.contains(&name) {
                std::fs::remove_file(entry.path())
                    .with_context(|| format!("cannot remove {}", entry.path().display()))?;
            }
        }
        let summary = self.book.write(&self.out)?;
        write_atomically(&self.out.join(INDEX), |w| {
            serde_json::to_writer_pretty(&mut *w, index)?;
            writeln!(w)
        })?;
        Ok(summary)
    }
}

/// The index a batch left in `dir`.
fn read_index(dir: &Path) -> Result<Index> {
    let index_path = dir.join(INDEX);
    let index: Index = serde_json::from_slice(&std::fs::read(&index_path).with_context(|| {
        format!(
            "{} is not a batch's output (no {INDEX}): give the folder `pygrade batch --out` wrote",
            dir.display()
        )
    })?)
    .with_context(|| format!("cannot read {}", index_path.display()))?;
    if index.schema != INDEX_SCHEMA {
        bail!(
            "{} was written by another pygrade ({}): run the batch again with this one",
            index_path.display(),
            index.schema
        );
    }
    Ok(index)
}

/// The report of the learner `name` that a batch left in `dir`.
fn read_learner(dir: &Path, name: &str) -> Result<gradebook::Learner> {
    let path = dir.join(LEARNERS).join(format!("{name}.json"));
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let report = json::read(&bytes)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(gradebook::Learner {
        name: name.to_string(),
        report,
    })
}

/// What `--diff` compares of a learner: the total, and each exercise's score and status.
struct Scores {
    name: String,
    total: f64,
    /// By exercise id.
    exercises: Vec<(String, f64, Status)>,
}

impl Scores {
    fn of(learner: &gradebook::Learner) -> Scores {
        Scores {
            name: learner.name.clone(),
            total: learner.report.summary.score,
            exercises: (learner.report.exercises.iter())
                .map(|e| (e.id.clone(), e.score, e.status))
                .collect(),
        }
    }
}

/// The scores of the learners of the batch that left `dir`, and its index.
fn read_scores(dir: &Path) -> Result<(Vec<Scores>, Index)> {
    let index = read_index(dir)?;
    let scores = (index.keys.keys())
        .map(|name| Ok(Scores::of(&read_learner(dir, name)?)))
        .collect::<Result<Vec<_>>>()?;
    Ok((scores, index))
}

/// Whose scores changed between the batch `before` and `book`, exercise by exercise, and why.
fn changes(before: &[Scores], before_index: &Index, now: &[Scores], index: &Index) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    let mut changed = 0;
    for learner in now {
        let Some(old) = before.iter().find(|l| l.name == learner.name) else {
            let _ = writeln!(text, "{}: new, {} points", learner.name, learner.total);
            changed += 1;
            continue;
        };
        for (id, score, status) in &learner.exercises {
            let previous = old.exercises.iter().find(|(o, ..)| o == id);
            let (old_score, old_status) = previous.map_or((0.0, "absent"), |(_, score, status)| {
                (*score, status.as_str())
            });
            if previous.is_some_and(|(_, s, st)| s == score && st == status) {
                continue;
            }
            let keys = |i: &Index| i.keys.get(&learner.name).and_then(|k| k.get(id)).cloned();
            let why = match (keys(index), keys(before_index)) {
                (Some(now), Some(then)) => {
                    let why = now.changes_since(&then);
                    if why.is_empty() {
                        "graded again on the same files (a timing verdict or a test that varies)"
                            .to_string()
                    } else {
                        why.join(", ")
                    }
                }
                _ => "no earlier key to compare".to_string(),
            };
            let _ = writeln!(
                text,
                "{}: {} {} -> {} ({} -> {}): {why}",
                learner.name,
                id,
                old_score,
                score,
                old_status,
                status.as_str()
            );
            changed += 1;
        }
    }
    for old in before {
        if !now.iter().any(|l| l.name == old.name) {
            let _ = writeln!(text, "{}: no longer in the cohort", old.name);
            changed += 1;
        }
    }
    if changed == 0 {
        text.push_str("no score changed\n");
    }
    text
}
