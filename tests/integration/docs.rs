//! The documentation matches the code.

use crate::support::root;

const INDUSTRIES: [&str; 9] =
    ["cattle", "pigs", "tea", "coffee", "walnut", "tobacco", "fruit_veg", "migrant_wages", "other"];
const KINDS: [&str; 5] = ["drought", "flood", "frost", "earthquake", "livestock_disease"];

/// A field path as the format doc writes it: per-industry and per-kind
/// fields once, with `<industry>` and `<kind>` placeholders.
fn doc_form(path: &str) -> String {
    let segs: Vec<&str> = path.split('.').collect();
    let mut out = Vec::new();
    for (i, s) in segs.iter().enumerate() {
        let prev = if i > 0 { segs[i - 1] } else { "" };
        if INDUSTRIES.contains(s) && ["prices", "industry_mix", "exposure", "take_up"].contains(&prev) {
            out.push("<industry>");
        } else if KINDS.contains(s) && prev == "disasters" {
            out.push("<kind>");
        } else {
            out.push(s);
        }
    }
    out.join(".")
}

#[test]
fn scenario_format_doc_lists_every_field_the_reader_knows() {
    let doc =
        std::fs::read_to_string(root().join("docs/scenario-format.md")).expect("docs/scenario-format.md");
    let known = mcstress_scenario::embedded_default(None).unwrap().known_fields;
    assert!(known.len() > 100);
    let mut missing: Vec<String> = known
        .iter()
        .map(|k| doc_form(k))
        .chain(["extends".to_string(), "variants".to_string()])
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    missing.dedup();
    assert!(missing.is_empty(), "fields missing from docs/scenario-format.md: {missing:?}");
}

#[test]
fn every_field_the_format_doc_documents_is_one_the_reader_knows() {
    let doc =
        std::fs::read_to_string(root().join("docs/scenario-format.md")).expect("docs/scenario-format.md");
    let known: Vec<String> =
        mcstress_scenario::embedded_default(None).unwrap().known_fields.iter().map(|k| doc_form(k)).collect();
    // The first column of every field table: `| `path` | unit | default | ...`.
    let documented: Vec<&str> = doc
        .lines()
        .filter(|l| l.starts_with("| `") && l.split('|').count() >= 7)
        .filter_map(|l| l.split('|').nth(1))
        .map(|c| c.trim().trim_matches('`'))
        .filter(|f| f.contains('.') || ["extends", "variants"].contains(f))
        .collect();
    assert!(documented.len() > 150, "{} documented fields", documented.len());
    let unknown: Vec<&&str> = documented
        .iter()
        .filter(|f| !["extends", "variants", "variants.NAME"].contains(*f) && !known.iter().any(|k| k == *f))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/scenario-format.md documents fields the reader does not read: {unknown:?}"
    );
}

#[test]
fn every_doc_the_architecture_promises_exists() {
    for d in ["architecture", "model", "scenario-format", "outputs", "calibration", "performance"] {
        let p = root().join(format!("docs/{d}.md"));
        assert!(p.exists(), "{} missing", p.display());
    }
}

#[test]
fn readme_test_command_is_what_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    assert!(readme.contains("cargo test --workspace"));
    // CI runs that very command (its output piped on to total the counts).
    assert!(ci.lines().any(
        |l| l.trim() == "cargo test --workspace" || l.trim().starts_with("cargo test --workspace 2>&1 |")
    ));
}

#[test]
fn the_readme_walkthrough_scenario_validates_with_its_variant() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("```toml\n").expect("README has a TOML example") + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let example = &readme[start..end];
    // The example sits at the repository root, beside `scenarios/`.
    let dir = crate::support::scratch("readme");
    std::fs::create_dir_all(dir.join("scenarios")).unwrap();
    std::fs::copy(root().join("scenarios/yunnan-baseline.toml"), dir.join("scenarios/yunnan-baseline.toml"))
        .unwrap();
    let f = crate::support::write(&dir, "my-county-rules.toml", example);
    let (code, out, err) = crate::support::cli(&["validate", f.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("strict"), "{out}");
}
