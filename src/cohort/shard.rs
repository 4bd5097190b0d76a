//! Shards: a deterministic, balanced slice of a cohort, so that several machines grade one
//! cohort between them and `pygrade merge` puts their outputs together.
//!
//! Shard `K/N` (K from 1) takes the learners whose place in name order is K-1, K-1+N, ...: the
//! shards differ by at most one learner, and the same cohort always splits the same way.
//! `auto` reads K and N from the variables of the engine running the job.

use std::fmt;

/// One slice of a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shard {
    /// From 1.
    pub index: usize,
    pub total: usize,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

/// What `--shard` was given: a slice, or `auto` (with the total when the engine does not
/// give one, as Kubernetes does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShardArg {
    Given(Shard),
    Auto { total: Option<usize> },
}

/// `--shard K/N`, `--shard auto` or `--shard auto/N`.
pub(crate) fn parse(text: &str) -> Result<ShardArg, String> {
    let count = |s: &str, what: &str| {
        s.trim()
            .parse::<usize>()
            .map_err(|_| format!("`{text}`: {what} `{s}` is not a whole number"))
    };
    match text.split_once('/') {
        None if text == "auto" => Ok(ShardArg::Auto { total: None }),
        Some(("auto", total)) => Ok(ShardArg::Auto {
            total: Some(positive(count(total, "the count")?, text)?),
        }),
        Some((index, total)) => {
            let shard = Shard {
                index: count(index, "the shard")?,
                total: positive(count(total, "the count")?, text)?,
            };
            shard.check().map(ShardArg::Given)
        }
        None => Err(format!(
            "`{text}` is no shard: give K/N (the K-th of N slices, from 1), auto, or auto/N"
        )),
    }
}

fn positive(n: usize, text: &str) -> Result<usize, String> {
    if n == 0 {
        Err(format!("`{text}`: there must be at least one shard"))
    } else {
        Ok(n)
    }
}

impl Shard {
    fn check(self) -> Result<Shard, String> {
        if (1..=self.total).contains(&self.index) {
            Ok(self)
        } else {
            Err(format!(
                "shard {self} does not exist: shards are numbered 1 to {}",
                self.total
            ))
        }
    }

    /// Whether the learner at `place` in name order (from 0) is in this shard.
    pub(crate) fn holds(self, place: usize) -> bool {
        place % self.total == self.index - 1
    }
}

impl ShardArg {
    /// The slice this job grades, reading the engine's variables through `var` for `auto`:
    /// GitLab's parallel jobs (`CI_NODE_INDEX`/`CI_NODE_TOTAL`, from 1), Slurm job arrays
    /// (`SLURM_ARRAY_TASK_ID` counted from `SLURM_ARRAY_TASK_MIN`, of
    /// `SLURM_ARRAY_TASK_COUNT`), Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`, from 0, with
    /// the count given as `auto/N`). A GitHub Actions matrix passes its values explicitly.
    pub(crate) fn resolve(self, var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let total = match self {
            ShardArg::Given(shard) => return Ok(shard),
            ShardArg::Auto { total } => total,
        };
        let number = |name: &str| -> Result<Option<usize>, String> {
            var(name)
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    v.trim()
                        .parse::<usize>()
                        .map_err(|_| format!("{name}={v} is not a whole number"))
                })
                .transpose()
        };
        let with_total = |index: usize, engine_total: Option<usize>, engine: &str| {
            let total = total.or(engine_total).ok_or_else(|| {
                format!("{engine} gives this job's index but not the count: pass --shard auto/N")
            })?;
            Shard { index, total }.check()
        };
        if let (Some(index), node_total) = (number("CI_NODE_INDEX")?, number("CI_NODE_TOTAL")?) {
            return with_total(index, node_total, "GitLab");
        }
        if let Some(id) = number("SLURM_ARRAY_TASK_ID")? {
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let index = id.checked_sub(min).ok_or_else(|| {
                format!("SLURM_ARRAY_TASK_ID={id} is below SLURM_ARRAY_TASK_MIN={min}")
            })?;
            return with_total(index + 1, number("SLURM_ARRAY_TASK_COUNT")?, "Slurm");
        }
        if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            return with_total(index + 1, None, "Kubernetes");
        }
        Err("--shard auto found no engine's variables (CI_NODE_INDEX, SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX): pass --shard K/N".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(index: usize, total: usize) -> Shard {
        Shard { index, total }
    }

    fn auto(total: Option<usize>, vars: &[(&str, &str)]) -> Result<Shard, String> {
        ShardArg::Auto { total }.resolve(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn shards_parse_and_bad_ones_say_what_to_give() {
        assert_eq!(parse("2/3"), Ok(ShardArg::Given(shard(2, 3))));
        assert_eq!(parse("auto"), Ok(ShardArg::Auto { total: None }));
        assert_eq!(parse("auto/4"), Ok(ShardArg::Auto { total: Some(4) }));
        assert!(parse("0/3").unwrap_err().contains("numbered 1 to 3"));
        assert!(parse("4/3").unwrap_err().contains("numbered 1 to 3"));
        assert!(parse("1/0").unwrap_err().contains("at least one"));
        assert!(parse("half").unwrap_err().contains("give K/N"));
        assert!(parse("a/2").unwrap_err().contains("not a whole number"));
    }

    #[test]
    fn the_shards_of_a_cohort_take_every_learner_once_and_balance() {
        let total = 3;
        let mut counts = [0; 3];
        for place in 0..10 {
            let owners: Vec<usize> = (1..=total)
                .filter(|&k| shard(k, total).holds(place))
                .collect();
            assert_eq!(owners.len(), 1, "learner {place}: {owners:?}");
            counts[owners[0] - 1] += 1;
        }
        assert_eq!(counts, [4, 3, 3]);
    }

    #[test]
    fn auto_reads_each_engines_variables() {
        let gitlab = [("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "5")];
        assert_eq!(auto(None, &gitlab), Ok(shard(2, 5)));
        let slurm = [
            ("SLURM_ARRAY_TASK_ID", "10"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ];
        assert_eq!(auto(None, &slurm), Ok(shard(1, 4)));
        let kubernetes = [("JOB_COMPLETION_INDEX", "3")];
        assert_eq!(auto(Some(4), &kubernetes), Ok(shard(4, 4)));
        assert!(auto(None, &kubernetes).unwrap_err().contains("auto/N"));
        assert!(auto(None, &[]).unwrap_err().contains("pass --shard K/N"));
        let beyond = [("JOB_COMPLETION_INDEX", "4")];
        assert!(
            auto(Some(4), &beyond)
                .unwrap_err()
                .contains("does not exist")
        );
    }
}
