//! The bank's demo learner (`demo.toml` at the bank's root): a workspace in which some
//! exercises are solved and some are wrong in instructive ways, built from the reference
//! solutions and a list of edits each time it is needed, so it never drifts from them.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Bank, Side};

/// The file a bank's demo is described in.
pub(crate) const FILE: &str = "demo.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Recipe {
    #[serde(rename = "exercise")]
    exercises: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    /// What the edits teach; none for a solved exercise.
    lesson: Option<String>,
    #[serde(default, rename = "edit")]
    edits: Vec<Edit>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    file: String,
    find: String,
    replace: String,
}

/// One exercise of the demo learner's workspace.
#[derive(Debug)]
pub(crate) struct DemoExercise {
    pub id: String,
    /// What its edits teach; `None` when it is solved.
    pub lesson: Option<String>,
    /// Its learner files, by name.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Bank {
    /// The demo learner's exercises, built from the references, or the problems found (an
    /// edit that no longer applies); `None` when the bank has no demo.
    pub(crate) fn demo(&self) -> Option<Result<Vec<DemoExercise>, Vec<String>>> {
        self.demo.as_deref().map(|text| self.build_demo(text))
    }

    fn build_demo(&self, text: &str) -> Result<Vec<DemoExercise>, Vec<String>> {
        let recipe: Recipe = toml::from_str(text).map_err(|e| vec![format!("{FILE}: {e}")])?;
        let mut built = Vec::new();
        let mut problems = Vec::new();
        for entry in recipe.exercises {
            let Some(exercise) = self.exercises.iter().find(|e| e.id == entry.id) else {
                problems.push(format!("{FILE}: no exercise {:?} in the bank", entry.id));
                continue;
            };
            let mut files: BTreeMap<String, Vec<u8>> = exercise
                .side_files(Side::Reference)
                .into_iter()
                .map(|(name, bytes)| (name, bytes.to_vec()))
                .collect();
            for edit in &entry.edits {
                let at = format!("{FILE}: an edit of {}/{}", entry.id, edit.file);
                let Some(text) = files
                    .get(&edit.file)
                    .and_then(|bytes| String::from_utf8(bytes.clone()).ok())
                else {
                    problems.push(format!("{at}: not a learner file of the exercise"));
                    continue;
                };
                match text.matches(&edit.find).count() {
                    1 => {
                        let edited = text.replacen(&edit.find, &edit.replace, 1);
                        files.insert(edit.file.clone(), edited.into_bytes());
                    }
                    0 => problems.push(format!(
                        "{at}: its `find` text is no longer in the reference: update the edit to today's reference"
                    )),
                    n => problems.push(format!(
                        "{at}: its `find` text occurs {n} times in the reference: make it unique"
                    )),
                }
            }
            built.push(DemoExercise {
                id: entry.id,
                lesson: entry.lesson,
                files,
            });
        }
        if problems.is_empty() {
            Ok(built)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::bank::manifest::tests::ProbeKinds;
    use crate::bank::outline::{self, tests::ONE_MODULE};

    fn bank(demo: &str) -> Bank {
        let manifest = "format-version = 1\ntitle = \"T\"\nmodule = 1\nfiles = [\"a.py\"]\nhints = [\"h\"]\n[[check]]\nkind = \"quick\"\npoints = 1\n";
        let files = [
            ("01-m/01-e/exercise.toml", manifest),
            ("01-m/01-e/README.md", "# T\n"),
            ("01-m/01-e/starter/a.py", "x = 0\n"),
            ("01-m/01-e/reference/a.py", "x = 1\ny = 2\n"),
            (FILE, demo),
            (outline::FILE, ONE_MODULE),
        ]
        .map(|(path, text)| (PathBuf::from(path), text.as_bytes().to_vec()));
        Bank::from_files("test".into(), files.to_vec(), &ProbeKinds).unwrap()
    }

    #[test]
    fn the_demo_is_the_references_with_its_edits() {
        let demo = "[[exercise]]\nid = \"01-m/01-e\"\nlesson = \"off by one\"\n[[exercise.edit]]\nfile = \"a.py\"\nfind = \"x = 1\"\nreplace = \"x = 2\"\n";
        let built = bank(demo).demo().unwrap().unwrap();
        assert_eq!(built[0].files["a.py"], b"x = 2\ny = 2\n");
        assert_eq!(built[0].lesson.as_deref(), Some("off by one"));
    }

    #[test]
    fn an_edit_that_no_longer_applies_is_a_problem() {
        let demo = "[[exercise]]\nid = \"01-m/01-e\"\n[[exercise.edit]]\nfile = \"a.py\"\nfind = \"x = 3\"\nreplace = \"x = 2\"\n";
        let problems = bank(demo).demo().unwrap().unwrap_err();
        assert!(
            problems[0].contains("no longer in the reference"),
            "{problems:?}"
        );
        let twice = demo.replace("x = 3", " = ");
        let problems = bank(&twice).demo().unwrap().unwrap_err();
        assert!(problems[0].contains("occurs 2 times"), "{problems:?}");
    }
}
