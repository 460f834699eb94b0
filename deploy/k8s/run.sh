#!/bin/sh
# Runs shards-job.yaml, waits for every shard, then runs merge-job.yaml and
# waits for the merge. Needs kubectl pointed at the cluster and namespace.
#     deploy/k8s/run.sh [TIMEOUT]      # default 24h
set -eu
here=$(dirname "$0")
timeout=${1:-24h}
kubectl delete job mcstress-shards mcstress-merge --ignore-not-found
kubectl apply -f "$here/shards-job.yaml"
kubectl wait --for=condition=complete --timeout="$timeout" job/mcstress-shards
kubectl apply -f "$here/merge-job.yaml"
kubectl wait --for=condition=complete --timeout="$timeout" job/mcstress-merge
kubectl logs job/mcstress-merge
