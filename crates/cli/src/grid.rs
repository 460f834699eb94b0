//! `--set FIELD=START:STOP:STEP`: the values of a swept field.
//!
//! Values are generated in decimal arithmetic, so that 0.5:0.9:0.1 gives
//! exactly 0.5, 0.6, 0.7, 0.8, 0.9 (and reaches the end) rather than the
//! binary approximations 0.6000000000000001, ... that would then be
//! written into the scenario.

use rust_decimal::Decimal;

use crate::InputError;

/// Most grid points a sweep may have (all fields together).
pub const MAX_POINTS: usize = 1_000;

/// One swept field.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Dotted field path.
    pub field: String,
    /// The values as TOML text (integers stay integers).
    pub texts: Vec<String>,
    /// The same values as numbers.
    pub numbers: Vec<f64>,
}

/// Refuses a `--set` argument holding a line break or another control
/// character: the value is read as TOML, where a line break would start a
/// second `FIELD = VALUE` and set a field that `run.json` does not record.
fn one_line(arg: &str) -> Result<(), InputError> {
    match arg.char_indices().find(|(_, c)| c.is_control()) {
        None => Ok(()),
        Some((at, c)) => Err(InputError(format!(
            "--set {arg:?}: expected one FIELD=VALUE on one line, found the control character {:?} at \
             byte {at}; each --set sets exactly one field",
            c
        ))),
    }
}

/// Parses a fixed setting `FIELD=VALUE` (`run`, `stress`, `breakpoint`).
/// VALUE is TOML (`0.8`, `180`, `"none"`); a bare word such as `none` is
/// taken as a string, so the shell's quoting need not survive.
pub fn parse_setting(arg: &str) -> Result<mcstress_scenario::Setting, InputError> {
    one_line(arg)?;
    let (field, value) = arg.split_once('=').ok_or_else(|| {
        InputError(format!("--set {arg}: expected FIELD=VALUE, e.g. rules.compensation.fund_share=0.8"))
    })?;
    let (field, value) = (field.trim(), value.trim());
    if field.is_empty() || value.is_empty() {
        return Err(InputError(format!("--set {arg}: expected FIELD=VALUE with both parts")));
    }
    let bare = value.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(value, "true" | "false" | "inf" | "nan");
    let value = if bare { format!("{value:?}") } else { value.to_string() };
    Ok(mcstress_scenario::Setting { field: field.to_string(), value })
}

