#!/bin/sh
# Every output of every shipped scenario, at a small path count, for
# checking that a refactor leaves results byte for byte as they were.
#
#     sh tools/outputs.sh snapshot DIR [BINARY]   # write them all into DIR
#     sh tools/outputs.sh diff BEFORE AFTER       # compare two snapshots
#
# A refactor is checked by a snapshot from the commit before it and one
# from the commit after it:
#
#     git stash; sh tools/outputs.sh snapshot /tmp/before; git stash pop
#     sh tools/outputs.sh snapshot /tmp/after
#     sh tools/outputs.sh diff /tmp/before /tmp/after
#
# `snapshot` builds the release binary unless BINARY is given. It runs
# `run` on every file under scenarios/, `compare` of every revision under
# scenarios/rules/ against current.toml, `stress` with and without a
# shock, a one- and a two-dimensional `sweep`, a small `breakpoint`, and
# `chart` (SVG and PNG) and `report` in both languages on each kind of
# output directory and on one county (`--county`) of a run and a stress;
# standard output is kept too. About a minute on a
# 2-core machine.
#
# `diff` compares every file; in run.json the fields that record the
# machine and the moment (`date`, `threads`, `elapsed_seconds`) are left
# out, as is the workbook's creation time. (Before drawing charts and
# briefings, `snapshot` sets run.json's date to 2000-01-01, so that the
# footers match across days.) It exits 1 and lists the files that differ.
set -eu

PATHS=3

snapshot() {
    out=$1
    bin=${2:-}
    if [ -z "$bin" ]; then
        cargo build --release -q -p mcstress-cli
        bin=target/release/mcstress
    fi
    if [ -e "$out" ]; then
        echo "$out exists: choose a new directory" >&2
        exit 2
    fi
    mkdir -p "$out"
    q="--quiet"
    for f in $(find scenarios -name '*.toml' | sort); do
        name=$(echo "$f" | sed 's|^scenarios/||; s|\.toml$||; s|/|-|g')
        "$bin" $q run "$f" --paths $PATHS --out "$out/run-$name" > "$out/run-$name.txt"
    done
    "$bin" $q run --paths $PATHS --json > "$out/run-default.json"
    for f in $(find scenarios/rules -name '*.toml' ! -name current.toml | sort); do
        name=$(basename "$f" .toml)
        "$bin" $q compare scenarios/rules/current.toml "$f" --paths $PATHS \
            --out "$out/compare-$name" > "$out/compare-$name.txt"
    done
    "$bin" $q compare scenarios/yunnan-baseline.toml --variant higher-share --paths $PATHS \
        --json > "$out/compare-variant.json"
    "$bin" $q stress scenarios/yunnan-baseline.toml --paths $PATHS \
        --out "$out/stress-plain" > "$out/stress-plain.txt"
    "$bin" $q stress scenarios/yunnan-baseline.toml --shock drought:2 --paths $PATHS \
        --out "$out/stress-drought" > "$out/stress-drought.txt"
    "$bin" $q stress scenarios/rules/current.toml --shock cattle --paths $PATHS \
        --json > "$out/stress-cattle.json"
    "$bin" $q sweep scenarios/rules/current.toml --set rules.compensation.fund_share=0.5:0.9:0.2 \
        --paths $PATHS --out "$out/sweep-1d" > "$out/sweep-1d.txt"
    "$bin" $q sweep scenarios/rules/current.toml --set rules.compensation.fund_share=0.6:0.8:0.2 \
        --set rules.compensation.trigger_days_overdue=60:90:30 --paths $PATHS \
        --out "$out/sweep-2d" > "$out/sweep-2d.txt"
    "$bin" $q breakpoint scenarios/rules/current.toml --shock drought --target 0.1 \
        --max-severity 1 --step 0.5 --paths $PATHS --out "$out/breakpoint" > "$out/breakpoint.txt"
    for d in run-yunnan-baseline compare-higher-share stress-drought sweep-1d sweep-2d breakpoint; do
        # Charts and briefings print run.json's date, in pixels too: fix it,
        # so that snapshots made on different days compare.
        sed -i -E 's/"date": "[0-9-]+"/"date": "2000-01-01"/' "$out/$d/run.json"
        for lang in zh en; do
            "$bin" $q chart "$out/$d" --lang "$lang" --format both \
                --out "$out/$d/charts-$lang" > /dev/null
            "$bin" $q report "$out/$d" --lang "$lang" --out "$out/$d/report-$lang" > /dev/null
        done
    done
    # One county on its own (Ludian), of a run and of a stress.
    for d in run-yunnan-baseline stress-drought; do
        for lang in zh en; do
            "$bin" $q chart "$out/$d" --county 530621 --lang "$lang" --format both \
                --out "$out/$d/county-charts-$lang" > /dev/null
            "$bin" $q report "$out/$d" --county 530621 --lang "$lang" \
                --out "$out/$d/county-report-$lang" > /dev/null
        done
    done
    echo "snapshot written to $out"
}

# A file as it is compared: what records the machine or the day masked.
normalised() {
    case "$1" in
        */run.json)
            grep -v -E '"(date|threads|elapsed_seconds)":' "$1" ;;
        *.xlsx)
            # The workbook's creation time sits in docProps/core.xml.
            tmp=$(mktemp -d)
            (cd "$tmp" && unzip -q -o "$1" 2>/dev/null || true)
            find "$tmp" -type f ! -name core.xml | sort | while read -r x; do
                echo "== ${x#"$tmp"}"
                cat "$x"
            done
            rm -rf "$tmp" ;;
        *.svg | *.html)
            sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}/DATE/g' "$1" ;;
        *)
            cat "$1" ;;
    esac
}

diff_snapshots() {
    a=$1
    b=$2
    status=0
    list_a=$(cd "$a" && find . -type f | sort)
    list_b=$(cd "$b" && find . -type f | sort)
    if [ "$list_a" != "$list_b" ]; then
        echo "the two snapshots hold different files:"
        printf '%s\n' "$list_a" > /tmp/outputs-list-a.$$
        printf '%s\n' "$list_b" | diff /tmp/outputs-list-a.$$ - || true
        rm -f /tmp/outputs-list-a.$$
        status=1
    fi
    n=0
    for f in $list_a; do
        [ -f "$b/$f" ] || continue
        n=$((n + 1))
        case "$f" in
            *.png)
                if ! cmp -s "$a/$f" "$b/$f"; then
                    echo "differs: $f"
                    status=1
                fi ;;
            *)
                if ! normalised "$a/$f" > /tmp/outputs-a.$$ || ! normalised "$b/$f" > /tmp/outputs-b.$$ \
                    || ! cmp -s /tmp/outputs-a.$$ /tmp/outputs-b.$$; then
                    echo "differs: $f"
                    status=1
                fi ;;
        esac
    done
    rm -f /tmp/outputs-a.$$ /tmp/outputs-b.$$
    if [ $status -eq 0 ]; then
        echo "identical: $n files"
    fi
    exit $status
}

case "${1:-}" in
    snapshot) [ $# -ge 2 ] || { echo "usage: $0 snapshot DIR [BINARY]" >&2; exit 2; }
        snapshot "$2" "${3:-}" ;;
    diff) [ $# -eq 3 ] || { echo "usage: $0 diff BEFORE AFTER" >&2; exit 2; }
        diff_snapshots "$2" "$3" ;;
    *) echo "usage: $0 snapshot DIR [BINARY] | diff BEFORE AFTER" >&2; exit 2 ;;
esac
