//! `pygrade batch`: grade a cohort against the bank into a gradebook; `pygrade merge`: put
//! the outputs of a batch's shards together into exactly the files one run writes.
//!
//! Every learner's every exercise is one unit of one engine run, so the checks of all of
//! them share the cores. Grades are kept in the output's cache as they come: Ctrl-C loses
//! nothing graded, and running the same command again grades only what is left or changed.
//! The files are written at the end, from the gradebook alone (see
//! [`crate::report::gradebook`]), along with `.pygrade-batch.json`, the key of every grade,
//! which `--diff` reads to say why a score changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::ValueEnum;
use serde::{Deserialize, Serialize};

use crate::bank::{Bank, Exercise};
use crate::checks::Hidden;
use crate::cli::{BatchArgs, Format};
use crate::cohort::cache::{Cache, Fingerprint, Key, keeps};
use crate::cohort::{self, Prepared};
use crate::engine::{Event, Listener, Submission, Work};
use crate::exit::Outcome;
use crate::files::write_atomically;
use crate::grade::Status;
use crate::report::gradebook::{self, Column, Gradebook, summary::Summary};
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
    let mut cache = Cache::open(&out.join(".cache"))?;
    let columns = columns(&bank);

    // Each learner's grades, by exercise in bank order: from the cache, or to be graded.
    let mut grades: BTreeMap<&str, Vec<Option<ExerciseReport>>> = BTreeMap::new();
    let mut refused: BTreeMap<&str, String> = BTreeMap::new();
    let mut roots: BTreeMap<&str, PathBuf> = BTreeMap::new();
    let mut index = Index::new(shard.map(|s| s.to_string()), &args.formats);
    // Reports go to files: no colour codes in them.
    settings.decide_color(false);
    let mut work = Vec::new();
    let mut from_cache = 0;
    // Identical files of one exercise are graded once: by key, the learner graded for it;
    // and each learner whose grade is another's, with whose.
    let mut planned: BTreeMap<String, &str> = BTreeMap::new();
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
        for (exercise, column) in bank.exercises.iter().zip(&columns) {
            let files = match Submission::from_workspace(exercise, &root.join(&exercise.id)) {
                Ok(files) => files,
                Err(e) => {
                    slots.push(Some(gradebook::refused(column, &format!("{e:#}"))));
                    continue;
                }
            };
            let key = fingerprint.key(exercise, &files);
            let kept = if args.no_cache { None } else { cache.get(&key) };
            match kept {
                Some(report) => {
                    from_cache += 1;
                    slots.push(Some(report));
                }
                None => match planned.get(&key.combined()) {
                    Some(first) => {
                        twins.insert((name, &exercise.id), first);
                        slots.push(None);
                    }
                    None => {
                        planned.insert(key.combined(), name);
                        cache.expect(name, &exercise.id, &key);
                        work.push(Work {
                            submission: name,
                            exercise,
                            files,
                            grade_untouched: false,
                            behaviour_only: false,
                        });
                        slots.push(None);
                    }
                },
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
    if from_cache > 0 {
        eprintln!(
            "pygrade: {from_cache} grades kept from an earlier run (--no-cache grades them again)"
        );
    }

    let mut collected = Collected::new(&cache);
    let mut bar = progress::Bar::batch();
    let engine = grader.engine(&settings.registry);
    let interrupted = engine.grade(work, &mut [&mut bar, &mut collected])?;
    if interrupted {
        bail!(
            "grading was interrupted: the {} exercise grades finished are kept in {}; run the same command again to go on from there",
            collected.reports.values().filter(|r| keeps(r)).count() + from_cache,
            out.join(".cache").display()
        );
    }

    // A timing verdict the machine was too busy to give is tried once more, alone.
    let again: Vec<(&str, &Exercise)> = (collected.reports.iter())
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
        let mut retried = Collected::new(&cache);
        let interrupted = single.grade(work, &mut [&mut retried])?;
        if !interrupted {
            collected.reports.extend(retried.reports);
        }
    }

    let mut graded = Vec::new();
    for (name, slots) in grades {
        let exercises = slots
            .into_iter()
            .zip(&columns)
            .map(|(slot, column)| {
                let whose = twins.get(&(name, column.id.as_str())).unwrap_or(&name);
                slot.or_else(|| {
                    collected
                        .reports
                        .get(&(whose.to_string(), column.id.clone()))
                        .cloned()
                })
                .with_context(|| format!("{name}: {} has no grade", column.id))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut report = Report::new(grader.tools.clone(), exercises);
        report.learner = Some(name.to_string());
        graded.push(gradebook::Learner {
            name: name.to_string(),
            report,
        });
    }
    for (name, why) in refused {
        graded.push(gradebook::Learner {
            name: name.to_string(),
            report: gradebook::rejected(name, grader.tools.clone(), &columns, &why),
        });
    }
    let book = Gradebook::new(bank.outline.modules.clone(), columns, graded);
    let previous = args.diff.as_deref().map(read_output).transpose()?;
    write_output(out, &book, &index)?;
    let _ = std::fs::remove_dir_all(&scratch);

    let summary = Summary::of(&book);
    eprintln!(
        "pygrade: graded {} learners{} in {}: a mean of {} of {} points ({}%); files written to {}",
        book.learners.len(),
        shard.map_or(String::new(), |s| format!(" (shard {s})")),
        humantime::format_duration(std::time::Duration::from_secs(started.elapsed().as_secs())),
        summary.mean_score,
        summary.max_score,
        summary.mean_percent,
        out.display()
    );
    if let Some((before, before_index)) = previous {
        print!("{}", changes(&before, &before_index, &book, &index));
    }
    Ok(Outcome::Success)
}

/// `pygrade merge`: the learners' reports and keys of every shard, into the files one run
/// over the whole cohort writes.
pub(super) fn merge(settings: &Settings, shards: &[PathBuf], out: &Path) -> Result<Outcome> {
    let bank = settings.bank()?;
    let mut learners: Vec<gradebook::Learner> = Vec::new();
    let mut index = Index::new(None, &[]);
    settings.decide_color(false);
    let mut slices: BTreeMap<String, PathBuf> = BTreeMap::new();
    for dir in shards {
        let (book, shard_index) = read_output(dir)?;
        if let Some(shard) = &shard_index.shard
            && let Some(other) = slices.insert(shard.clone(), dir.clone())
        {
            bail!(
                "{} and {} are both shard {shard}: give each shard's output once",
                other.display(),
                dir.display()
            );
        }
        for learner in book {
            if learners.iter().any(|l| l.name == learner.name) {
                bail!(
                    "the learner `{}` is in more than one shard's output (the second: {}): were the shards cut from the same cohort?",
                    learner.name,
                    dir.display()
                );
            }
            learners.push(learner);
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
    std::fs::create_dir_all(out.join(LEARNERS))
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let book = Gradebook::new(bank.outline.modules.clone(), columns(&bank), learners);
    write_output(out, &book, &index)?;
    eprintln!(
        "pygrade: merged {} learners from {} shards into {}",
        book.learners.len(),
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

/// Each graded exercise of the run, by learner and exercise id, each kept in the cache as it
/// comes.
struct Collected<'c> {
    reports: BTreeMap<(String, String), ExerciseReport>,
    cache: &'c Cache,
}

impl<'c> Collected<'c> {
    fn new(cache: &'c Cache) -> Self {
        Collected {
            reports: BTreeMap::new(),
            cache,
        }
    }
}

impl Listener for Collected<'_> {
    fn on(&mut self, event: &Event<'_, '_>) -> Result<()> {
        if let Event::ExerciseGraded { graded } = event {
            let (learner, id) = (graded.unit.submission, &graded.unit.exercise.id);
            let report = ExerciseReport::new(graded);
            self.cache.keep(learner, id, &report)?;
            self.reports
                .insert((learner.to_string(), id.clone()), report);
        }
        Ok(())
    }
}

/// Writes the batch's files into `out`: each learner's reports (and no stale one of a learner
/// no longer in the cohort), the gradebook, the summaries and the index.
fn write_output(out: &Path, book: &Gradebook, index: &Index) -> Result<()> {
    let folder = out.join(LEARNERS);
    let formats = index.formats()?;
    let mut current = Vec::new();
    for learner in &book.learners {
        for format in &formats {
            let file = format!("{}.{}", learner.name, format.extension());
            let emitter = super::check::emitter(*format);
            write_atomically(&folder.join(&file), |w| emitter.emit(&learner.report, w))?;
            current.push(file);
        }
    }
    // A learner no longer in the cohort, or a format no longer asked for, leaves no file.
    for entry in std::fs::read_dir(&folder)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !current.contains(&name) {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove {}", entry.path().display()))?;
        }
    }
    let summary = Summary::of(book);
    write_atomically(&out.join("gradebook.csv"), |w| {
        gradebook::table::write(book, w)
    })?;
    write_atomically(&out.join("summary.json"), |w| {
        gradebook::summary::write_json(&summary, w)
    })?;
    write_atomically(&out.join("summary.md"), |w| {
        gradebook::summary::write_markdown(&summary, w)
    })?;
    write_atomically(&out.join("report.html"), |w| {
        gradebook::html::write(book, w)
    })?;
    write_atomically(&out.join(INDEX), |w| {
        serde_json::to_writer_pretty(&mut *w, index)?;
        writeln!(w)
    })?;
    Ok(())
}

/// The learners' reports and the index a batch left in `dir`.
fn read_output(dir: &Path) -> Result<(Vec<gradebook::Learner>, Index)> {
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
    let mut learners = Vec::new();
    let folder = dir.join(LEARNERS);
    for name in index.keys.keys() {
        let path = folder.join(format!("{name}.json"));
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let report = json::read(&bytes)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("cannot read {}", path.display()))?;
        learners.push(gradebook::Learner {
            name: name.clone(),
            report,
        });
    }
    Ok((learners, index))
}

/// Whose scores changed between the batch `before` and `book`, exercise by exercise, and why.
fn changes(
    before: &[gradebook::Learner],
    before_index: &Index,
    book: &Gradebook,
    index: &Index,
) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    let mut changed = 0;
    for learner in &book.learners {
        let Some(old) = before.iter().find(|l| l.name == learner.name) else {
            let _ = writeln!(
                text,
                "{}: new, {} points",
                learner.name, learner.report.summary.score
            );
            changed += 1;
            continue;
        };
        for e in &learner.report.exercises {
            let previous = old.report.exercises.iter().find(|o| o.id == e.id);
            let (old_score, old_status) =
                previous.map_or((0.0, "absent"), |o| (o.score, o.status.as_str()));
            if previous.is_some_and(|o| o.score == e.score && o.status == e.status) {
                continue;
            }
            let keys = |i: &Index| {
                i.keys
                    .get(&learner.name)
                    .and_then(|k| k.get(&e.id))
                    .cloned()
            };
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
                e.id,
                old_score,
                e.score,
                old_status,
                e.status.as_str()
            );
            changed += 1;
        }
    }
    for old in before {
        if !book.learners.iter().any(|l| l.name == old.name) {
            let _ = writeln!(text, "{}: no longer in the cohort", old.name);
            changed += 1;
        }
    }
    if changed == 0 {
        text.push_str("no score changed\n");
    }
    text
}
