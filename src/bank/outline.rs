//! `outline.toml`: the bank's shape, format version 1. A bank declares its title and its
//! modules, each with a number, a title and (optionally) its topics; every manifest's `module`
//! names one of them. The bundled bank's outline is the Python roadmap's ten modules.
//!
//! Like the manifests, plain serde structs with kebab-case keys and unknown keys rejected; what
//! serde cannot express (numbers in range, no module twice) is checked in [`Outline::parse`],
//! which names every problem at once.

use std::collections::BTreeSet;

use serde::Deserialize;

/// The outline's file name, at the root of the bank.
pub(crate) const FILE: &str = "outline.toml";

pub(crate) const FORMAT_VERSION: u32 = 1;

/// The highest module number: an exercise's folder starts with its module's number in two
/// digits (`01-foundations`).
pub(crate) const MAX_MODULE: u8 = 99;

/// The smallest outline there is, shown when a bank has none.
pub(crate) const MINIMAL: &str = r#"format-version = 1
title = "My course"

[[module]]
number = 1
title = "Foundations"
"#;

/// The outline as TOML gives it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Raw {
    format_version: u32,
    title: String,
    #[serde(default)]
    require_every_topic: bool,
    #[serde(default = "yes")]
    show_solutions: bool,
    #[serde(rename = "module", default)]
    modules: Vec<Module>,
}

fn yes() -> bool {
    true
}

/// One `[[module]]` table: a part of the bank, which exercises name by its number.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(crate) struct Module {
    /// What a manifest's `module` names, and how its exercises' folders begin (`01-...`).
    pub number: u8,
    pub title: String,
    /// What the module teaches, in the bank's words. Exercises name the topics they grade
    /// (their manifest's `practises`).
    #[serde(default)]
    pub topics: Vec<String>,
}

/// A bank's outline: its title and its modules, as declared.
#[derive(Debug)]
pub(crate) struct Outline {
    pub title: String,
    /// Whether `pygrade verify` fails while a topic has no exercise that practises it.
    pub require_every_topic: bool,
    /// Whether `pygrade solution` shows a reference solution to a learner who has solved the
    /// exercise (a mentor may switch it off for a bank that is graded for marks).
    pub show_solutions: bool,
    pub modules: Vec<Module>,
}

impl Outline {
    /// Reads and checks an outline; the error lists every problem, each a sentence.
    pub(crate) fn parse(text: &str) -> Result<Outline, Vec<String>> {
        let raw: Raw = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let mut problems = Vec::new();
        if raw.format_version != FORMAT_VERSION {
            problems.push(format!(
                "`format-version` is {}, this pygrade reads version {FORMAT_VERSION}: upgrade pygrade or rewrite the outline",
                raw.format_version
            ));
        }
        if raw.title.trim().is_empty() {
            problems.push("`title` is empty: name the bank".into());
        }
        if raw.modules.is_empty() {
            problems.push(
                "no `[[module]]` tables: declare each module with its `number` and `title`".into(),
            );
        }
        let mut numbers = BTreeSet::new();
        let mut titles = BTreeSet::new();
        for module in &raw.modules {
            let at = format!("module {}", module.number);
            if !(1..=MAX_MODULE).contains(&module.number) {
                problems.push(format!(
                    "{at}: `number` must be from 1 to {MAX_MODULE} (exercise folders begin with it in two digits)"
                ));
            }
            if !numbers.insert(module.number) {
                problems.push(format!(
                    "{at} is declared twice: give each module its own number"
                ));
            }
            let title = module.title.trim();
            if title.is_empty() {
                problems.push(format!("{at}: `title` is empty"));
            } else if !titles.insert(title.to_lowercase()) {
                problems.push(format!(
                    "{at}: the title {title:?} is another module's too: give each module its own"
                ));
            }
            let mut seen = BTreeSet::new();
            for topic in &module.topics {
                if topic.trim().is_empty() {
                    problems.push(format!("{at}: a topic is empty"));
                } else if !seen.insert(topic.trim()) {
                    problems.push(format!("{at}: the topic {topic:?} is listed twice"));
                }
            }
        }
        if problems.is_empty() {
            Ok(Outline {
                title: raw.title,
                require_every_topic: raw.require_every_topic,
                show_solutions: raw.show_solutions,
                modules: raw.modules,
            })
        } else {
            Err(problems)
        }
    }

    /// Module `number`, when the outline has it.
    pub(crate) fn module(&self, number: u8) -> Option<&Module> {
        self.modules.iter().find(|m| m.number == number)
    }

