//! What the scenario loader says about bad input: money strings, `--set`
//! values, TOML syntax, deep `extends` chains, numbers in messages. Each
//! test checks the exact text a user reads.

use mcstress_scenario::{ResolveError, ScenarioError, Setting, SourceFile};

use crate::support::{cli, small_text};

/// Every problem of `text` (no `extends`), one rendered line each.
fn problems(name: &str, text: &str) -> Vec<String> {
    match mcstress_scenario::from_str(name, text, None) {
        Ok(_) => Vec::new(),
        Err(e) => lines(&e),
    }
}

fn lines(e: &ScenarioError) -> Vec<String> {
    e.errors.iter().map(|x| x.to_string()).collect()
}

fn set(field: &str, value: &str) -> Setting {
    Setting { field: field.into(), value: value.into() }
}

/// Problems of the embedded default with `settings`.
fn set_problems(settings: &[Setting]) -> Vec<String> {
    match mcstress_scenario::embedded_default_with(None, settings) {
        Ok(_) => Vec::new(),
        Err(e) => lines(&e),
    }
}

/// The small scenario with the first county's fund written as `value`;
/// returns the text and the 1-based column of the value on line 26.
fn with_first_fund(value: &str) -> (String, usize) {
    let old = "fund_yuan = \"6000000\"";
    let text = small_text().replacen(old, &format!("fund_yuan = {value}"), 1);
    let line = text.lines().nth(25).expect("the first county sits on line 26");
    let at = line.find("fund_yuan = ").expect("the fund is on line 26") + "fund_yuan = ".len();
    // Columns count characters: the county's name before it is in Chinese.
    let column = line[..at].chars().count() + 1;
    (text, column)
}

const FUND_EXPECTED: &str = "geography.counties[0].fund_yuan: expected an amount in yuan from 0.00 to \
     1000000000000.00, as an integer or a string such as \"1234.56\"";
const NOT_DECIMAL: &str = "not a decimal amount: digits (`_` only between two digits), then at most a \
     `.` and one or two decimals; no sign, exponent or spaces";

#[test]
fn a_money_string_must_be_a_plain_decimal() {
    for bad in ["1e3", "+5", " 5", "5.", ".5", "1_000_", "_5", "1__000", "5 yuan", "0x10"] {
        let (text, col) = with_first_fund(&format!("{bad:?}"));
        assert_eq!(
            problems("m.toml", &text),
            [format!("m.toml:26:{col}: {FUND_EXPECTED}, found {bad:?} ({NOT_DECIMAL})")],
            "{bad:?}"
        );
    }
}

#[test]
fn a_money_string_with_a_fraction_of_a_fen_says_so() {
    let (text, col) = with_first_fund("\"5.001\"");
    assert_eq!(
        problems("m.toml", &text),
        [format!(
            "m.toml:26:{col}: {FUND_EXPECTED}, found \"5.001\" (more than two decimal places (a fraction of a fen))"
        )]
    );
}

#[test]
fn a_negative_amount_is_refused_as_negative_even_minus_zero() {
    for bad in ["\"-0\"", "\"-0.00\"", "\"-5\""] {
        let (text, col) = with_first_fund(bad);
        assert_eq!(
            problems("m.toml", &text),
            [format!("m.toml:26:{col}: {FUND_EXPECTED}, found {bad} (a negative amount)")]
        );
    }
    let (text, col) = with_first_fund("-5");
    assert_eq!(
        problems("m.toml", &text),
        [format!("m.toml:26:{col}: {FUND_EXPECTED}, found -5 (a negative amount)")]
    );
}

#[test]
fn digit_groups_and_one_or_two_decimals_are_amounts() {
    for (good, fen) in [("\"6_000_000\"", 600_000_000), ("\"1234.5\"", 123_450), ("\"0.01\"", 1), ("7", 700)]
    {
        let (text, _) = with_first_fund(good);
        let s = mcstress_scenario::from_str("m.toml", &text, None).unwrap_or_else(|e| panic!("{good}: {e}"));
        assert_eq!(s.scenario.counties[0].fund.0, fen, "{good}");
    }
}

