#!/bin/sh
# Seed corpora for the fuzz targets in fuzz/ (docs/fuzzing.md), made from
# the shipped scenarios and the README's command lines:
#
#     sh tools/fuzz-corpus.sh
#     cargo +nightly fuzz run scenario fuzz/corpus/scenario
#     cargo +nightly fuzz run args fuzz/corpus/args
#
# An input of the `scenario` target is a file, then (after a NUL byte) the
# file its `extends` names, then (after another) `--set` lines; a file
# that extends another gets the baseline as its parent. An input of the
# `args` target is the arguments, separated by NUL bytes. The corpora are
# not committed (fuzz/.gitignore): this script remakes them.
set -eu
cd "$(dirname "$0")/.."

s=fuzz/corpus/scenario
a=fuzz/corpus/args
mkdir -p "$s" "$a"
base=scenarios/yunnan-baseline.toml

for f in $(find scenarios tests/data -name '*.toml' | sort); do
    name=$(echo "$f" | sed 's|/|-|g')
    if grep -q '^extends' "$f"; then
        { cat "$f"; printf '\000'; cat "$base"; } > "$s/$name"
    else
        cp "$f" "$s/$name"
    fi
done
{
    cat tests/data/small.toml
    printf '\000\000'
    printf 'rules.compensation.fund_share=0.8\nscenario.horizon_months=12\n'
} > "$s/small-with-settings"

i=0
while IFS= read -r line; do
    i=$((i + 1))
    printf '%s' "$line" | tr ' ' '\000' > "$a/readme-$i"
done <<'LINES'
run
run --paths 200 --json
validate scenarios/yunnan-baseline.toml
run scenarios/yunnan-baseline.toml --variant higher-share --paths 200 --seed 7 --out out/higher-share
compare scenarios/rules/current.toml scenarios/rules/higher-share.toml --paths 200
stress scenarios/yunnan-baseline.toml --shock drought:2 --paths 200
sweep scenarios/rules/current.toml --set rules.compensation.fund_share=0.5:0.9:0.1 --paths 100
breakpoint scenarios/rules/current.toml --shock drought --target 0.1 --paths 100
run --target-se 0.002 --max-paths 4000 --threads 2
chart out/baseline --lang en --format svg
report out/baseline --lang en --out out/briefing
--quiet run --set rules.compensation.fund_share=0.8
--help
LINES
echo "wrote $(ls "$s" | wc -l) scenario and $(ls "$a" | wc -l) argument seeds under fuzz/corpus/"
