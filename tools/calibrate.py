#!/usr/bin/env python3
"""Measures the baseline against the public figures of docs/calibration.md
and sweeps the assumptions no figure pins; prints the tables as Markdown.

Run from the repository root, after a release build:

    cargo build --release -p mcstress-cli
    python3 tools/calibrate.py [--bin target/release/mcstress] [--paths 200]
        [--sweep-paths 100] [--no-sweeps] > /tmp/calibration.md

Every run uses the scenario's seed; the figures are means over the paths
(± one standard error where the table says so). On the 2-core project
machine the whole script took about 12 minutes with `--paths 200
--sweep-paths 60` (2026-12-01).
Exit codes: 0 written, 1 a run failed.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINE = os.path.join(ROOT, "scenarios", "yunnan-baseline.toml")

LUOPING = "530324"
LUDIAN = "530621"
YANGBI = "532922"

# The assumptions no public figure pins, each with the values to sweep
# (START:STOP:STEP, both ends included) and what it stands for.
SWEEPS = [
    ("behaviour.maturity_multiplier", "8:24:8", "distress at a due with principal against the base (two ways to fail)"),
    ("behaviour.maturity_correlation", "0.08:0.24:0.08", "ρ_M, the maturity process's factor loading"),
    ("behaviour.maturity_shock_elasticity", "1:2:0.5", "β_M, how an income shock weighs on maturity"),
    ("behaviour.township_effect_sd", "0:1.2:0.6", "sd of the township effect (log scale)"),
    ("behaviour.business_running", "0.3:0.9:0.3", "ordinary share of maturity distress that qualifies for relief"),
    ("behaviour.low_willingness_share", "0:0.2:0.1", "borrowers of low repayment willingness"),
    ("rules.compensation.legal_collection_months.max", "3:12:9", "longest legal collection of the claim cycle, months"),
    ("rules.fund.fiscal_capacity_share", "0.25:1:0.75", "a county's yearly top-up capacity, in endowments"),
    ("rules.demand.monitoring_exit_monthly", "0:0.08:0.04", "monthly exit from monitoring (风险消除)"),
    ("shocks.relief_grant_share", "0:0.3:0.15", "share of a declared disaster's severity relief grants replace"),
    ("shocks.insurance.indemnity_share", "0:0.6:0.3", "share of an insured borrower's disaster loss the indemnity replaces"),
]

# Assumptions that act through disasters, swept on the preset that replays
# one, with the county it strikes hardest: (field, grid, what, preset, county).
SHOCK_SWEEPS = [
    ("shocks.disasters.earthquake.township_share", "0:1:0.5", "footprint: share of the county's other townships a quake strikes",
     "earthquake-ludian-2014", LUDIAN),
    ("shocks.disasters.earthquake.exposure.migrant_wages", "0.2:1:0.8", "migrant wages' exposure to a local quake",
     "earthquake-ludian-2014", LUDIAN),
    ("shocks.insurance.indemnity_share", "0:0.6:0.3", "share of an insured borrower's disaster loss the indemnity replaces",
     "earthquake-ludian-2014", LUDIAN),
    ("shocks.relief_grant_share", "0:0.3:0.15", "share of a declared disaster's severity relief grants replace",
     "earthquake-ludian-2014", LUDIAN),
    ("shocks.disasters.drought.township_share", "0.4:1:0.6", "footprint: share of a county's other townships a drought strikes",
     "drought-2010", None),
]


def run(args, cmd):
    """Runs mcstress with `cmd`; returns its standard output."""
    p = subprocess.run([args.bin] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(f"mcstress {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr}\n")
        sys.exit(1)
    return p.stdout


def simulate(args, scenario, out, paths):
    run(args, ["run", scenario, "--paths", str(paths), "--quiet", "--out", out])
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
        return json.load(f)


def pct(x, digits=2):
    return f"{100 * x:.{digits}f} %"


def county(summary, code):
    return next(c for c in summary["counties"] if c["id"] == code)


def township_rates(out, code):
    """Each township of county `code`: its highest median overdue rate over
    the horizon, and its highest 95th percentile."""
    rates = {}
    with open(os.path.join(out, "townships.csv"), encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["county_id"] != code or r["month"] == "0":
                continue
            p50, p95 = float(r["overdue_rate_p50"] or 0), float(r["overdue_rate_p95"] or 0)
            a, b = rates.get(r["township"], (0.0, 0.0))
            rates[r["township"]] = (max(a, p50), max(b, p95))
    return rates


def class_of(c):
    if c["key_county"]:
        return "key counties (重点帮扶县)"
    if c["former_poverty"]:
        return "other former poverty counties"
    return "districts and other counties"


def baseline_table(args, tmp):
    out = os.path.join(tmp, "baseline")
    s = simulate(args, BASELINE, out, args.paths)
    p = s["province"]
    ep = p["new_overdue_episodes"]
    rows = [
        ("province peak overdue rate", f"{pct(p['peak_overdue_rate']['mean'])} ± {pct(p['peak_overdue_rate']['se'])}",
         "no Yunnan rate is public; Chongqing 0.26 % (2019), 广元 0.6 % (2019), national peak >30亿 overdue (2018)"),
        ("province final overdue rate", pct(p["final_overdue_rate"]["mean"]), "as above"),
        ("share of new overdue episodes at maturity", pct(ep["share_at_maturity"], 1),
         "none; on bullet loans losses come at maturity (model review §2)"),
    ]
    by_class = {}
    for c in s["counties"]:
        by_class.setdefault(class_of(c), []).append(c["peak_overdue_rate"]["mean"])
    for k in sorted(by_class):
        v = sorted(by_class[k])
        rows.append((f"county peak overdue, {k}: mean (lowest–highest)",
                     f"{pct(sum(v) / len(v))} ({pct(v[0])}–{pct(v[-1])})", "—"))
    lp = county(s, LUOPING)
    rows.append(("罗平县 Luoping: peak / final overdue rate",
                 f"{pct(lp['peak_overdue_rate']['mean'])} / {pct(lp['final_overdue_rate']['mean'])}",
                 "4.36 % (2023-10-31 通报)"))
    towns = township_rates(out, LUOPING)
    if towns:
        worst = max(towns.items(), key=lambda kv: kv[1][0])
        rows.append(("罗平县: worst township's highest median rate (its 95th percentile)",
                     f"{pct(worst[1][0])} ({pct(worst[1][1])})", "阿岗镇 11.99 % (same 通报)"))
    exh = p["exhaustion_probability"]
    rows.append(("P(some fund exhausted)", f"{pct(exh['p'], 1)} (95 % CI {pct(exh['ci95_low'], 1)}–{pct(exh['ci95_high'], 1)})",
                 "none public (audits report idle funds, not exhaustion)"))
    return rows


def shock_rows(args, tmp):
    scenarios = [
        ("earthquake-ludian-2014", os.path.join(ROOT, "scenarios/shocks/earthquake-ludian-2014.toml"), LUDIAN),
        ("drought-2010", os.path.join(ROOT, "scenarios/shocks/drought-2010.toml"), None),
        ("cattle-price-2024", os.path.join(ROOT, "scenarios/shocks/cattle-price-2024.toml"), None),
        ("maturity-wall", os.path.join(ROOT, "scenarios/shocks/maturity-wall.toml"), None),
    ]
    # A Yangbi-2021-scale earthquake: magnitude 6.4, one county, severity 2.
    yangbi = os.path.join(tmp, "yangbi.toml")
    with open(yangbi, "w", encoding="utf-8") as f:
        f.write(f'extends = {json.dumps(BASELINE)}\n\n[scenario]\nname = "earthquake-yangbi"\n\n'
                f'[[shocks.events]]\nkind = "earthquake"\nmonth = "2024-05"\ncounties = ["{YANGBI}"]\nseverity = 2.0\n')
    scenarios.append(("earthquake-yangbi (2021 scale)", yangbi, YANGBI))
    rows = []
    for name, path, code in scenarios:
        s = simulate(args, path, os.path.join(tmp, name.split()[0]), args.paths)
        p = s["province"]
        hit = ""
        if code:
            c = county(s, code)
            hit = (f"{c['name']}: peak {pct(c['peak_overdue_rate']['mean'])}, "
                   f"P(exhausted) {pct(c['exhaustion_probability']['p'], 0)}")
        rows.append((name, pct(p["peak_overdue_rate"]["mean"]), pct(p["exhaustion_probability"]["p"], 1),
                     f"{p['claims_paid_yuan']['mean'] / 1e8:.2f}", hit))
    return rows


def sweep_rows(args, tmp):
    rows = []
    plans = [(f, g, w, BASELINE, None) for f, g, w in SWEEPS]
    plans += [(f, g, w, os.path.join(ROOT, "scenarios", "shocks", f"{sc}.toml"), c) for f, g, w, sc, c in SHOCK_SWEEPS]
    for field, grid, what, scenario, code in plans:
        out = run(args, ["sweep", scenario, "--set", f"{field}={grid}", "--paths", str(args.sweep_paths),
                         "--json", "--quiet"])
        s = json.loads(out)
        name = os.path.splitext(os.path.basename(scenario))[0]
        for pt in s["points"]:
            p = pt["province"]
            hit = "—"
            if code is not None:
                c = next(c for c in pt["counties"] if c["id"] == code)
                hit = f"{code}: {pct(c['peak_overdue_rate_mean'])}"
            rows.append((field, what, name, f"{pt['values'][field]:g}", pct(p["peak_overdue_rate"]["mean"]),
                         pct(p["exhaustion_probability"]["p"], 1), f"{p['claims_paid_yuan']['mean'] / 1e8:.2f}",
                         hit))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target/release/mcstress"))
    ap.add_argument("--paths", type=int, default=200)
    ap.add_argument("--sweep-paths", type=int, default=100)
    ap.add_argument("--no-sweeps", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"Baseline, {args.paths} paths, the scenario's seed:\n")
        print("| figure | baseline | public figure |\n|---|---|---|")
        for r in baseline_table(args, tmp):
            print("| " + " | ".join(r) + " |")
        print(f"\nShocks, {args.paths} paths each:\n")
        print("| scenario | province peak overdue | P(some fund exhausted) | claims paid (亿) | the county hit |")
        print("|---|---|---|---|---|")
        for r in shock_rows(args, tmp):
            print("| " + " | ".join(r) + " |")
        if not args.no_sweeps:
            print(f"\nAssumptions no figure pins, swept ({args.sweep_paths} paths, common random numbers):\n")
            print("| field | what | scenario | value | province peak overdue | P(some fund exhausted) | claims paid (亿) "
                  "| the county hit: peak overdue |")
            print("|---|---|---|---|---|---|---|---|")
            for r in sweep_rows(args, tmp):
                print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
