#!/usr/bin/env bash
# Three CC0 photos from Debian's python3-skimage (skimage/data), center-cropped and resized to
# 160×160 for the Keras ResNet50 classification test (test/core/weights/kerasImport.test.ts).
#   apt-get install -y python3-skimage && scripts/weights/make_photo_fixtures.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
src=/usr/lib/python3/dist-packages/skimage/data
out=test/fixtures/weights/photos
mkdir -p "$out"
for f in chelsea.png coffee.png camera.png; do
  node -e "require('sharp')(process.argv[1]).removeAlpha().toColourspace('srgb').resize(160, 160, { fit: 'cover' }).png({ compressionLevel: 9 }).toFile(process.argv[2])" "$src/$f" "$out/$f"
done
ls -l "$out"
