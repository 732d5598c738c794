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
const LAYERS: [&str; 8] = [
    "error", "simd", "format", "text", "model", "train", "spectral", "ffi",
];

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
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        // `w2v_crate::x` or `$crate::x` are not this crate's paths.
        let before = code[..i].chars().last();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[i + "crate::".len()..];
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
