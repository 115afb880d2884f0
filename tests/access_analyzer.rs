//! `docs/access-analyzer.md` maps every IAM Access Analyzer policy check to the iamlint rule that
//! covers it. Every rule it links must be a rule of the registry, and the coverage stated at its
//! top must be the table's own count.

use std::collections::BTreeSet;

fn page() -> String {
    std::fs::read_to_string("docs/access-analyzer.md").expect("docs/access-analyzer.md exists")
}

/// The table's rows: (finding type, check, iamlint cell).
fn rows(page: &str) -> Vec<(String, String, String)> {
    page.lines()
        .filter(|l| {
            l.starts_with("| ") && !l.starts_with("| finding type") && !l.starts_with("| ---")
        })
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 3, "a row has three cells: {l}");
            (
                cells[0].to_string(),
                cells[1].to_string(),
                cells[2].to_string(),
            )
        })
        .collect()
}

/// The rule names a cell links to (`[`name`](../rules/name.md)`).
fn linked_rules(cell: &str) -> Vec<&str> {
    cell.split("](../rules/")
        .skip(1)
        .filter_map(|s| s.split_once(".md)").map(|(name, _)| name))
        .collect()
}

#[test]
fn every_rule_named_exists() {
    let registry: BTreeSet<&str> = iamlint::rules::ALL
        .iter()
        .map(|r| r.meta().name.as_str())
        .collect();
    let page = page();
    let mut named = 0;
    for (_, check, cell) in rows(&page) {
        for name in linked_rules(&cell) {
            named += 1;
            assert!(
                registry.contains(name),
                "docs/access-analyzer.md names `{name}` for `{check}`, which is not a rule"
            );
        }
    }
    assert!(named > 100, "the table links its rules ({named} links)");
}

#[test]
fn the_stated_coverage_is_the_tables() {
    let page = page();
    let rows = rows(&page);
    let excluded = rows
        .iter()
        .filter(|(_, _, c)| c.starts_with("needs the account") || c.starts_with("obsolete:"))
        .count();
    let uncovered = rows
        .iter()
        .filter(|(_, _, c)| c.starts_with("not covered"))
        .count();
    let covered = rows
        .iter()
        .filter(|(_, _, c)| !linked_rules(c).is_empty())
        .count();
    assert_eq!(
        covered + uncovered + excluded,
        rows.len(),
        "each row is covered, not covered or excluded"
    );
    let offline = rows.len() - excluded;
    let stated = format!("**Coverage: {covered} of the {offline} checks");
    assert!(page.contains(&stated), "the page states `{stated}`");
    for ty in ["ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"] {
        assert!(rows.iter().any(|(t, _, _)| t == ty), "no {ty} check listed");
    }
}
