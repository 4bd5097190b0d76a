//! Contain: every process that runs for a check starts here, under its limits.
//!
//! [`launch`] starts a process as a [`Spawn`] describes it (environment, stdin, capped
//! output, a results channel) under the [`supervise`] process, which enforces the
//! [`limits`] (the [`memory`] of the whole tree among them) and takes the whole process tree
//! down at the end; [`sandbox`] wraps learner code in pygrade's own sandbox ([`builtin`]) or
//! in bubblewrap, whichever works here; [`descriptors`] keeps what pygrade's caller left open
//! out of them all. This floor knows nothing of exercises, check kinds or the command line:
//! what to run and under which limits is handed to it as data.

pub(crate) mod builtin;
mod cgroup;
mod claim;
pub(crate) mod descriptors;
mod disk;
pub(crate) mod launch;
pub(crate) mod limits;
pub(crate) mod memory;
pub(crate) mod sandbox;
pub(crate) mod supervise;
mod tree;
pub(crate) mod warm;
pub(crate) mod zygote;

pub(crate) use builtin::Layers;
pub(crate) use cgroup::TreeCgroup;
pub(crate) use launch::{
    CHANNEL_FD, Claim, Exit, Finished, Launcher, Quiet, Spawn, TOKEN_FD, Warm,
};
pub(crate) use limits::{Clock, Limits};
pub(crate) use sandbox::Sandbox;
