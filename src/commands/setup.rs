//! `pygrade setup`: build pygrade's Python environment now.

use anyhow::Result;

use crate::exit::Outcome;
use crate::settings::Settings;
use crate::toolchain::Toolchain;

pub(super) fn run(settings: &Settings, print_python: bool) -> Result<Outcome> {
    let toolchain = Toolchain::ensure(&settings.python, true)?;
    if print_python {
        println!("{}", toolchain.python.display());
        return Ok(Outcome::Success);
    }
    let v = &toolchain.versions;
    println!(
        "Ready: Python {} at {}, pytest {}, mypy {}.",
        v.python,
        toolchain.python.display(),
        v.pytest.as_deref().unwrap_or("?"),
        v.mypy.as_deref().unwrap_or("?")
    );
    Ok(Outcome::Success)
}
