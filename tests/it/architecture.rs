//! The architecture, checked: the library's top-level modules form layers
//! whose imports point one way (no cycles), and no source file (Rust, and
//! the C and C++ of `examples-c/`) grows past 700 lines. `ARCHITECTURE.md` describes the layers; [`LAYERS`] is the
//! order this test enforces.
//!
//! The imports are read from the source text: every `crate::name` path (and
//! each name in a `crate::{a, b::c}` group) outside comments, in every file
//! of a module, is an edge from that module to `name`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest layer first: each may use only
/// the modules before it.
const LAYERS: [&str; 11] = [
    "error", "kinds", "simd", "format", "text", "model", "train", "spectral", "plot", "lesson",
    "ffi",
];

/// Siblings of one layer: neither imports the other (both stand on the
/// layers below, and what both need goes down).
const SIBLINGS: [(&str, &str); 1] = [("train", "spectral")];

/// The longest a function may be in these folders of `src/`.
const MAX_FN_LINES: (usize, [&str; 2]) = (150, ["train", "format"]);

/// The longest a source file may be.
const MAX_LINES: usize = 700;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` (recursively, `build/` output aside) whose
/// extension is one of `exts`.
fn source_files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let path = e.unwrap().path();
        if path.is_dir() {
            if !path.ends_with("build") {
                source_files(&path, exts, out);
            }
        } else if path
            .extension()
            .is_some_and(|x| exts.iter().any(|e| x == *e))
        {
            out.push(path);
        }
    }
}

/// The text of `src` without `//` comments (doc comments included): a doc
/// link to another layer is not an import.
fn code(src: &str) -> String {
    src.lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string literal would cut a line short; the
            // crate has none on a line that also imports.
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules named after each `crate::` in `code`.
fn crate_refs(code: &str) -> BTreeSet<String> {
    path_refs(code, "crate::")
}

/// The first name after each `prefix` (`crate::`, `super::`,
/// `crate::train::`) in `code`, and each first name of a `prefix{a, b::c}`
/// group.
fn path_refs(code: &str, prefix: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices(prefix) {
        // `w2v_crate::x` or `$crate::x` are not this crate's paths.
        let before = code[..i].chars().last();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::b, c}`: the first name of each top-level item.
            let (mut depth, mut start) = (0usize, 0usize);
            for (j, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.insert(ident(group[start..j].trim_start()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(group[start..j].trim_start()));
                        start = j + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.remove("");
    out
}

/// For each top-level module of the library, the modules it imports.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("src");
    let mut files = Vec::new();
    source_files(&src, &["rs"], &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        if first == "bin" || first == "lib.rs" {
            continue; // the application, and the root's re-exports
        }
        let module = first.trim_end_matches(".rs").to_string();
        let refs = crate_refs(&code(&std::fs::read_to_string(&f).unwrap()));
        let deps = graph.entry(module.clone()).or_default();
        deps.extend(refs.into_iter().filter(|r| *r != module));
    }
    graph
}

/// A cycle in `graph`, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_reader_sees_imports_in_every_form() {
    let refs = crate_refs(&code(
        "use crate::simd::Kernels;\n\
         use crate::{error::Error, format::{native, MAX_DIM}, text};\n\
         let x = crate::model::query::f(); // crate::train in a comment\n\
         /// [`crate::ffi`] in a doc comment\n\
         macro_rules! m { () => { $crate::nothing } }",
    ));
    let want: BTreeSet<String> = ["simd", "error", "format", "text", "model"]
        .map(String::from)
        .into();
    assert_eq!(refs, want);
}

#[test]
fn top_level_modules_form_layers_without_cycles() {
    let graph = module_graph();
    eprintln!("module graph: {graph:?}");
    let modules: BTreeSet<&str> = graph.keys().map(String::as_str).collect();
    let layers: BTreeSet<&str> = LAYERS.into_iter().collect();
    assert_eq!(
        modules, layers,
        "every top-level module of src/ has a place in LAYERS (and ARCHITECTURE.md)"
    );
    assert_eq!(
        find_cycle(&graph),
        None,
        "a cycle between top-level modules"
    );
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    for (m, deps) in &graph {
        for d in deps {
            let (Some(a), Some(b)) = (rank(m), rank(d)) else {
                panic!("`{m}` imports `crate::{d}`, which is not a module of LAYERS");
            };
            assert!(b < a, "`{m}` imports `{d}`, a layer above it");
        }
    }
    // The check is not vacuous: the layers do use each other.
    assert!(graph["train"].contains("model") && graph["model"].contains("format"));
}

#[test]
fn a_cycle_would_be_found() {
    let mut graph = module_graph();
    graph.get_mut("simd").unwrap().insert("train".into());
    let cycle = find_cycle(&graph).expect("simd -> train -> simd");
    assert!(cycle.contains(&"simd".to_string()) && cycle.contains(&"train".to_string()));
}

#[test]
fn no_source_file_is_over_700_lines() {
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "examples-c"] {
        source_files(&root().join(dir), &["rs", "c", "h", "cpp"], &mut files);
    }
    files.push(root().join("build.rs"));
    assert!(files.len() > 50, "found only {} files", files.len());
    let long: Vec<String> = files
        .iter()
        .map(|f| (f, std::fs::read_to_string(f).unwrap().lines().count()))
        .filter(|&(_, n)| n > MAX_LINES)
        .map(|(f, n)| format!("{} ({n} lines)", f.display()))
        .collect();
    assert!(long.is_empty(), "over {MAX_LINES} lines: {long:?}");
}

/// The files of folder `dir` (a module's folder, or a crate's root folder)
/// as rooms, and the imports between them: `super::x`, `crate::PATH::x`
/// (`PATH` the folder's module path, empty at a crate's root) and
/// `self::x`. A folder's `mod.rs` (or the crate root, or a module's own
/// file above its folder) holds what its files share and is not a room.
fn sibling_graph(dir: &Path, module_path: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut rooms = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return rooms;
    };
    let mut names = BTreeSet::new();
    let mut files = Vec::new();
    for e in entries {
        let path = e.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            names.insert(name);
        } else if path.extension().is_some_and(|x| x == "rs")
            && !["mod", "lib", "main"].contains(&name.as_str())
        {
            names.insert(name.clone());
            files.push((name, path));
        }
    }
    for (name, path) in files {
        let text = code(&std::fs::read_to_string(&path).unwrap());
        let mut refs = path_refs(&text, "super::");
        refs.extend(path_refs(&text, "self::"));
        let crate_prefix = if module_path.is_empty() {
            "crate::".to_string()
        } else {
            format!("crate::{module_path}::")
        };
        refs.extend(path_refs(&text, &crate_prefix));
        // `super::` in a file of a crate's root folder names nothing.
        let deps = refs
            .into_iter()
            .filter(|r| *r != name && names.contains(r))
            .collect();
        rooms.insert(name, deps);
    }
    rooms
}

/// Every folder of `src/` with its module path: the library's modules
/// (`train`, `train/checkpoint`...) and the application's (`src/bin/w2v` is
/// its crate root).
fn folders() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, path: &str, out: &mut Vec<(PathBuf, String)>) {
        out.push((dir.to_path_buf(), path.to_string()));
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                let name = p.file_name().unwrap().to_string_lossy().to_string();
                let sub = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}::{name}")
                };
                walk(&p, &sub, out);
            }
        }
    }
    let src = root().join("src");
    let mut out = vec![(src.clone(), String::new())];
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() && name != "bin" {
            walk(&p, &name, &mut out);
        }
    }
    walk(&src.join("bin/w2v"), "", &mut out);
    out
}

#[test]
fn no_folder_of_src_has_an_import_circle_between_its_files() {
    let mut rooms = 0;
    let mut edges = 0;
    for (dir, path) in folders() {
        let graph = sibling_graph(&dir, &path);
        rooms += graph.len();
        edges += graph.values().map(BTreeSet::len).sum::<usize>();
        assert_eq!(
            find_cycle(&graph),
            None,
            "an import circle between the files of {}",
            dir.display()
        );
    }
    // Not vacuous: the library's and the application's rooms are read.
    assert!(rooms > 60 && edges > 40, "{rooms} rooms, {edges} imports");
    let app = sibling_graph(&root().join("src/bin/w2v"), "");
    assert!(app["train"].contains("progress"), "{app:?}");
    let train = sibling_graph(&root().join("src/train"), "train");
    assert!(train["trainer"].contains("run"), "{train:?}");
}

#[test]
fn a_circle_between_files_would_be_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.rs"), "use super::b::B;\n").unwrap();
    std::fs::write(dir.path().join("b.rs"), "use crate::m::{c, a::A};\n").unwrap();
    std::fs::write(dir.path().join("c.rs"), "// super::a in a comment\n").unwrap();
    let graph = sibling_graph(dir.path(), "m");
    assert_eq!(graph["b"], ["a", "c"].map(String::from).into());
    assert!(find_cycle(&graph).is_some(), "{graph:?}");
}

#[test]
fn siblings_do_not_import_each_other() {
    let graph = module_graph();
    for (a, b) in SIBLINGS {
        assert!(!graph[a].contains(b), "`{a}` imports `{b}`, its sibling");
        assert!(!graph[b].contains(a), "`{b}` imports `{a}`, its sibling");
    }
}

/// Each function of `text` (a line `fn name`, to the line that closes it at
/// the same indentation) longer than `max` lines, with its length.
fn long_functions(text: &str, max: usize) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        let indent = &l[..l.len() - t.len()];
        let Some(at) = t.find("fn ") else { continue };
        let head = &t[..at];
        let is_fn = head.split_whitespace().all(|w| {
            [
                "pub",
                "pub(crate)",
                "pub(super)",
                "const",
                "unsafe",
                "extern",
                "\"C\"",
            ]
            .contains(&w)
        });
        if !is_fn || t.ends_with(';') {
            continue;
        }
        let name: String = t[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        if let Some(n) = lines[i..].iter().position(|x| *x == close)
            && n + 1 > max
        {
            out.push((name, n + 1));
        }
    }
    out
}

#[test]
fn no_function_in_train_or_format_is_over_150_lines() {
    let (max, dirs) = MAX_FN_LINES;
    let mut files = Vec::new();
    for d in dirs {
        source_files(&root().join("src").join(d), &["rs"], &mut files);
    }
    assert!(files.len() > 15, "found only {} files", files.len());
    let long: Vec<String> = files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            long_functions(&text, max)
                .into_iter()
                .map(move |(name, n)| format!("{}: {name} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "over {max} lines: {long:?}");
    let sample = "fn short() {\n}\n\npub(crate) fn long() {\n    x;\n    y;\n}\n";
    assert_eq!(long_functions(sample, 3), vec![("long".to_string(), 4)]);
}

#[test]
fn the_library_depends_on_no_crate_only_the_command_line_uses() {
    let toml = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    for dep in ["clap", "indicatif", "plotters"] {
        let line = toml
            .lines()
            .find(|l| l.starts_with(&format!("{dep} = ")))
            .unwrap_or_else(|| panic!("{dep} is not a dependency"));
        assert!(line.contains("optional = true"), "{line}");
    }
    let feature = |name: &str| {
        toml.lines()
            .find(|l| l.starts_with(&format!("{name} = [")))
            .unwrap_or_else(|| panic!("no `{name}` feature"))
            .to_string()
    };
    let (cli, plot) = (feature("cli"), feature("plot"));
    for dep in ["clap", "indicatif"] {
        assert!(cli.contains(&format!("dep:{dep}")), "{cli}");
    }
    // plotters comes with the library's figures, which the command line turns on.
    assert!(
        plot.contains("dep:plotters") && cli.contains("\"plot\""),
        "{cli} / {plot}"
    );
    assert!(toml.contains("required-features = [\"cli\"]"));
}