    /// What is wrong with a manifest's `practises` naming `topic`: nothing when a module has
    /// that topic, word for word; else a sentence with the topic meant, when one is close.
    pub(crate) fn topic_problem(&self, topic: &str) -> Option<String> {
        let topics = self.modules.iter().flat_map(|m| &m.topics);
        if topics.clone().any(|t| t == topic) {
            return None;
        }
        let squeezed = |t: &str| -> String {
            t.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let meant = topics
            .clone()
            .find(|t| squeezed(t) == squeezed(topic))
            .or_else(|| {
                let words = |t: &str| -> BTreeSet<String> {
                    t.split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .map(str::to_lowercase)
                        .collect()
                };
                let wanted = words(topic);
                topics
                    .clone()
                    .map(|t| (wanted.intersection(&words(t)).count(), t))
                    .filter(|(shared, _)| *shared > 0)
                    .max_by_key(|(shared, _)| *shared)
                    .map(|(_, t)| t)
            });
        Some(match meant {
            Some(meant) => format!(
                "`practises` names {topic:?}, which is no topic of {FILE}: did you mean {meant:?}? (topics are named word for word)"
            ),
            None => format!(
                "`practises` names {topic:?}, which is no topic of {FILE}: name one of its modules' topics word for word, or add it to a module's `topics`"
            ),
        })
    }

    /// What is wrong with a manifest's `module = number`: nothing when the outline has it, or
    /// else a sentence naming the modules it has.
    pub(crate) fn problem_with(&self, number: u8) -> Option<String> {
        if self.module(number).is_some() {
            return None;
        }
        let known: Vec<String> = self
            .modules
            .iter()
            .map(|m| format!("{} ({})", m.number, m.title))
            .collect();
        Some(format!(
            "`module` is {number}, which {FILE} does not declare: name one of its modules, {}, or add module {number} to {FILE}",
            known.join(", ")
        ))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An outline of one module, `1`, for the test banks of other modules.
    pub(crate) const ONE_MODULE: &str =
        "format-version = 1\ntitle = \"Test bank\"\n[[module]]\nnumber = 1\ntitle = \"Basics\"\n";

    const TWO: &str = r#"
        format-version = 1
        title = "Data tools"

        [[module]]
        number = 1
        title = "Reading data"
        topics = ["open", "csv"]

        [[module]]
        number = 3
        title = "Reporting"
    "#;

    fn problems(text: &str) -> String {
        Outline::parse(text).unwrap_err().join("\n")
    }

    #[test]
    fn an_outline_declares_modules_by_number_with_optional_topics() {
        let outline = Outline::parse(TWO).unwrap();
        assert_eq!(outline.title, "Data tools");
        assert_eq!(outline.module(3).unwrap().title, "Reporting");
        assert!(outline.module(3).unwrap().topics.is_empty());
        assert_eq!(outline.module(1).unwrap().topics, ["open", "csv"]);
        assert!(outline.module(2).is_none(), "numbers need not follow on");
    }

    #[test]
    fn a_topic_is_named_word_for_word_and_a_near_miss_is_shown_the_topic_meant() {
        let outline = Outline::parse(TWO).unwrap();
        assert_eq!(outline.topic_problem("csv"), None);
        let cased = outline.topic_problem("CSV").unwrap();
        assert!(cased.contains("did you mean \"csv\"?"), "{cased}");
        let worded = outline.topic_problem("the open function").unwrap();
        assert!(worded.contains("did you mean \"open\"?"), "{worded}");
        let unknown = outline.topic_problem("decorators").unwrap();
        assert!(
            unknown.contains("no topic of outline.toml: name one of its modules' topics"),
            "{unknown}"
        );
        assert!(
            !outline.require_every_topic,
            "not required unless the outline says so"
        );
    }

    #[test]
    fn the_minimal_outline_shown_to_authors_parses() {
        assert_eq!(Outline::parse(MINIMAL).unwrap().modules.len(), 1);
    }

    #[test]
    fn a_misspelt_key_is_rejected_by_name_and_line() {
        let err = problems(&TWO.replace("topics =", "topcis ="));
        assert!(err.contains("topcis") && err.contains("line 8"), "{err}");
        let err = problems(&TWO.replace("title = \"Data", "titel = \"Data"));
        assert!(err.contains("titel"), "{err}");
    }

    #[test]
    fn a_module_twice_is_refused_by_number_or_title() {
        let err = problems(&TWO.replace("number = 3", "number = 1"));
        assert!(err.contains("module 1 is declared twice"), "{err}");
        let err = problems(&TWO.replace("\"Reporting\"", "\"reading data\""));
        assert!(
            err.contains("module 3: the title \"reading data\" is another module's too"),
            "{err}"
        );
    }

    #[test]
    fn numbers_titles_and_topics_are_checked() {
        let err = problems(&TWO.replace("number = 3", "number = 0"));
        assert!(
            err.contains("module 0: `number` must be from 1 to 99"),
            "{err}"
        );
        let err = problems(&TWO.replace("\"Reporting\"", "\" \""));
        assert!(err.contains("module 3: `title` is empty"), "{err}");
        let err = problems(&TWO.replace("\"csv\"", "\"open\""));
        assert!(
            err.contains("module 1: the topic \"open\" is listed twice"),
            "{err}"
        );
        let err = problems(&TWO.replace("format-version = 1", "format-version = 2"));
        assert!(err.contains("upgrade pygrade"), "{err}");
    }

    #[test]
    fn an_outline_without_modules_says_how_to_declare_one() {
        let err = problems("format-version = 1\ntitle = \"Empty\"\n");
        assert!(err.contains("no `[[module]]` tables"), "{err}");
    }

    #[test]
    fn a_module_it_lacks_is_named_with_those_it_has() {
        let outline = Outline::parse(TWO).unwrap();
        assert_eq!(outline.problem_with(3), None);
        let problem = outline.problem_with(2).unwrap();
        assert!(
            problem.contains("`module` is 2, which outline.toml does not declare")
                && problem.contains("1 (Reading data), 3 (Reporting)"),
            "{problem}"
        );
    }
}
