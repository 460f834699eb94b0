#!/bin/sh
# Coverage-guided fuzzing of a target in fuzz/ on a stable toolchain,
# without cargo-fuzz (which needs nightly). docs/fuzzing.md.
#
#     sh tools/fuzz-stable.sh scenario [SECONDS]   # default 300 seconds
#     sh tools/fuzz-stable.sh args 60
#
# It builds the target with the instrumentation cargo-fuzz would add
# (libFuzzer's coverage counters and comparison tracing, debug assertions
# and overflow checks on; no address sanitizer, which needs nightly), then
# runs it on the seed corpus (tools/fuzz-corpus.sh) and a working corpus
# in fuzz/corpus/TARGET-found. A crash is written to fuzz/artifacts/TARGET/
# and reproduced with `fuzz/target/stable/HOST/release/TARGET FILE`.
set -eu
cd "$(dirname "$0")/.."

target=${1:?usage: sh tools/fuzz-stable.sh scenario|args [SECONDS]}
seconds=${2:-300}
host=$(rustc -vV | sed -n 's/^host: //p')

[ -d "fuzz/corpus/$target" ] || sh tools/fuzz-corpus.sh
mkdir -p "fuzz/corpus/$target-found" "fuzz/artifacts/$target"

# --target keeps the flags off build scripts and proc macros.
RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks" \
    cargo build --manifest-path fuzz/Cargo.toml --release --bin "$target" \
    --target "$host" --target-dir fuzz/target/stable

exec "fuzz/target/stable/$host/release/$target" -max_total_time="$seconds" \
    -artifact_prefix="fuzz/artifacts/$target/" \
    "fuzz/corpus/$target-found" "fuzz/corpus/$target"
