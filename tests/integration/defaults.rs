//! The defaults the docs state are the reader's defaults.
//!
//! Each default of the field tables of `docs/scenario-format.md` that is a
//! value (not "required", "no cap", "see table below", ...) is checked
//! against the reader: a small scenario that leaves the field out must read
//! the same as one that writes the documented default, and a different
//! value must read differently (so that the comparison can see the field).
//! The values `scenarios/yunnan-baseline.toml` writes are checked the same
//! way: each restates the reader's default, except the few the baseline
//! means to change.

use mcstress_scenario::Scenario;

use crate::support::root;

/// One row of a field table of the format doc.
struct Row {
    field: String,
    default: String,
    allowed: String,
}

/// The rows of every `| field | unit | default | allowed | meaning |` table.
fn doc_rows() -> Vec<Row> {
    let doc = std::fs::read_to_string(root().join("docs/scenario-format.md")).expect("the format doc");
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in doc.lines() {
        if line.starts_with("| field | unit | default | allowed | meaning |") {
            in_table = true;
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if !in_table || cells.len() < 6 || !cells[1].starts_with('`') {
            continue;
        }
        rows.push(Row {
            field: cells[1].trim_matches('`').to_string(),
            default: cells[3].to_string(),
            allowed: cells[4].to_string(),
        });
    }
    rows
}

/// The TOML value of a default cell that states one (`` `36` ``, `` `"npl"` ``,
/// `` `0.0` (off) ``); `None` for "required", "no cap", "see below", ...
fn literal(cell: &str) -> Option<String> {
    let rest = cell.strip_prefix('`')?;
    let end = rest.find('`')?;
    let after = rest[end + 1..].trim();
    (after.is_empty() || after.starts_with('(')).then(|| rest[..end].to_string())
}

/// A scenario with only the required fields (two prefectures of one
/// county each), plus `lines` (dotted `path = value` lines at the top
/// level) and extra fields of the first prefecture and county.
fn minimal(lines: &[String], prefecture: &str, county: &str) -> String {
    let mut text = String::new();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    text.push_str(&format!(
        "[geography]\nprefectures = [\n  {{ code = \"530100\", industry_mix = {{ other = 1.0 }}{prefecture} }},\n  \
         {{ code = \"530300\", industry_mix = {{ other = 1.0 }} }},\n]\ncounties = [\n  {{ code = \"530102\", \
         name = \"a\", prefecture = \"530100\"{county} }},\n  {{ code = \"530302\", name = \"b\", prefecture = \
         \"530300\" }},\n]\n"
    ));
    text
}

/// What a field needs around it so that its value shows in the scenario:
/// a bank first loss is only read under its activation, an activation
/// threshold only under a ratio activation, a ratio only under
/// a ratio top-up, the trigger and mix only under the endowment top-up, an
/// annual cap's base and excess only under the cap, a third party's limit
/// only with a third party, and loans need eligible households.
fn context(field: &str) -> (Vec<String>, &'static str) {
    match field {
        "rules.compensation.bank_first_loss_yuan" => {
            (vec!["rules.compensation.activation = \"bank_first_loss\"".into()], "")
        }
        "rules.compensation.activation_threshold" => {
            (vec!["rules.compensation.activation = \"county_overdue_ratio\"".into()], "")
        }
        "rules.fund.top_up_ratio" => (vec!["rules.fund.top_up = \"annual_to_ratio\"".into()], ""),
        "rules.compensation.annual_cap_of" | "rules.compensation.annual_cap_excess" => {
            (vec!["rules.compensation.annual_cap_share = 0.3".into()], "")
        }
        "rules.compensation.third_party_limit_yuan" | "rules.compensation.third_party_limit_period" => {
            (vec!["rules.compensation.third_party_share = 0.2".into()], "")
        }
        "rules.fund.top_up_trigger" | "rules.fund.top_up_mix" => {
            (vec!["rules.fund.top_up = \"below_endowment\"".into()], "")
        }
        "geography.counties[].loans" => (Vec::new(), ", eligible_households = 100"),
        _ => (Vec::new(), ""),
    }
}

/// The scenario text with `field` set to `value` (`None`: left out).
pub(crate) fn with_field(field: &str, value: Option<&str>) -> String {
    let (mut lines, around_county) = context(field);
    let mut county = around_county.to_string();
    let mut prefecture = String::new();
    let set = |v: &str, key: &str| value.map_or(String::new(), |_| format!(", {key} = {v}"));
    let v = value.unwrap_or("");
    if let Some(key) = field.strip_prefix("geography.counties[].") {
        county.push_str(&set(v, key));
    } else if let Some(key) = field.strip_prefix("geography.prefectures[].") {
        prefecture.push_str(&set(v, key));
    } else if let Some(key) = field.strip_prefix("shocks.events[].") {
        lines.push(format!("shocks.events = [{{ kind = \"drought\", month = \"2024-03\"{} }}]", set(v, key)));
    } else if let Some(key) = field.strip_prefix("portfolio.amounts[].") {
        lines.push(format!("portfolio.amounts = [{{ yuan = 50000, share = 1.0{} }}]", set(v, key)));
    } else if let Some(key) = field.strip_prefix("rules.compensation.fund_share_by_npl[].") {
        lines.push(format!(
            "rules.compensation.fund_share_by_npl = [{{ npl_up_to = 1.0, fund_share = 0.7{} }}]",
            set(v, key)
        ));
    } else if let Some(key) = field.strip_prefix("rules.service.exits[].") {
        lines.push(format!(
            "rules.service.exits = [{{ month = \"2024-03\", counties = [\"530102\"]{} }}]",
            set(v, key)
        ));
    } else if let Some(key) = field.strip_prefix("rules.demand.first_loan_amounts[].") {
        lines.push(format!(
            "rules.demand.first_loan_amounts = [{{ yuan = 50000, share = 1.0{} }}]",
            set(v, key)
        ));
    } else if let Some(key) = field.strip_prefix("rates.lpr[].") {
        lines.push(format!("rates.lpr = [{{ from = \"2024-07\", rate = 0.03{} }}]", set(v, key)));
    } else if let Some(key) = field.strip_prefix("timeline[].") {
        lines.push(format!("timeline = [{{ month = \"2024-03\"{} }}]", set(v, key)));
    } else if let Some(v) = value {
        lines.push(format!("{field} = {v}"));
    }
    minimal(&lines, &prefecture, &county)
}

pub(crate) fn read(text: &str) -> Result<Scenario, String> {
    mcstress_scenario::from_str("defaults.toml", text, None)
        .map(|l| Scenario { sha256: String::new(), ..l.scenario })
        .map_err(|e| e.to_string())
}

/// Values other than `default` for a field, to show the field is seen.
fn others(default: &str, allowed: &str) -> Vec<String> {
    if default == "true" || default == "false" {
        return vec![(if default == "true" { "false" } else { "true" }).to_string()];
    }
    if default.starts_with('"') {
        let mut out: Vec<String> = allowed
            .split('`')
            .filter(|s| s.starts_with('"') && s.ends_with('"') && *s != default)
            .map(str::to_string)
            .collect();
        out.extend(["\"2025-06\"".to_string(), "\"x\"".to_string()]);
        return out;
    }
    if default.starts_with('[') {
        return [
            "[\"530102\"]",
            "[\"530100\"]",
            "[{ kind = \"drought\", month = \"2024-03\" }]",
            "[{ month = \"2024-03\", counties = [\"530102\"] }]",
        ]
        .map(str::to_string)
        .to_vec();
    }
    if let Ok(d) = default.parse::<i64>() {
        return [d + 1, d - 1, d * 2, 1, 2].map(|x| x.to_string()).to_vec();
    }
    if let Ok(d) = default.parse::<f64>() {
        let c = if d == 0.0 { vec![0.5, 0.1, 1.0, 2.0] } else { vec![d * 0.5, d * 1.5, d + 0.1, 0.5, 2.0] };
        return c.into_iter().map(|x| format!("{x:?}")).collect();
    }
    Vec::new()
}

/// The checks of one field (or one whole mix) written as `value`, with
/// `others` as values that must read differently. Returns the problem, if
/// any, naming the field.
fn check(field: &str, value: &str, others: &[String]) -> Option<String> {
    let absent = match read(&with_field(field, None)) {
        Ok(s) => s,
        Err(e) => return Some(format!("{field}: the scenario without it does not load: {e}")),
    };
    match read(&with_field(field, Some(value))) {
        Err(e) => return Some(format!("{field}: the documented default {value} is refused: {e}")),
        Ok(s) if s != absent => {
            return Some(format!("{field}: the documented default {value} is not the reader's default"));
        }
        Ok(_) => {}
    }
    let seen = others.iter().any(|o| read(&with_field(field, Some(o))).is_ok_and(|s| s != absent));
    (!seen).then(|| {
        format!("{field}: no other value ({others:?}) changes the scenario, so the check cannot see it")
    })
}

/// Fields with a stated default that cannot be checked on their own.
const ALONE_UNCHECKABLE: [(&str, &str); 3] = [
    (
        "shocks.events[].townships",
        "a footprint by name holds only townships of the counties its event hits (tests/integration/footprints.rs)",
    ),
    (
        "portfolio.amounts[].share",
        "the shares of the amounts must sum to 1, so one share cannot change alone",
    ),
    (
        "rules.demand.first_loan_amounts[].share",
        "the shares of the amounts must sum to 1, so one share cannot change alone",
    ),
];

#[test]
fn every_default_the_format_doc_states_is_the_readers_default() {
    let rows = doc_rows();
    assert!(rows.len() > 150, "the doc's field tables have {} rows", rows.len());
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut mixes: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for row in &rows {
        let Some(value) = literal(&row.default) else { continue };
        if ALONE_UNCHECKABLE.iter().any(|(f, _)| *f == row.field) {
            continue;
        }
        // The keys of a mix are only valid together (they sum to 1).
        if let Some((parent, key)) = row.field.rsplit_once('.')
            && parent.ends_with("_mix")
        {
            match mixes.iter_mut().find(|(p, _)| p == parent) {
                Some((_, keys)) => keys.push((key.to_string(), value)),
                None => mixes.push((parent.to_string(), vec![(key.to_string(), value)])),
            }
            continue;
        }
        checked += 1;
        problems.extend(check(&row.field, &value, &others(&value, &row.allowed)));
    }
    for (mix, keys) in &mixes {
        let table = |vals: Vec<&String>| {
            let parts: Vec<String> = keys.iter().zip(vals).map(|((k, _), v)| format!("{k} = {v}")).collect();
            format!("{{ {} }}", parts.join(", "))
        };
        let values: Vec<&String> = keys.iter().map(|(_, v)| v).collect();
        let mut rotated = values.clone();
        rotated.rotate_right(1);
        checked += keys.len();
        problems.extend(check(mix, &table(values), &[table(rotated)]));
    }
    assert!(problems.is_empty(), "defaults of docs/scenario-format.md:\n  {}", problems.join("\n  "));
    assert!(checked >= 100, "only {checked} documented defaults were checked");
    for (field, _) in ALONE_UNCHECKABLE {
        assert!(rows.iter().any(|r| r.field == field), "{field} is no longer in the doc");
    }
}

/// The values of `scenarios/yunnan-baseline.toml` outside `[geography]` and
/// `[variants.*]`: (dotted field path, value as written).
fn baseline_values() -> Vec<(String, String)> {
    let text = mcstress_scenario::EMBEDDED_TEXT;
    let mut out = Vec::new();
    let mut table = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let line = strip_comment(line).trim().to_string();
        if let Some(h) = line.strip_prefix('[') {
            table = h.trim_end_matches(']').to_string();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        let mut value = value.trim().to_string();
        // A value over several lines (an array): up to its closing bracket.
        while value.matches('[').count() > value.matches(']').count() {
            let next = lines.next().expect("the array closes");
            value.push(' ');
            value.push_str(strip_comment(next).trim());
        }
        if table.starts_with("variants") || table == "geography" {
            continue;
        }
        out.push((format!("{table}.{}", key.trim()), value));
    }
    out
}

fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

/// The values the baseline sets on purpose to something else than the
/// reader's default.
const BASELINE_OWN: [&str; 5] =
    ["scenario.name", "scenario.title_zh", "scenario.title_en", "scenario.description", "scenario.seed"];

#[test]
fn the_baseline_restates_the_readers_defaults_where_it_does_not_mean_to_change_them() {
    let values = baseline_values();
    assert!(values.len() > 50, "the baseline sets {} values: {values:?}", values.len());
    let mut problems = Vec::new();
    for (field, value) in &values {
        let absent = read(&with_field(field, None)).expect("the minimal scenario loads");
        let set = read(&with_field(field, Some(value)))
            .unwrap_or_else(|e| panic!("{field} = {value} of the baseline does not load: {e}"));
        let own = BASELINE_OWN.contains(&field.as_str());
        if own && set == absent {
            problems
                .push(format!("{field} = {value} is now the reader's default: drop it from BASELINE_OWN"));
        }
        if !own && set != absent {
            problems.push(format!(
                "{field} = {value} in scenarios/yunnan-baseline.toml is not the reader's default (change one, \
                 or list it in BASELINE_OWN if the baseline means to differ)"
            ));
        }
    }
    for f in BASELINE_OWN {
        assert!(values.iter().any(|(v, _)| v == f), "{f} is no longer set by the baseline");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The rows of the doc's table that follows the line starting with
/// `caption`: the first cell (without backquotes) and the others.
fn default_table(caption: &str) -> Vec<(String, Vec<String>)> {
    let doc = std::fs::read_to_string(root().join("docs/scenario-format.md")).expect("the format doc");
    let start = doc.find(caption).unwrap_or_else(|| panic!("the doc has {caption:?}"));
    doc[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| {
            let cells: Vec<String> = l.split('|').map(|c| c.trim().to_string()).collect();
            (cells[1].trim_matches('`').to_string(), cells[2..cells.len() - 1].to_vec())
        })
        .collect()
}

/// A number of the doc's tables (with a typographic minus).
fn number(cell: &str) -> f64 {
    cell.replace('−', "-").parse().unwrap_or_else(|_| panic!("a number: {cell:?}"))
}

#[test]
fn the_price_and_disaster_defaults_of_the_format_doc_are_the_readers() {
    let s = read(&with_field("scenario.name", None)).expect("the minimal scenario loads");
    let keys: Vec<&str> = mcstress_domain::Industry::ALL.iter().map(|i| i.key()).collect();
    let prices = default_table("Defaults (`default_price`");
    assert_eq!(prices.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), keys);
    for ((industry, cells), p) in prices.iter().zip(&s.shocks.prices) {
        let read =
            [p.volatility, p.mean_reversion, p.jump_probability, p.jump_mean, p.jump_sd, p.sensitivity];
        let doc: Vec<f64> = cells.iter().map(|c| number(c)).collect();
        assert_eq!(doc, read, "shocks.prices.{industry}: the doc's defaults against the reader's");
    }
    let disasters = default_table("Defaults (`default_disaster`");
    assert_eq!(disasters.len(), s.shocks.disasters.len());
    for ((kind, cells), d) in disasters.iter().zip(&s.shocks.disasters) {
        assert_eq!(kind, d.kind.key());
        let months: Vec<bool> = if cells[1].starts_with("all 12") {
            vec![true; 12]
        } else {
            let listed: Vec<usize> =
                cells[1].split(" (").next().unwrap().split(", ").map(|m| m.parse().unwrap()).collect();
            (1..=12).map(|m| listed.contains(&m)).collect()
        };
        let doc = (
            number(&cells[0]),
            months,
            number(&cells[2]),
            number(&cells[3]),
            number(&cells[4]),
            number(&cells[5]),
            number(&cells[6]),
        );
        let read = (
            d.annual_probability,
            d.months.to_vec(),
            d.county_share.get(),
            d.township_share.get(),
            d.distress_multiplier,
            d.persistence,
            f64::from(d.moratorium_months),
        );
        assert_eq!(doc, read, "shocks.disasters.{kind}: the doc's defaults against the reader's");
    }
    let exposures = default_table("Default exposures");
    assert_eq!(exposures.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), keys);
    for (i, (industry, cells)) in exposures.iter().enumerate() {
        for (d, cell) in s.shocks.disasters.iter().zip(cells) {
            assert_eq!(
                number(cell),
                d.exposure[i],
                "shocks.disasters.{}.exposure.{industry}: the doc's default against the reader's",
                d.kind.key()
            );
        }
    }
    let take_up = default_table("Default insurance take-up");
    assert_eq!(take_up.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), keys);
    for (i, (industry, cells)) in take_up.iter().enumerate() {
        assert_eq!(
            number(&cells[0]),
            s.shocks.insurance.take_up[i],
            "shocks.insurance.take_up.{industry}: the doc's default against the reader's"
        );
    }
}
