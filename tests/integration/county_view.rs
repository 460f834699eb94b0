//! One county on its own (`chart DIR --county CODE`, `report DIR --county
//! CODE`): its briefing shows the rules the scenario gives that county,
//! and a code or a directory it cannot show is refused, clearly, with
//! nothing written.

use calamine::Reader;
use serde_json::Value;

use crate::briefing::outputs;
use crate::support::{cli, scenario, scratch, small_text, write};

const LUDIAN: usize = 0;
const QIAOJIA: usize = 1;

/// Ludian with rules of its own from the start, and a further change of
/// its fund share in January 2025 (month 13).
const OWN_RULES: &str = "\n[counties.\"530621\".rules.compensation]\nfund_share = 0.9\ntrigger_days_overdue = 60\n\
     [[timeline]]\nmonth = \"2025-01\"\ncounties.\"530621\".rules.compensation.fund_share = 0.5\n";

/// The cells of the row of the HTML table whose first cell is `label`.
fn html_row(html: &str, label: &str) -> Vec<String> {
    let start = format!("<tr><td>{label}</td>");
    let at = html.find(&start).unwrap_or_else(|| panic!("no row {label:?}"));
    let row = &html[at..at + html[at..].find("</tr>").unwrap()];
    row.split("<td>").skip(2).map(|c| c.trim_end_matches("</td>").to_string()).collect()
}

#[test]
fn a_countys_briefing_shows_the_rules_the_scenario_gives_that_county() {
    let text = format!("{}{OWN_RULES}", small_text());
    let s = scenario(&text, None);
    let d = scratch("county-rules");
    let file = write(&d, "own.toml", &text).display().to_string();
    let dir = d.join("run");
    let (c, _, err) = cli(&["run", &file, "--paths", "4", "--out", &dir.display().to_string()]);
    assert_eq!(c, 0, "{err}");

    // summary.json restates each county's rules, period by period.
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let county =
        |id: &str| summary["counties"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
    let ludian = county("530621");
    let periods = ludian["rules"].as_array().unwrap();
    assert_eq!(periods.len(), 2, "{periods:#?}");
    assert_eq!(
        (periods[1]["from_month"].as_u64(), periods[1]["from_date"].as_str()),
        (Some(13), Some("2025-01"))
    );
    for (p, month) in periods.iter().zip([0, 12]) {
        let r = s.rules_for(LUDIAN, month);
        assert_eq!(p["fund_share"].as_f64(), Some(r.claims.fund_share.get()), "month {month}");
        assert_eq!(p["trigger_days_overdue"].as_u64(), Some(u64::from(r.claims.trigger_days_overdue)));
    }
    let qiaojia = county("530622");
    assert_eq!(qiaojia["rules"].as_array().unwrap().len(), 1, "Qiaojia's rules never change");
    assert_eq!(
        qiaojia["rules"][0]["fund_share"].as_f64(),
        Some(s.rules_for(QIAOJIA, 0).claims.fund_share.get())
    );

    // The briefing's table of its rules: a column per period.
    let out = d.join("brief");
    let o = out.display().to_string();
    let src = dir.display().to_string();
    for code in ["530621", "530622"] {
        let (c, listing, err) = cli(&["report", &src, "--county", code, "--lang", "en", "--out", &o]);
        assert_eq!(c, 0, "{err}");
        assert!(
            listing.contains(&format!("briefing-{code}.html"))
                && listing.contains(&format!("briefing-{code}.xlsx"))
        );
    }
    let html = |code: &str| std::fs::read_to_string(out.join(format!("briefing-{code}.html"))).unwrap();
    let pct = |x: f64| format!("{}%", (x * 100.0).round());
    let shares: Vec<String> =
        [0, 12].iter().map(|&t| pct(s.rules_for(LUDIAN, t).claims.fund_share.get())).collect();
    assert_eq!(shares, ["90%", "50%"], "the scenario's own figures");
    let ludian_html = html("530621");
    assert_eq!(html_row(&ludian_html, "Fund's share of a loss"), shares);
    let days = format!("{} days", s.rules_for(LUDIAN, 0).claims.trigger_days_overdue);
    assert_eq!(html_row(&ludian_html, "Days overdue before a claim"), [days.clone(), days]);
    assert!(ludian_html.contains("From 2025-01 (month 13)"), "the second period's column");
    let qiaojia_html = html("530622");
    let q = s.rules_for(QIAOJIA, 0);
    assert_eq!(html_row(&qiaojia_html, "Fund's share of a loss"), [pct(q.claims.fund_share.get())]);
    assert_eq!(
        html_row(&qiaojia_html, "Days overdue before a claim"),
        [format!("{} days", q.claims.trigger_days_overdue)]
    );

    // The workbook's sheet of rules holds the same shares, as numbers.
    let names = mcstress_report::briefing::county_sheet_names(mcstress_report::briefing::Lang::En);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("briefing-530621.xlsx")).unwrap();
    let r = wb.worksheet_range(names[3]).unwrap();
    let row = (1..r.height())
        .find(|&i| r.get((i, 0)).map(|c| c.to_string()).as_deref() == Some("Fund's share of a loss"))
        .expect("a row of the fund share");
    let cell = |col: usize| match r.get((row, col)) {
        Some(calamine::Data::Float(x)) => *x,
        other => panic!("not a number: {other:?}"),
    };
    assert_eq!((cell(2), cell(3)), (0.9, 0.5));
    assert_eq!(names, wb.sheet_names().iter().map(String::as_str).collect::<Vec<_>>().as_slice());
}

