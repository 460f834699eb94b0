#!/bin/sh
# Writes a synthetic bank ledger (台账) to try mcstress on — fake names,
# well-formed fake ID numbers that cannot be a real person's, the 2021–23
# lending waves, extensions, renewals and an overdue stock of about 2 % of
# the principal — and, with --county-file, the county data file
# aggregated from it. Nothing in it is real data. Deterministic in --seed.
#
# Usage (defaults in brackets):
#   sh tools/make-ledger.sh --out FILE [--rows 405600] [--format csv-gbk|csv-utf8|xlsx]
#       [--seed 20251031] [--as-of 2025-10-31] [--counties 530621,530324,...]
#       [--plant-name NAME --plant-id ID] [--county-file FILE]
#
# Examples:
#   sh tools/make-ledger.sh --out yunnan-ledger.csv                 # Yunnan's size, GBK
#   sh tools/make-ledger.sh --rows 5000 --counties 530621,530622 \
#       --format xlsx --out ludian-qiaojia.xlsx --county-file counties.xlsx
#
# --counties takes codes of data/yunnan-counties.csv; --plant-name and
# --plant-id put a marker borrower into the first, middle and last rows
# (for tests that search outputs for personal data; the ID number must
# have a valid check character). Columns and values: docs/data-format.md.
# Writing Yunnan's size takes a few seconds as CSV; as XLSX about 15 s and
# 1.9 GB of memory (the workbook is built in memory).
#
# Exit codes: 0 written, 1 a file could not be written, 2 bad arguments.
# Paths are relative to the directory it is run from.
set -eu
exec cargo run --quiet --release --manifest-path "$(dirname "$0")/../Cargo.toml" \
    -p mcstress-import --example make-ledger -- "$@"
