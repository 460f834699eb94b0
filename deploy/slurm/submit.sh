#!/bin/bash
# Runs one mcstress command on a Slurm cluster as a job array of N shards,
# then merges them into the outputs of the same command run on one machine.
#
#     deploy/slurm/submit.sh N OUTDIR COMMAND ARGS...
#     deploy/slurm/submit.sh 8 /shared/runs/baseline run scenarios/yunnan-baseline.toml --paths 10000
#
# COMMAND is run, compare, stress or sweep; ARGS are its arguments without
# --out (and without --target-se: a sharded command has a fixed path count).
# Submits an array job of N tasks, task K running
#
#     mcstress COMMAND ARGS... --shard K/N --out OUTDIR/shards/K
#
# and a merge job that starts once every task has succeeded:
#
#     mcstress merge OUTDIR/shards/* --out OUTDIR/merged
#
# Task logs go to OUTDIR/logs/. Prints the two job ids. OUTDIR, the scenario
# files and the binary must be on a file system every node sees; the tasks
# run in the directory this script was called from, so relative scenario
# paths work.
#
# Environment:
#   MCSTRESS     the binary (default: mcstress on PATH, made absolute here)
#   SBATCH_OPTS  more sbatch options for both jobs, e.g.
#                "--partition=cpu --account=fin --time=02:00:00 --cpus-per-task=8"
#   WAIT=1       wait for the merge job and exit with its status
#
# Each task uses the CPUs Slurm gives it (SLURM_CPUS_PER_TASK, else one):
# results do not depend on the thread count.
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "usage: $0 N OUTDIR COMMAND ARGS..." >&2
    exit 2
fi
n=$1
out=$2
shift 2
case "$n" in
    '' | *[!0-9]*) echo "$0: N: expected a whole number of shards, found '$n'" >&2; exit 2 ;;
esac
n=$((10#$n))   # 08 is eight, not a bad octal number
if [ "$n" -lt 1 ]; then
    echo "$0: N: expected at least 1 shard, found $n" >&2
    exit 2
fi
case "$1" in
    run | compare | stress | sweep) ;;
    *) echo "$0: COMMAND: expected run, compare, stress or sweep, found '$1'" >&2; exit 2 ;;
esac
for a in "$@"; do
    case "$a" in
        --out | --out=* | --shard | --shard=* | --target-se | --target-se=*)
            echo "$0: $a: the script sets --out and --shard itself, and a sharded command takes no --target-se" >&2
            exit 2 ;;
    esac
done

bin=${MCSTRESS:-mcstress}
if ! bin=$(command -v "$bin"); then
    echo "$0: cannot find the mcstress binary ('${MCSTRESS:-mcstress}'); set MCSTRESS" >&2
    exit 2
fi
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
if [ -d "$out/shards" ] && [ -n "$(ls -A "$out/shards")" ]; then
    echo "$0: $out/shards holds the shards of an earlier submission; remove it or choose another OUTDIR" >&2
    exit 2
fi
mkdir -p "$out/shards" "$out/logs"
out=$(cd "$out" && pwd)
args=$(printf '%q ' "$@")
# Options are split on white space (a value cannot hold a space).
read -r -a opts <<< "${SBATCH_OPTS:-}"

cat > "$out/shards.sbatch" <<JOB
#!/bin/bash
set -eu
export RAYON_NUM_THREADS=\${SLURM_CPUS_PER_TASK:-1}
exec $(printf '%q' "$bin") --quiet $args --shard "\$SLURM_ARRAY_TASK_ID/$n" --out $(printf '%q' "$out")/shards/"\$SLURM_ARRAY_TASK_ID"
JOB
cat > "$out/merge.sbatch" <<JOB
#!/bin/bash
set -eu
exec $(printf '%q' "$bin") --quiet merge $(printf '%q' "$out")/shards/* --out $(printf '%q' "$out")/merged
JOB

array=$(sbatch --parsable --job-name=mcstress-shards --array="0-$((n - 1))" --chdir="$PWD" \
    --output="$out/logs/shard-%a.log" ${opts[@]+"${opts[@]}"} "$out/shards.sbatch")
array=${array%%;*}
wait_opt=()
if [ "${WAIT:-0}" = 1 ]; then wait_opt=(--wait); fi
set +e
merge=$(sbatch --parsable --job-name=mcstress-merge --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --chdir="$PWD" --output="$out/logs/merge.log" ${wait_opt[@]+"${wait_opt[@]}"} ${opts[@]+"${opts[@]}"} \
    "$out/merge.sbatch")
status=$?
set -e
echo "shards: job $array (array of $n); merge: job ${merge%%;*}; outputs: $out/merged"
exit $status
