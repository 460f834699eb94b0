#!/bin/sh
# Regenerates the example charts shown in the README (docs/img/) from the
# embedded default scenario and the shipped rule sets. About 3 minutes on
# a 2-core machine. Run from the repository root:
#
#     sh tools/make-readme-images.sh
set -eu
cargo build --release -p mcstress-cli
B=target/release/mcstress
OUT=$(mktemp -d)
$B run --paths 200 --quiet --out "$OUT/run"
$B compare scenarios/rules/current.toml scenarios/rules/higher-share.toml --paths 100 --quiet --out "$OUT/compare"
$B chart "$OUT/run" --lang zh --format png --out "$OUT/run-zh" > /dev/null
$B chart "$OUT/run" --lang en --format png --out "$OUT/run-en" > /dev/null
$B chart "$OUT/compare" --lang en --format png --out "$OUT/compare-en" > /dev/null
mkdir -p docs/img
cp "$OUT/run-zh/overdue-fan.png" docs/img/overdue-fan-zh.png
cp "$OUT/run-zh/county-ranking.png" docs/img/county-ranking-zh.png
cp "$OUT/run-en/exhaustion-survival.png" docs/img/exhaustion-survival-en.png
cp "$OUT/compare-en/compare.png" docs/img/compare-en.png
rm -rf "$OUT"
echo "docs/img/ updated"
