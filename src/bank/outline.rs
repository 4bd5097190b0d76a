//! The bank's outline: the roadmap's ten modules, by number, with their titles.

/// The roadmap's module titles, module 1 first.
const MODULES: [&str; 10] = [
    "Python Foundations",
    "Object-Oriented Python",
    "Exception Handling & Code Quality",
    "Testing & Typing",
    "Packaging & Dependency Management",
    "Concurrency & Parallelism",
    "Performance & Memory Management",
    "Advanced Python Concepts",
    "Security, Reliability & DevOps",
    "Capstone (Tech Lead Level)",
];

/// The title of roadmap module `number` (1 to 10; a manifest naming another is refused).
pub(crate) fn module_title(number: u8) -> &'static str {
    usize::from(number)
        .checked_sub(1)
        .and_then(|i| MODULES.get(i))
        .copied()
        .unwrap_or("(not a roadmap module)")
}
