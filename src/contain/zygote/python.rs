//! The Python interpreter inside a warm worker: the learner environment's own `libpython`,
//! loaded into this process, started once, and run again in each fork.
//!
//! Only the interpreter's long-stable entry points are used (`Py_InitializeEx`,
//! `PyRun_SimpleStringFlags`, `PyOS_AfterFork_Child`, and where present the legacy
//! `Py_SetProgramName` and `Py_UTF8Mode`), so any CPython 3 built with a shared library will
//! do. The interpreter starts exactly as `python` would, reading the same environment (so
//! `PYTHONPATH`, `PYTHONDONTWRITEBYTECODE`, `PYTHONHASHSEED` and the rest apply), with the
//! environment's `python` as its program, so that it finds the same virtual environment and
//! `sys.executable` names it; [`Python::start`] then checks that it did.

use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::path::Path;

use anyhow::{Context, Result, bail};
use nix::libc;

/// A started interpreter, and the entry points that run code in it.
pub(crate) struct Python {
    run: unsafe extern "C" fn(*const c_char, *mut c_void) -> c_int,
    after_fork: unsafe extern "C" fn(),
}

impl Python {
    /// Loads `library`, starts the interpreter as `program` (the environment's `python`) would
    /// start, and runs `preload` in it. `utf8`: Python's UTF-8 mode, as `PYTHONUTF8=1` asks.
    pub(crate) fn start(
        library: &Path,
        program: &Path,
        utf8: bool,
        preload: &str,
    ) -> Result<Python> {
        let name = CString::new(library.as_os_str().as_encoded_bytes())?;
        // SAFETY: dlopen takes a C string and flags; RTLD_GLOBAL lets the interpreter's own
        // extension modules find its symbols, as they would in `python`.
        let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
        if handle.is_null() {
            // SAFETY: dlerror returns a C string owned by the loader, or null.
            let why = unsafe { libc::dlerror() };
            let why = if why.is_null() {
                "unknown".into()
            } else {
                // SAFETY: not null, so a C string the loader owns until the next call.
                unsafe { CStr::from_ptr(why) }
                    .to_string_lossy()
                    .into_owned()
            };
            bail!("could not load {}: {why}", library.display());
        }
        let symbol = |name: &CStr| {
            // SAFETY: dlsym takes the handle dlopen returned and a C string.
            let found = unsafe { libc::dlsym(handle, name.as_ptr()) };
            (!found.is_null()).then_some(found)
        };
        let needed = |name: &CStr| {
            symbol(name).with_context(|| format!("{} has no {name:?}", library.display()))
        };
        // SAFETY (each transmute below): the symbol is the C function of that name in CPython's
        // stable interface, with exactly the signature given.
        let initialize: unsafe extern "C" fn(c_int) =
            unsafe { std::mem::transmute(needed(c"Py_InitializeEx")?) };
        let run: unsafe extern "C" fn(*const c_char, *mut c_void) -> c_int =
            unsafe { std::mem::transmute(needed(c"PyRun_SimpleStringFlags")?) };
        let after_fork: unsafe extern "C" fn() =
            unsafe { std::mem::transmute(needed(c"PyOS_AfterFork_Child")?) };
        if let (Some(decode), Some(set_name)) =
            (symbol(c"Py_DecodeLocale"), symbol(c"Py_SetProgramName"))
        {
            let decode: unsafe extern "C" fn(*const c_char, *mut usize) -> *mut libc::wchar_t =
                unsafe { std::mem::transmute(decode) };
            let set_name: unsafe extern "C" fn(*const libc::wchar_t) =
                unsafe { std::mem::transmute(set_name) };
            let program = CString::new(program.as_os_str().as_encoded_bytes())?;
            // SAFETY: decoding a C string; the result is kept for the process's life, as
            // Py_SetProgramName asks.
            let wide = unsafe { decode(program.as_ptr(), std::ptr::null_mut()) };
            if !wide.is_null() {
                // SAFETY: a wide string the interpreter made, before it starts.
                unsafe { set_name(wide) };
            }
        }
        if utf8 && let Some(mode) = symbol(c"Py_UTF8Mode") {
            // SAFETY: the legacy global `int Py_UTF8Mode`, read when the interpreter starts.
            unsafe { *mode.cast::<c_int>() = 1 };
        }
        // SAFETY: starts the interpreter once, in this thread, with its signal handlers (as
        // `python` has them: SIGPIPE and SIGXFSZ ignored, SIGINT a KeyboardInterrupt).
        unsafe { initialize(1) };
        let python = Python { run, after_fork };
        python
            .run(preload)
            .context("the warm worker's preload failed")?;
        Ok(python)
    }

    /// Runs `code` in the interpreter; an exception is printed to stderr and is an error. A
    /// `SystemExit` ends the process, as it would end `python`.
    pub(crate) fn run(&self, code: &str) -> Result<()> {
        let code = CString::new(code)?;
        // SAFETY: the interpreter is started, and this is the thread that started it (or a
        // fork of it, after `after_fork`).
        match unsafe { (self.run)(code.as_ptr(), std::ptr::null_mut()) } {
            0 => Ok(()),
            _ => bail!("the Python code raised an exception (see above)"),
        }
    }

    /// Makes the interpreter whole again in a forked child, before it runs anything.
    pub(crate) fn after_fork(&self) {
        // SAFETY: called once, in the child, before any Python code runs there.
        unsafe { (self.after_fork)() };
    }
}
