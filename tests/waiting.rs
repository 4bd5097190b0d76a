//! A check whose processes wait rather than compute gives its place to another: a learner's
//! program blocked on something never holds up the rest of the grading while a core idles.

mod common;

use common::{Env, Grade, check, copy_tree, repo};

const GREET: &str = "01-basics/01-greet";
const COUNTER: &str = "02-classes/01-counter";

#[test]
fn a_check_that_only_waits_lets_the_next_one_run_beside_it() {
    let env = Env::new();
    let bank = env.path().join("bank");
    copy_tree(&repo().join("fixtures/cohort/bank"), &bank);
    // Time limits far longer than the wait should be, so that only a check never started
    // beside the waiting ones makes them run out.
    let manifest = bank.join(GREET).join("exercise.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text.replace("timeout = \"6s\"", "timeout = \"30s\"");
    std::fs::write(
        &manifest,
        text.replace("timeout = \"3s\"", "timeout = \"30s\""),
    )
    .unwrap();
    let ws = env.init("ws", Some(&bank));
    // Greet's code waits, as it is imported, for a file that only importing counter's code
    // writes. With one check at a time, greet's checks come first: they pass only if
    // counter's pytest check starts while they wait.
    let marker = env.path().join("counter-was-imported");
    let greet = format!(
        "import os\nimport time\n\nwhile not os.path.exists({marker:?}):\n    time.sleep(0.05)\n\n\n{}",
        std::fs::read_to_string(bank.join(GREET).join("reference/greet.py")).unwrap()
    );
    std::fs::write(ws.exercise(GREET).join("greet.py"), greet).unwrap();
    let counter = format!(
        "open({marker:?}, \"w\").close()\n\n\n{}",
        std::fs::read_to_string(bank.join(COUNTER).join("reference/counter.py")).unwrap()
    );
    std::fs::write(ws.exercise(COUNTER).join("counter.py"), counter).unwrap();
    // Without a sandbox, so that the two checks' processes see one file system.
    let graded = env
        .check(&ws)
        .args(["--jobs", "1", "--sandbox", "none"])
        .graded();
    for (id, kind) in [(GREET, "pytest"), (GREET, "output"), (COUNTER, "pytest")] {
        let result = check(graded.exercise(id), kind);
        assert_eq!(result["status"], "pass", "{id} {kind}: {result}");
    }
}
