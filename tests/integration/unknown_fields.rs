//! An unknown field is refused in every table of the format, and the
//! message lists exactly the fields that table's reader reads.

use std::collections::{BTreeMap, BTreeSet};

use crate::defaults::with_field;

/// Every table the reader knows (`""` for the top level, `a.b[]` for the
/// items of an array of tables) with the fields it reads.
fn tables() -> BTreeMap<String, BTreeSet<String>> {
    let known = mcstress_scenario::embedded_default(None).expect("the baseline loads").known_fields;
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for k in &known {
        let segs: Vec<&str> = k.split('.').collect();
        for i in 0..segs.len() {
            tables.entry(segs[..i].join(".")).or_default().insert(segs[i].trim_end_matches("[]").to_string());
        }
    }
    tables
}

/// A small scenario with the unknown field `key` in table `table`.
fn with_unknown(table: &str, key: &str) -> String {
    match table {
        "" => format!("{key} = 1\n{}", with_field("scenario.name", None)),
        "geography" => format!("{}{key} = 1\n", with_field("scenario.name", None)),
        // The minimal prefecture already has its (required) mix.
        "geography.prefectures[].industry_mix" => with_field("scenario.name", None).replacen(
            "industry_mix = { other = 1.0 }",
            &format!("industry_mix = {{ other = 1.0, {key} = 1 }}"),
            1,
        ),
        t => with_field(&format!("{t}.{key}"), Some("1")),
    }
}

#[test]
fn an_unknown_field_in_any_table_lists_the_fields_its_reader_reads() {
    let tables = tables();
    assert!(tables.len() > 40, "{} tables", tables.len());
    assert!(tables.contains_key("shocks.events[]") && tables.contains_key("rules.service.exits[]"));
    let mut problems = Vec::new();
    for (table, fields) in &tables {
        let near = fields.iter().next().expect("a table has fields");
        let typo = format!("{near}x");
        let text = with_unknown(table, &typo);
        let errors = match mcstress_scenario::from_str("u.toml", &text, None) {
            Ok(_) => {
                problems.push(format!("{table}: `{typo}` was accepted"));
                continue;
            }
            Err(e) => e.errors,
        };
        let Some(e) = errors.iter().find(|e| e.found == format!("unknown field `{typo}`")) else {
            problems.push(format!("{table}: no unknown-field error for `{typo}` in {errors:#?}"));
            continue;
        };
        let list = e.expected.strip_prefix("one of: ").expect("the allowed fields");
        let (list, hint) = list.split_once(" (did you mean `").unwrap_or((list, ""));
        let listed: BTreeSet<String> = list.split(", ").map(str::to_string).collect();
        if &listed != fields {
            problems.push(format!("{table}: lists {listed:?}, the reader reads {fields:?}"));
        }
        if !fields.contains(hint.trim_end_matches("`?)")) {
            problems.push(format!("{table}: `{typo}` is not matched to a field it is near: {}", e.expected));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
