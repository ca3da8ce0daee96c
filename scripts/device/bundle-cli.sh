#!/usr/bin/env bash
# Build a self-contained CLI for a machine without Node or node_modules (the lent device host):
#   .device-carry/cli/main.mjs     esbuild bundle of core/cli/main.ts (ESM; sharp external; ssh2's optional native addons external, so remote hosts fall back to pure JS)
#   .device-carry/cli/*.wasm       tfjs-backend-wasm binaries (located beside the bundle via __dirname)
#   .device-carry/rt.tar.xz        the Node binary + sharp and its native packages (node_modules/)
# On the device: `tar -xJf .device-carry/rt.tar.xz -C .device-carry && .device-carry/node .device-carry/cli/main.mjs …`
# (sharp resolves from .device-carry/node_modules, beside cli/). Worker threads (data.workers, train.threads > 1,
# generate-data --workers) spawn TypeScript through tsx and are NOT available in the bundle: use 0 / 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=.device-carry
rm -rf "$OUT/cli" "$OUT/rt" "$OUT/rt.tar.xz"
mkdir -p "$OUT/cli" "$OUT/rt/node_modules/@img"

cat >"$OUT/cli/entry.ts" <<'TS'
import { main } from '../../core/cli/main.ts';
await main(process.argv);
TS
# CJS packages inside an ESM bundle need require/__dirname/__filename (emscripten finds its .wasm via __dirname).
npx esbuild "$OUT/cli/entry.ts" --bundle --platform=node --format=esm --target=node20 \
  --external:sharp --external:cpu-features --external:"*.node" --ignore-annotations --outfile="$OUT/cli/main.mjs" --log-level=warning \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
rm "$OUT/cli/entry.ts"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$OUT/cli/"

cp "$(command -v node)" "$OUT/rt/node"
cp -r node_modules/sharp node_modules/detect-libc node_modules/semver "$OUT/rt/node_modules/"
cp -r node_modules/@img/colour node_modules/@img/sharp-linux-x64 node_modules/@img/sharp-libvips-linux-x64 \
  "$OUT/rt/node_modules/@img/"
tar -C "$OUT/rt" -cf - . | xz -T2 -6 >"$OUT/rt.tar.xz"
rm -rf "$OUT/rt"
du -sh "$OUT"/*