#[test]
fn a_bare_word_setting_of_a_string_field_is_a_string() {
    let s = mcstress_scenario::embedded_default_with(None, &[set("scenario.name", "hello world")])
        .expect("a bare value is a string for a string field");
    assert_eq!(s.scenario.name, "hello world");
    let (code, out, err) = cli(&["run", "--paths", "1", "--json", "--set", "scenario.name=hello world"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"name\": \"hello world\""), "{out}");
    // Quotes and backslashes inside the words survive as written.
    let s = mcstress_scenario::embedded_default_with(None, &[set("scenario.name", r"a \b c")]).unwrap();
    assert_eq!(s.scenario.name, r"a \b c");
}

#[test]
fn a_bare_word_setting_of_a_number_field_names_the_field_and_what_it_expects() {
    assert_eq!(
        set_problems(&[set("rules.compensation.fund_share", "hello world")]),
        ["--set:1:33: rules.compensation.fund_share: expected a number from 0 to 1, found \"hello world\""]
    );
    assert_eq!(
        set_problems(&[set("scenario.seed", "7 8")]),
        ["--set:1:17: scenario.seed: expected a whole number from 0 to 9223372036854775807, found \"7 8\""]
    );
}

#[test]
fn a_setting_meant_as_toml_keeps_its_syntax_error_with_the_field() {
    assert_eq!(
        set_problems(&[set("scenario.seed", "1"), set("rules.compensation.fund_share", "[1,")]),
        [
            "--set:2:36: rules.compensation.fund_share: expected a value in TOML syntax, found unclosed array, \
          expected `]`"
        ]
    );
}

#[test]
fn one_setting_sets_one_field_even_with_a_line_break_in_its_value() {
    assert_eq!(
        set_problems(&[set("rules.compensation.fund_share", "0.5\nscenario.seed = 3")]),
        ["--set: rules.compensation.fund_share: expected one value for this one field, found \
          \"0.5\\nscenario.seed = 3\", which sets other fields too"]
    );
    assert_eq!(
        set_problems(&[set("scenario.name", "\"a\"\n[rules.fund]\ntop_up = \"none\"")]).len(),
        1,
        "a table header inside a value"
    );
    // A value that is TOML across lines is still one value.
    let s = mcstress_scenario::embedded_default_with(None, &[set("portfolio.age_weights", "[1,\n2]")])
        .expect("a two-line array is one value");
    assert_eq!(s.scenario.portfolio.mix.age_weights, [1.0, 2.0]);
}

#[test]
fn a_setting_inside_an_array_is_blamed_on_the_setting() {
    assert_eq!(
        set_problems(&[set("geography.counties.0.fund_yuan", "5")]),
        [
            "--set:1:34: geography.counties.0.fund_yuan: expected a field outside arrays (`geography.counties` \
          is an array: --set cannot reach one of its elements; change it in a scenario file), found 5"
        ]
    );
    let (code, _, err) = cli(&["run", "--paths", "1", "--set", "geography.counties.0.fund_yuan=5"]);
    assert_eq!(code, 2);
    assert!(!err.contains("yunnan-baseline.toml"), "{err}");
}

#[test]
fn a_duplicate_key_is_named() {
    let text = "[scenario]\nname = \"a\"\nname = \"b\"\n";
    assert_eq!(problems("dup.toml", text), ["dup.toml:3:1: invalid TOML: duplicate key `name`"]);
    let text = "[scenario]\nseed = 1\n\n[scenario]\n";
    assert_eq!(problems("dup.toml", text), ["dup.toml:4:2: invalid TOML: duplicate key `scenario`"]);
}