/// Parses one `sweep --set` argument.
pub fn parse_axis(arg: &str) -> Result<Axis, InputError> {
    one_line(arg)?;
    let bad = |why: String| InputError(format!("--set {arg}: {why}"));
    let (field, range) =
        arg.split_once('=').ok_or_else(|| bad("expected FIELD=START:STOP:STEP, found no '='".into()))?;
    let field = field.trim();
    if field.is_empty() {
        return Err(bad("expected a field path before '='".into()));
    }
    let parts: Vec<&str> = range.split(':').map(str::trim).collect();
    let [start, stop, step] = parts[..] else {
        return Err(bad(format!(
            "expected START:STOP:STEP after '=', found {} part{} in {range:?}",
            parts.len(),
            if parts.len() == 1 { "" } else { "s" }
        )));
    };
    let num = |what: &str, t: &str| {
        t.parse::<Decimal>().or_else(|_| Decimal::from_scientific(t)).map_err(|_| {
            bad(match t.parse::<f64>() {
                // A number, but not one a decimal value of the sweep can hold.
                Ok(x) if x.is_finite() && x != 0.0 && x.abs() < 1e-27 => format!(
                    "{what}: {t} is below 1e-27, the finest resolution a swept value can have (28 \
                     decimal places){}",
                    if what == "STEP" {
                        format!("; a step that fine would give more than {MAX_POINTS} values")
                    } else {
                        String::new()
                    }
                ),
                Ok(x) if x.is_finite() => format!(
                    "{what}: {t} is beyond what a swept value can hold (at most 28 significant digits, \
                     magnitude below 7.9e28)"
                ),
                _ => format!("{what}: expected a number, found {t:?}"),
            })
        })
    };
    let (a, b, d) = (num("START", start)?, num("STOP", stop)?, num("STEP", step)?);
    if d <= Decimal::ZERO {
        return Err(bad(format!("STEP: expected a positive number, found {step}")));
    }
    if b < a {
        return Err(bad(format!("STOP ({stop}) is below START ({start})")));
    }
    let count = ((b - a) / d).floor() + Decimal::ONE;
    let count = usize::try_from(count)
        .ok()
        .filter(|&n| n <= MAX_POINTS)
        .ok_or_else(|| bad(format!("more than {MAX_POINTS} values; use a larger STEP")))?;
    let integers = [start, stop, step].iter().all(|t| !t.contains(['.', 'e', 'E']));
    let mut texts = Vec::with_capacity(count);
    let mut numbers = Vec::with_capacity(count);
    for i in 0..count {
        let v = a + d * Decimal::from(i as u64);
        let v = v.normalize();
        let mut t = v.to_string();
        // A float field accepts an integer, but an integer field refuses
        // 1.0: keep integers as integers only when the user wrote them so.
        if !integers && !t.contains('.') {
            t.push_str(".0");
        }
        numbers.push(t.parse::<f64>().map_err(|_| bad(format!("cannot represent {t}")))?);
        texts.push(t);
    }
    Ok(Axis { field: field.to_string(), texts, numbers })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_range_includes_both_ends_exactly() {
        let a = parse_axis("rules.compensation.fund_share=0.5:0.9:0.1").unwrap();
        assert_eq!(a.texts, ["0.5", "0.6", "0.7", "0.8", "0.9"]);
        assert_eq!(a.numbers[1], 0.6);
        let d = parse_axis("x=1:2:0.5").unwrap();
        assert_eq!(d.texts, ["1.0", "1.5", "2.0"]);
    }

    #[test]
    fn an_integer_range_stays_integer_and_stops_at_the_last_step() {
        let a = parse_axis("rules.compensation.trigger_days_overdue=90:200:30").unwrap();
        assert_eq!(a.texts, ["90", "120", "150", "180"]);
    }

    #[test]
    fn a_fixed_setting_keeps_toml_values_and_quotes_bare_words() {
        let s = parse_setting("rules.compensation.fund_share=0.8").unwrap();
        assert_eq!((s.field.as_str(), s.value.as_str()), ("rules.compensation.fund_share", "0.8"));
        assert_eq!(parse_setting("rules.compensation.activation=none").unwrap().value, "\"none\"");
        assert_eq!(parse_setting("x=\"none\"").unwrap().value, "\"none\"");
        assert_eq!(parse_setting("x=true").unwrap().value, "true");
        assert!(parse_setting("x").unwrap_err().to_string().contains("FIELD=VALUE"));
    }

    #[test]
    fn a_setting_sets_exactly_one_field() {
        for arg in [
            "rules.compensation.fund_share=0.8\nrules.compensation.trigger_days_overdue=30",
            "x=1\r",
            "x=\t1",
        ] {
            let e = parse_setting(arg).unwrap_err().to_string();
            assert!(
                e.contains("expected one FIELD=VALUE on one line") && e.contains("control character"),
                "{e}"
            );
        }
        let e = parse_axis("x=0:1:0.5\ny=2").unwrap_err().to_string();
        assert!(e.contains("on one line"), "{e}");
    }

    #[test]
    fn scientific_notation_is_a_number() {
        assert_eq!(parse_axis("x=0:0.002:1e-3").unwrap().texts, ["0.0", "0.001", "0.002"]);
    }

    #[test]
    fn a_bad_range_says_what_was_expected() {
        for (arg, says) in [
            ("fund_share", "no '='"),
            ("x=0.5:0.9", "START:STOP:STEP"),
            ("x=0.5:0.9:0", "positive"),
            ("x=0.9:0.5:0.1", "below START"),
            ("x=a:1:1", "START: expected a number"),
            ("x=0:100000:1", "more than"),
            ("x=0:1:1e-300", "STEP: 1e-300 is below 1e-27, the finest resolution"),
            ("x=0:1:1e-300", "more than 1000 values"),
            ("x=0:1e300:1", "STOP: 1e300 is beyond what a swept value can hold"),
            ("x=0:1:1e-20", "more than 1000 values"),
        ] {
            let e = parse_axis(arg).unwrap_err().to_string();
            assert!(e.contains(says) && e.contains(arg), "{arg}: {e}");
        }
    }
}
