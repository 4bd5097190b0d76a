//! The shard examples in `examples/shards/` work as written: for each engine, the `pygrade
//! batch` and `pygrade merge` commands the file holds are run as that engine would run them
//! (its variables set, each shard in a working folder of its own, the outputs carried to the
//! merge as its artifacts or shared volume would), on a small cohort, and the merged gradebook
//! holds every learner once with the grades one run gives.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use common::{Env, copy_tree, repo};

/// The cohort of these tests: a learner who passes, one who fails, one not started and a
/// zipped workspace (no hanging learner: the batch tests cover those).
const LEARNERS: [&str; 4] = ["ada", "bob", "cyd", "fay.zip"];

/// The rows of the fixture cohort's gradebook that belong to [`LEARNERS`].
fn expected() -> String {
    let names: Vec<&str> = LEARNERS
        .iter()
        .map(|l| l.trim_end_matches(".zip"))
        .collect();
    (common::COHORT_GRADEBOOK.lines())
        .filter(|row| {
            let first = row.split(',').next().unwrap_or_default();
            matches!(first, "learner" | "(max)") || names.contains(&first)
        })
        .map(|row| format!("{row}\n"))
        .collect()
}

/// The line of `example` that runs `pygrade COMMAND`, from `pygrade` to the end of the
/// command (a YAML list item or a shell line).
fn command(example: &str, command: &str) -> String {
    let text = std::fs::read_to_string(repo().join("examples/shards").join(example)).unwrap();
    let needle = format!("pygrade {command} ");
    let line = (text.lines())
        .filter(|l| !l.trim_start().starts_with('#'))
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("{example} runs no `pygrade {command}`"));
    line[line.find(&needle).unwrap()..].trim().to_string()
}

/// Runs `line` with `sh` in `dir`, with pygrade first on the PATH, the fixture bank, and `vars`.
fn run(env: &Env, dir: &Path, line: &str, vars: &[(&str, String)]) {
    let bin = cargo_bin("pygrade");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    std::fs::create_dir_all(dir).unwrap();
    let output = Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .env("PATH", path)
        .env("TMPDIR", env.tmp())
        .env("PYGRADE_BANK", repo().join("fixtures/cohort/bank"))
        .envs(vars.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "`{line}` in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The small cohort, laid in `dir/cohort`.
fn cohort(env: &Env, dir: &Path) {
    let all = env.cohort();
    for learner in LEARNERS {
        let (from, to) = (all.join(learner), dir.join("cohort").join(learner));
        if from.is_dir() {
            copy_tree(&from, &to);
        } else {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&from, &to).unwrap();
        }
    }
}

fn gradebook(out: &Path) -> String {
    std::fs::read_to_string(out.join("gradebook.csv")).unwrap()
}

#[test]
fn the_github_actions_matrix_and_merge_job() {
    let env = Env::new();
    let (batch, merge) = (
        command("github-actions.yml", "batch"),
        command("github-actions.yml", "merge"),
    );
    let merging = env.path().join("merge");
    for shard in 1..=3 {
        // Each matrix job checks the repository out afresh and uploads `out` as its artifact;
        // download-artifact puts each in `shards/<artifact name>/`.
        let job = env.path().join(format!("job-{shard}"));
        cohort(&env, &job);
        let line = batch
            .replace("${{ matrix.shard }}", &shard.to_string())
            .replace("${{ strategy.job-total }}", "3");
        run(&env, &job, &line, &[]);
        copy_tree(
            &job.join("out"),
            &merging.join(format!("shards/shard-{shard}")),
        );
    }
    run(&env, &merging, &merge, &[]);
    assert_eq!(gradebook(&merging.join("graded")), expected());
}

#[test]
fn the_kubernetes_indexed_job_and_its_merge() {
    let env = Env::new();
    // The pods share one volume, mounted at /grading: here, a folder in its place.
    let volume = env.path().join("grading");
    cohort(&env, &volume);
    let mount = |line: String| line.replace("/grading", volume.to_str().unwrap());
    let batch = mount(command("kubernetes-job.yaml", "batch"));
    for index in 0..3 {
        let pod = env.path().join(format!("pod-{index}"));
        run(
            &env,
            &pod,
            &batch,
            &[("JOB_COMPLETION_INDEX", index.to_string())],
        );
    }
    let merge = mount(command("kubernetes-job.yaml", "merge"));
    run(&env, &env.path().join("merge-pod"), &merge, &[]);
    assert_eq!(gradebook(&volume.join("graded")), expected());
}

#[test]
fn the_slurm_array_and_its_merge() {
    let env = Env::new();
    // Slurm runs every task in the folder it was submitted from.
    let submitted: PathBuf = env.path().join("course");
    cohort(&env, &submitted);
    let batch = command("slurm-array.sh", "batch");
    for task in 0..4 {
        run(
            &env,
            &submitted,
            &batch,
            &[
                ("SLURM_ARRAY_TASK_ID", task.to_string()),
                ("SLURM_ARRAY_TASK_MIN", "0".into()),
                ("SLURM_ARRAY_TASK_COUNT", "4".into()),
                ("SLURM_CPUS_PER_TASK", "2".into()),
            ],
        );
    }
    // The merge is given to `sbatch --wrap '...'` in a comment of the script.
    let text = std::fs::read_to_string(repo().join("examples/shards/slurm-array.sh")).unwrap();
    let merge = text
        .split("--wrap '")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the script shows the merge's sbatch --wrap");
    run(&env, &submitted, merge, &[]);
    assert_eq!(gradebook(&submitted.join("graded")), expected());
}
