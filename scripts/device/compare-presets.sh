#!/usr/bin/env bash
# Train every preset at one common reduced budget, two seeds each, one process per run in parallel
# (one wasm thread each), with the bundle from bundle-cli.sh. Run from the repo root on the device:
#   EPOCHS=6 SPE=50 LIMIT=530 scripts/device/compare-presets.sh "$OUT"
# Writes $1/results.tar.gz (each run's summary.json, run.json, config.json, events.jsonl, train.log),
# $1/runs.json (`runs list --json`), $1/runs.csv and $1/scores.csv (`runs export-csv [--scores]`).
set -uo pipefail
DEST=${1:?output folder}
EPOCHS=${EPOCHS:-6} SPE=${SPE:-50} LIMIT=${LIMIT:-530} SEEDS=${SEEDS:-"0 1"}
C=.device-carry
[ -x $C/node ] || tar -xJf $C/rt.tar.xz -C $C
CLI="$C/node $C/cli/main.mjs --workspace W"
DS=W/datasets/synthetic-64x128-s0-600-48-48
t0=$(date +%s)
[ -f $DS/synthetic.json ] || $CLI generate-data --out $DS --train 600 --val 48 --test 48 --size 64x128 --workers 0 2>&1 | tail -1
echo "dataset ready after $(($(date +%s) - t0)) s; nproc $(nproc); load $(cut -d' ' -f1-3 /proc/loadavg)"

COMMON=(--set model.encoder=resnet18 --set model.width=0.25 --set 'model.asppRates=[2,4,6]'
  --set train.epochs=$EPOCHS --set train.stepsPerEpoch=$SPE --set train.batchSize=8 --set train.batchSizeVal=16
  --set train.cropSize=64 --set data.synthetic.train=600 --set data.synthetic.val=48 --set data.synthetic.test=48
  --set data.synthetic.height=64 --set data.synthetic.width=128
  --set backend=wasm --set train.threads=1 --set data.workers=0)
# name | preset and extra overrides
VARIANTS=(
  "baseline|--preset baseline"
  "baseline-adam2e-3|--preset baseline --set optimizer.name=adam --set optimizer.lr=2e-3"
  "recommended|--preset recommended"
  "recommended-lr2e-3|--preset recommended --set optimizer.lr=2e-3"
  "branched|--preset branched"
  "distilled|--preset distilled"
)
mkdir -p logs
for v in "${VARIANTS[@]}"; do
  name=${v%%|*}
  read -ra extra <<<"${v#*|}"
  for s in $SEEDS; do
    timeout "$LIMIT" $CLI train "${extra[@]}" "${COMMON[@]}" --set seed="$s" --name "$name-s$s" --tag cmp \
      >"logs/$name-s$s.log" 2>&1 &
  done
done
wait
echo "all runs ended after $(($(date +%s) - t0)) s"
for f in logs/*.log; do echo "== $f"; tail -3 "$f"; done
$CLI runs list --json >"$DEST/runs.json" 2>"$DEST/runs-list.err"
$CLI runs export-csv "$DEST/runs.csv"
$CLI runs export-csv --scores "$DEST/scores.csv"
tar -czf "$DEST/results.tar.gz" logs W/runs/*/summary.json W/runs/*/run.json W/runs/*/config.json \
  W/runs/*/events.jsonl W/runs/*/train.log
ls -la "$DEST"
