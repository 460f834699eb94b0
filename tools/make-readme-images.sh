#!/bin/sh
# Regenerates the example charts and the briefing shown in the README
# (docs/img/) from the embedded default scenario and the shipped rule sets.
# About 5 minutes on a 2-core machine. The briefing's picture needs a
# headless chromium (Debian package `chromium`); without it the charts are
# still made. Run from the repository root:
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
$B stress scenarios/yunnan-baseline.toml --shock drought:3 --paths 100 --quiet --out "$OUT/stress" > /dev/null
$B report "$OUT/stress" --lang zh --out "$OUT/stress-zh" > /dev/null
mkdir -p docs/img
cp "$OUT/run-zh/overdue-fan.png" docs/img/overdue-fan-zh.png
cp "$OUT/run-zh/county-ranking.png" docs/img/county-ranking-zh.png
cp "$OUT/run-en/exhaustion-survival.png" docs/img/exhaustion-survival-en.png
cp "$OUT/compare-en/compare.png" docs/img/compare-en.png
if command -v chromium > /dev/null; then
  # The top of the page: title, provenance, findings, the first chart.
  chromium --headless --no-sandbox --hide-scrollbars --window-size=1100,1500 \
    --screenshot="$PWD/docs/img/briefing-zh.png" "file://$OUT/stress-zh/briefing.html" 2> /dev/null
else
  echo "no chromium: docs/img/briefing-zh.png not updated" >&2
fi
rm -rf "$OUT"
echo "docs/img/ updated"
