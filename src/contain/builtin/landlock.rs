//! Landlock inside the built-in sandbox, where the kernel has it: a second fence, behind the
//! mounts, around what learner code may write.
//!
//! Everything in the new root may be read and executed; files may be written, made, renamed
//! or removed only in the job's writable folders and the scratch folder (/tmp, /dev/shm), and
//! the devices of /dev may be used. Should a mount ever be made writable again (which seccomp
//! and the lack of capabilities already forbid), the writes would still be refused. Where the
//! kernel's Landlock is new enough (ABI 6, Linux 6.12), learner processes also cannot signal a
//! process outside the sandbox's command, nor reach an abstract unix socket outside it.
//! Applied on a best-effort basis: an older kernel enforces what it knows.

use std::path::PathBuf;

use ::landlock::{
    ABI, Access, AccessFs, LandlockStatus, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus,
    Scope, path_beneath_rules,
};
use anyhow::Result;

/// The newest Landlock ABI asked for.
const TARGET: ABI = ABI::V6;

/// Restricts this process (and all it starts) to writing in `writable`. The Landlock ABI in
/// force, or `None` where the kernel has no Landlock.
pub(crate) fn restrict(writable: &[PathBuf]) -> Result<Option<u8>> {
    let status = Ruleset::default()
        .handle_access(AccessFs::from_all(TARGET))?
        .scope(Scope::from_all(TARGET))?
        .create()?
        .add_rules(path_beneath_rules(["/"], AccessFs::from_read(TARGET)))?
        .add_rules(path_beneath_rules(["/dev"], AccessFs::from_file(TARGET)))?
        .add_rules(path_beneath_rules(writable, AccessFs::from_all(TARGET)))?
        .restrict_self()?;
    if status.ruleset == RulesetStatus::NotEnforced {
        return Ok(None);
    }
    Ok(match status.landlock {
        LandlockStatus::Available { effective_abi, .. } => Some(effective_abi as u8),
        _ => None,
    })
}
