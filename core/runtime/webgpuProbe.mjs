#!/usr/bin/env node
// Prints, as one JSON line, what core/runtime/webgpu.ts finds: the adapter or why there is none.
// The studio runs it as a child process so Dawn never loads into the studio (or Electron) itself.
import { register } from 'tsx/esm/api';

register();
const { probeWebGpu } = await import('./webgpu.ts');
const found = await probeWebGpu();
process.stdout.write(`${JSON.stringify(found.ok ? { ok: true, info: found.info } : found)}\n`);
process.exit(0);
