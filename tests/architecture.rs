//! The house keeps its shape: `src/` is built in floors that follow the pipeline, and each
//! top-level module imports only from its own floor or the floors below it, with no circle
//! among them, nor among the files of one folder.
//!
//! Every path a file names (`use` items and paths in code alike) that starts with `crate::`,
//! `super::`, `self::` or a child module is resolved to the module it names. A `mod`
//! declaration is not an import, and test code (`#[cfg(test)]`) is not part of the house.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// The floors, top first: a module may import from its own floor and those below it.
const FLOORS: &[&[&str]] = &[
    &["main", "cli", "commands", "settings"],
    &["report", "workspace", "cohort"],
    &["engine"],
    &["checks"],
    &["bank"],
    &["contain"],
    &["protocol", "grade", "toolchain", "stats", "exit", "files"],
];

/// A module's path from the crate root, e.g. `["checks", "pytest"]`; `main.rs` is `[]`.
type Module = Vec<String>;

/// The paths one file names outside its test code, each with the inline module it sits in.
#[derive(Default)]
struct Paths {
    inline: Vec<String>,
    found: Vec<(Vec<String>, Vec<String>)>,
    /// Child modules declared `#[cfg(test)] mod name;`.
    test_children: Vec<String>,
}

fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr
                .parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

impl Paths {
    fn tree(&mut self, prefix: Vec<String>, tree: &syn::UseTree) {
        let with = |ident: &syn::Ident| {
            let mut path = prefix.clone();
            if ident != "self" {
                path.push(ident.to_string());
            }
            path
        };
        match tree {
            syn::UseTree::Path(p) => self.tree(with(&p.ident), &p.tree),
            syn::UseTree::Name(n) => self.push(with(&n.ident)),
            syn::UseTree::Rename(r) => self.push(with(&r.ident)),
            syn::UseTree::Glob(_) => self.push(prefix),
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.tree(prefix.clone(), tree);
                }
            }
        }
    }

    fn push(&mut self, path: Vec<String>) {
        self.found.push((self.inline.clone(), path));
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(u) => &u.attrs,
            syn::Item::Struct(s) => &s.attrs,
            syn::Item::Enum(e) => &e.attrs,
            syn::Item::Const(c) => &c.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if is_test(attrs) {
            if let syn::Item::Mod(m) = item
                && m.content.is_none()
            {
                self.test_children.push(m.ident.to_string());
            }
            return;
        }
        match item {
            syn::Item::Mod(m) if m.content.is_some() => {
                self.inline.push(m.ident.to_string());
                syn::visit::visit_item_mod(self, m);
                self.inline.pop();
            }
            syn::Item::Use(u) => self.tree(Vec::new(), &u.tree),
            _ => syn::visit::visit_item(self, item),
        }
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
}

struct Source {
    module: Module,
    paths: Paths,
}

fn read_sources(src: &Path) -> Vec<Source> {
    let mut sources = Vec::new();
    for entry in walkdir::WalkDir::new(src).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let mut module: Module = path
            .strip_prefix(src)
            .unwrap()
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if matches!(module.last().map(String::as_str), Some("mod" | "main")) {
            module.pop();
        }
        let text = std::fs::read_to_string(path).unwrap();
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut paths = Paths::default();
        paths.visit_file(&file);
        sources.push(Source { module, paths });
    }
    // Files that only tests declare are test code.
    let tests: BTreeSet<Module> = sources
        .iter()
        .flat_map(|s| {
            s.paths.test_children.iter().map(|child| {
                let mut module = s.module.clone();
                module.push(child.clone());
                module
            })
        })
        .collect();
    sources.retain(|s| !tests.contains(&s.module));
    sources
}

/// The module of `modules` that `path`, written in module `from`, names; `None` for paths
/// outside the crate (std, other crates, local names) and for `from` itself.
fn resolve(from: &Module, path: &[String], modules: &BTreeSet<Module>) -> Option<Module> {
    let ups = path.iter().take_while(|s| *s == "super").count();
    let (mut module, rest) = match path.first()?.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (from.clone(), &path[1..]),
        "super" => (from[..from.len().checked_sub(ups)?].to_vec(), &path[ups..]),
        // A child module named without `self::`.
        first => {
            let mut child = from.clone();
            child.push(first.to_string());
            if !modules.contains(&child) {
                return None;
            }
            (from.clone(), path)
        }
    };
    // A bare `crate`, `self` or `super` names no item: `pub(crate)`, for one.
    if rest.is_empty() {
        return None;
    }
    for segment in rest {
        module.push(segment.clone());
        if !modules.contains(&module) {
            module.pop();
            break;
        }
    }
    (module != *from).then_some(module)
}