#[test]
fn a_key_nested_too_deep_is_placed_at_its_line() {
    let deep = vec!["a"; 100].join(".");
    let text = format!("[scenario]\nseed = 1\n  {deep} = 1\n");
    assert_eq!(
        problems("deep.toml", &text),
        ["deep.toml:3:3: invalid TOML: a key of more than 80 dotted parts (the TOML reader's nesting limit)"]
    );
    let text = format!("[scenario]\n\n[{deep}]\n");
    assert_eq!(
        problems("deep.toml", &text),
        ["deep.toml:3:1: invalid TOML: a key of more than 80 dotted parts (the TOML reader's nesting limit)"]
    );
}

/// Loads `e0.toml`, where `eN.toml` extends `e{N+1}.toml` up to `e{last}`,
/// which extends nothing.
fn extends_chain(last: usize) -> Result<(), Vec<String>> {
    let file = |n: usize| {
        let text = if n < last { format!("extends = \"e{}.toml\"\n", n + 1) } else { small_text() };
        SourceFile { name: format!("e{n}.toml"), key: format!("e{n}"), text }
    };
    let mut resolver = |_: &SourceFile, rel: &str| -> Result<SourceFile, ResolveError> {
        let n: usize = rel
            .trim_start_matches('e')
            .trim_end_matches(".toml")
            .parse()
            .map_err(|_| ResolveError::NotFound)?;
        Ok(file(n))
    };
    mcstress_scenario::load(file(0), None, &mut resolver).map(|_| ()).map_err(|e| lines(&e))
}

#[test]
fn an_extends_chain_of_16_levels_loads_and_a_17th_is_refused_at_its_line() {
    assert_eq!(extends_chain(16), Ok(()));
    assert_eq!(
        extends_chain(17),
        Err(vec![
            "e16.toml:1:11: extends: expected at most 16 levels of `extends`, found \"e17.toml\" at level 17"
                .to_string()
        ])
    );
}

#[test]
fn a_disaster_event_with_price_fields_reads_as_a_sentence() {
    let text = small_text().replace(
        "[rules.compensation]",
        "[[shocks.events]]\nkind = \"drought\"\nmonth = \"2024-03\"\nindustry = \"tea\"\n\n\
         [[shocks.events]]\nkind = \"price\"\nindustry = \"tea\"\nmonth = \"2024-03\"\nprice_change = -0.2\nseverity = 2\n\n\
         [rules.compensation]",
    );
    assert_eq!(
        problems("e.toml", &text),
        [
            "e.toml:16:12: shocks.events[0].industry: expected no `industry` or `price_change` on a disaster \
             event (it hits `counties` or `prefectures` with a `severity`), found `industry` = \"tea\"",
            "e.toml:23:12: shocks.events[1].severity: expected no `counties`, `prefectures`, `severity`, \
             `moratorium_months`, `township_share` or `townships` on a price event (it moves one industry's price province-wide: give `industry` and `price_change`), \
             found `severity` = 2",
        ]
    );
}

#[test]
fn numbers_in_messages_are_written_compactly() {
    assert_eq!(
        set_problems(&[set("rules.loans.lpr_annual", "1e-300")]),
        ["<embedded>/yunnan-baseline.toml:19:15: portfolio.rate_annual: expected at most \
          rules.loans.lpr_annual (1e-300), found 0.0345"]
    );
    assert_eq!(
        set_problems(&[set("behaviour.asset_correlation", "1e308")]),
        ["--set:1:31: behaviour.asset_correlation: expected a number from 0 to 0.99, found 1e308"]
    );
    // Ordinary magnitudes stay plain decimals.
    assert_eq!(
        set_problems(&[set("portfolio.age_weights", "[-1]")]),
        [
            "--set:1:26: portfolio.age_weights[0]: expected a number from 0 to 1000000000, found -1",
            "--set:1:25: portfolio.age_weights: expected 1 to 36 non-negative weights (one per month of age, \
             up to the term) with a positive sum, found an array of 1 item",
        ]
    );
}

#[test]
fn an_empty_list_of_loan_amounts_is_called_empty() {
    assert_eq!(
        set_problems(&[set("portfolio.amounts", "[]")]),
        ["--set:1:21: portfolio.amounts: expected loan amounts whose shares sum to 1, found an empty list"]
    );
}
