//! The pipeline's arrows point one way: a module uses only modules below it. The layers, bottom
//! first, are listed here and in `src/lib.rs`; a `crate::X` path in a module (tests included)
//! must name its own module or one of a lower layer.

use std::path::Path;

/// Top-level modules by layer, bottom first.
const LAYERS: &[&[&str]] = &[
    &["source", "iamdata"],
    &["diagnostic", "syntax"],
    &["fingerprint", "policy"],
    &["extract"],
    &["rules"],
    &["custom"],
    &["settings"],
    &["walk", "suppress"],
    &["outcome"],
    &["baseline", "changed", "output"],
    &["run"],
    &["fix"],
    &["server"],
];

/// Names `lib.rs` re-exports at the crate root, and the layer of the module they come from.
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("Outcome", "outcome"),
    ("run", "run"),
    ("lint_text", "run"),
    ("lint_source", "run"),
    ("run_bytes", "run"),
    ("apply_filters", "run"),
    ("Filters", "run"),
    ("REPOSITORY", "source"),
    ("version_line", "iamdata"),
];

fn layer(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|l| l.contains(&module))
        .unwrap_or_else(|| panic!("module `{module}` is in no layer: add it to LAYERS"))
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn ident(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// The top-level names after `crate::`: one (`crate::rules::Rule`), or each of a group
/// (`crate::{baseline, rules::Rule}`, on one line).
fn used_names(after: &str) -> Vec<String> {
    let Some(group) = after.strip_prefix('{') else {
        return vec![ident(after)];
    };
    let (mut depth, mut names, mut start) = (0, Vec::new(), 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                names.push(ident(&group[start..i]));
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                names.push(ident(&group[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    names.retain(|n| !n.is_empty());
    names
}

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut wrong = Vec::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        // The crate root and the binary (with its command-line types) sit on top.
        if matches!(top.as_str(), "lib" | "main" | "cli") {
            continue;
        }
        let own = layer(&top);
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (at, _) in code.match_indices("crate::") {
                for name in used_names(&code[at + 7..]) {
                    let target = ROOT_ITEMS
                        .iter()
                        .find(|(item, _)| *item == name)
                        .map_or(name.as_str(), |(_, m)| m);
                    if target == top || target == "self" {
                        continue;
                    }
                    if layer(target) >= own {
                        wrong.push(format!(
                            "{}:{}: `{top}` uses `{target}`, which is not below it",
                            rel.display(),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