fn name(module: &Module) -> String {
    if module.is_empty() {
        "main".into()
    } else {
        module.join("::")
    }
}

/// The top-level module a module belongs to: its room in the house.
fn room(module: &Module) -> String {
    module.first().cloned().unwrap_or_else(|| "main".into())
}

fn floor(room: &str) -> usize {
    FLOORS
        .iter()
        .position(|floor| floor.contains(&room))
        .unwrap_or_else(|| {
            panic!("src/{room} is on no floor: add it to FLOORS in tests/architecture.rs")
        })
}

/// Every module's imports, as modules.
fn imports() -> BTreeMap<Module, BTreeSet<Module>> {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let sources = read_sources(&src);
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for source in &sources {
        let targets = edges.entry(source.module.clone()).or_default();
        for (inline, path) in &source.paths.found {
            let mut from = source.module.clone();
            from.extend(inline.iter().cloned());
            if let Some(target) = resolve(&from, path, &modules)
                && target != source.module
            {
                targets.insert(target);
            }
        }
    }
    edges
}

/// A circle in `edges`, if there is one.
fn circle<N: Ord + Clone>(edges: &BTreeMap<N, BTreeSet<N>>) -> Option<Vec<N>> {
    fn visit<N: Ord + Clone>(
        at: &N,
        edges: &BTreeMap<N, BTreeSet<N>>,
        done: &mut BTreeSet<N>,
        stack: &mut Vec<N>,
    ) -> Option<Vec<N>> {
        if let Some(start) = stack.iter().position(|n| n == at) {
            let mut found = stack[start..].to_vec();
            found.push(at.clone());
            return Some(found);
        }
        if done.contains(at) {
            return None;
        }
        stack.push(at.clone());
        for next in edges.get(at).into_iter().flatten() {
            if let Some(found) = visit(next, edges, done, stack) {
                return Some(found);
            }
        }
        stack.pop();
        done.insert(at.clone());
        None
    }
    let mut done = BTreeSet::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut done, &mut Vec::new()))
}

#[test]
fn no_module_imports_from_a_floor_above_it() {
    let mut upward = Vec::new();
    for (from, targets) in imports() {
        for to in targets {
            if floor(&room(&to)) < floor(&room(&from)) {
                upward.push(format!("{} imports {}", name(&from), name(&to)));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports from a floor above:\n{}",
        upward.join("\n")
    );
}

#[test]
fn the_rooms_of_src_import_each_other_in_no_circle() {
    let mut rooms: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in imports() {
        let from = room(&from);
        let entry = rooms.entry(from.clone()).or_default();
        entry.extend(targets.iter().map(room).filter(|to| *to != from));
    }
    if let Some(found) = circle(&rooms) {
        panic!("an import circle: {}", found.join(" -> "));
    }
}

#[test]
fn the_files_of_one_folder_import_each_other_in_no_circle() {
    // A folder's `mod.rs` is its front door: it declares the files and names what they offer
    // to the floors above. Circles are looked for among the files behind it.
    let mut files: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (from, targets) in imports() {
        let entry = files.entry(from.clone()).or_default();
        entry.extend(targets.into_iter().filter(|to| {
            from.len() > 1 && to.len() == from.len() && to[..to.len() - 1] == from[..from.len() - 1]
        }));
    }
    if let Some(found) = circle(&files) {
        let found: Vec<String> = found.iter().map(name).collect();
        panic!("an import circle: {}", found.join(" -> "));
    }
}

#[test]
fn the_check_finds_an_upward_import_and_a_circle() {
    let modules: BTreeSet<Module> = [vec![], vec!["bank".into()], vec!["checks".into()]]
        .into_iter()
        .collect();
    let bank: Module = vec!["bank".into()];
    let path: Vec<String> = ["crate", "checks", "Registry"].map(String::from).to_vec();
    assert_eq!(resolve(&bank, &path, &modules), Some(vec!["checks".into()]));
    assert!(floor("checks") < floor("bank"), "checks sits above bank");
    let edges: BTreeMap<&str, BTreeSet<&str>> = [("a", ["b"].into()), ("b", ["a"].into())].into();
    assert_eq!(circle(&edges), Some(vec!["a", "b", "a"]));
}
