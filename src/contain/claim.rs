//! A running check's claim on a core, given back while its processes wait.
//!
//! The engine runs as many checks at once as `--jobs` says (one per core by default). A check
//! whose processes wait instead of computing (a program blocked on input that never comes, a
//! sleep, a deadlock: all common in learners' code, and each waits out its time limit) would
//! keep its place while its core idles. Once the process tree of a check has used no CPU for
//! [`IDLE`], the check gives its claim back, and the engine starts another check. A claim is
//! given back once: a check that computes again afterwards runs beside the others, which their
//! verdicts allow (a wall-clock limit does not count the time spent waiting for a busy core).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::unistd::Pid;

use super::tree::sample;

/// How long a process tree must use no CPU before its check gives its claim back.
pub(crate) const IDLE: Duration = Duration::from_millis(500);
/// How often a tree's CPU time is looked at.
const LOOK_EVERY: Duration = Duration::from_millis(100);

/// What gives a place back, once.
type GiveBack = Box<dyn FnOnce() + Send>;

/// What gives a check's place back to the engine; a claim made with `default` holds none.
#[derive(Clone, Default)]
pub(crate) struct Claim(Arc<Mutex<Option<GiveBack>>>);

impl Claim {
    /// A claim that `give_back` ends.
    pub(crate) fn new(give_back: impl FnOnce() + Send + 'static) -> Claim {
        Claim(Arc::new(Mutex::new(Some(Box::new(give_back)))))
    }

    /// Gives the claim back, if it still holds one.
    pub(crate) fn give_back(&self) {
        let give_back = self.0.lock().expect("claim").take();
        if let Some(give_back) = give_back {
            give_back();
        }
    }

    pub(crate) fn held(&self) -> bool {
        self.0.lock().expect("claim").is_some()
    }
}

impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Claim").field(&self.held()).finish()
    }
}

/// Gives `claim` back once the process tree under `root` has used no CPU for [`IDLE`]. Runs
/// until then: the caller ends it when the tree ends.
pub(super) async fn give_back_when_idle(root: Pid, claim: Claim) {
    let mut looks = tokio::time::interval(LOOK_EVERY);
    let (mut cpu_ms, mut since) = (None, Instant::now());
    loop {
        looks.tick().await;
        let now = sample(root).cpu_ms;
        if cpu_ms != Some(now) {
            (cpu_ms, since) = (Some(now), Instant::now());
        } else if since.elapsed() >= IDLE {
            claim.give_back();
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_claim_is_given_back_once() {
        let given = Arc::new(AtomicUsize::new(0));
        let counted = given.clone();
        let claim = Claim::new(move || {
            counted.fetch_add(1, Ordering::SeqCst);
        });
        let copy = claim.clone();
        assert!(claim.held());
        copy.give_back();
        claim.give_back();
        assert_eq!(given.load(Ordering::SeqCst), 1);
        assert!(!claim.held() && !copy.held());
        Claim::default().give_back();
    }

    #[test]
    fn a_waiting_process_gives_its_claim_back_and_a_computing_one_keeps_it() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let watch = |code: &str| {
            let mut child = std::process::Command::new("python3")
                .args(["-c", code])
                .spawn()
                .unwrap();
            let claim = Claim::new(|| {});
            let root = Pid::from_raw(child.id() as i32);
            let watched = claim.clone();
            runtime.block_on(async {
                let _ = tokio::time::timeout(IDLE * 4, give_back_when_idle(root, watched)).await;
            });
            let _ = child.kill();
            let _ = child.wait();
            claim.held()
        };
        assert!(
            !watch("import time; time.sleep(30)"),
            "a sleeping process gives it back"
        );
        assert!(watch("while True: pass"), "a computing one keeps it");
    }
}