#[test]
fn an_unknown_county_or_a_directory_of_no_single_run_is_refused_and_nothing_is_written() {
    let d = scratch("county-refused");
    // A copy of the run: the command's own directory is where it writes
    // by default, and the shared one is read by other tests meanwhile.
    let run = d.join("run");
    std::fs::create_dir_all(&run).unwrap();
    for f in std::fs::read_dir(outputs().join("run")).unwrap() {
        let f = f.unwrap();
        if f.file_type().unwrap().is_file() {
            std::fs::copy(f.path(), run.join(f.file_name())).unwrap();
        }
    }
    let before: Vec<_> = std::fs::read_dir(&run).unwrap().map(|f| f.unwrap().file_name()).collect();
    let src = run.display().to_string();
    for cmd in ["chart", "report"] {
        let (c, out, err) = cli(&[cmd, &src, "--county", "530999"]);
        assert_eq!(c, 2, "{cmd}: {err}");
        assert!(out.is_empty(), "{cmd}: {out}");
        assert!(err.contains("county 530999 is not in") && err.contains("summary.json"), "{cmd}: {err}");
        // How to find a code: the counties there are, by code and name.
        assert!(err.contains("530621 鲁甸县") && err.contains("530622 巧家县"), "{cmd}: {err}");
    }
    let after: Vec<_> = std::fs::read_dir(&run).unwrap().map(|f| f.unwrap().file_name()).collect();
    assert_eq!(before.len(), after.len(), "nothing written: {after:?}");

    let (c, _, err) = cli(&["chart", &src, "--county", "../530621"]);
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("\"../530621\"") && err.contains("division code"), "{err}");

    for kind in ["compare", "sweep", "breakpoint"] {
        let dir = outputs().join(kind).display().to_string();
        for cmd in ["chart", "report"] {
            let o = d.join(format!("{kind}-{cmd}"));
            let (c, _, err) = cli(&[cmd, &dir, "--county", "530621", "--out", &o.display().to_string()]);
            assert_eq!(c, 2, "{kind} {cmd}: {err}");
            assert!(
                err.contains("--county needs the output of run or stress")
                    && err.contains(&format!("output of {kind}")),
                "{kind} {cmd}: {err}"
            );
            assert!(!o.exists(), "{kind} {cmd}: nothing written");
        }
    }
}
