// An archive's predictions must come from the checkpoint its manifest names. Reproduces the fault:
// `predict --checkpoint last` then `archive --checkpoint best` wrote best.safetensors beside PNGs of
// last; the studio's one-click Archive predicted only when predictions/test was missing. Now the
// CLI refuses (naming the predict command) unless --predict, and the studio re-predicts.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioClient } from '../../../core/api/client.ts';
import { createDirectTransport } from '../../../core/api/dispatch.ts';
import type { JobProgress } from '../../../core/api/studio.ts';
import { gradeArchive } from '../../../core/archive/grade.ts';
import type { Manifest } from '../../../core/archive/layout.ts';
import { ZipArchive } from '../../../core/archive/zipReader.ts';
import { readProvenance } from '../../../core/runs/predictions.ts';
import { createNodeStudio } from '../../../core/studio/service.ts';
import { BIN, TINY, cli, lastJson } from '../train/cli.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-provenance-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

let id: string;
let runDir: string;
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const ckpt = (kind: string) => join(runDir, 'checkpoints', `${kind}.safetensors`);

beforeAll(() => {
  const r = cli(ws, ['train', ...TINY, '--set', 'train.epochs=2', '--set', 'train.stepsPerEpoch=2']);
  expect(r.code, r.stderr).toBe(0);
  id = lastJson<{ id: string }>(r.stdout).id;
  runDir = join(ws, 'runs', id);
}, 180_000);

/** The manifest of an archive, and whether every prediction PNG in it equals the run's file. */
async function openArchive(file: string): Promise<{ manifest: Manifest; samePngs: boolean }> {
  const zip = await ZipArchive.open(file);
  try {
    const manifest = JSON.parse((await zip.read('manifest.json')).data.toString()) as Manifest;
    let samePngs = true;
    for (const name of zip.entries.keys()) {
      const m = /^predictions\/(semseg|depth)\/(\d+)\.png$/.exec(name);
      if (!m) continue;
      const onDisk = readFileSync(join(runDir, 'predictions', 'test', m[1]!, `${m[2]}.png`));
      samePngs &&= (await zip.read(name)).data.equals(onDisk);
    }
    return { manifest, samePngs };
  } finally {
    zip.close();
  }
}

describe('archive and prediction provenance', () => {
  it('predict records the checkpoint file, step and TTA that made the PNGs', () => {
    const r = cli(ws, ['predict', id, '--checkpoint', 'last', '--set', 'eval.tta.flip=true']);
    expect(r.code, r.stderr).toBe(0);
    const p = readProvenance(runDir, 'test')!;
    expect(p.checkpoint).toMatchObject({ kind: 'last', file: 'last.safetensors', sha256: sha(ckpt('last')) });
    expect(p.checkpoint.step).toBe(4);
    expect(p.tta).toEqual({ flip: true, scales: [1], aggregate: 'mean' });
    expect([p.images, p.splitImages]).toEqual([3, 3]);
    expect(lastJson<{ provenance: unknown }>(r.stdout).provenance).toEqual(p);
  }, 120_000);

  it('the CLI refuses to archive best beside predictions of last, naming the predict command', () => {
    const out = join(ws, 'refused.zip');
    const r = cli(ws, ['archive', id, '--checkpoint', 'best', '--out', out]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /the predictions were made by last@4 \(sha256 [0-9a-f]{12}…\), not by the best checkpoint/,
    );
    expect(r.stderr).toContain(
      `run \`mtl-studio predict ${id} --checkpoint best --split test\` first (or archive with --predict)`,
    );
    expect(readProvenance(runDir, 'test')!.checkpoint.kind).toBe('last'); // nothing touched
  }, 60_000);

  it('archive --predict re-predicts with the archived checkpoint; the manifest states it', async () => {
    const out = join(ws, 'best.zip');
    const r = cli(ws, ['archive', id, '--checkpoint', 'best', '--predict', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson<{ predicted?: { images: number } }>(r.stdout).predicted?.images).toBe(3);
    const p = readProvenance(runDir, 'test')!;
    expect(p.checkpoint).toMatchObject({ kind: 'best', sha256: sha(ckpt('best')) });
    const { manifest, samePngs } = await openArchive(out);
    expect(samePngs).toBe(true);
    expect(manifest.checkpoint).toMatchObject({
      kind: 'best',
      path: 'checkpoint/best.safetensors',
      sha256: sha(ckpt('best')),
    });
    expect(manifest.provenance!.checkpoint).toEqual(p.checkpoint);
    expect(manifest.entries.find((e) => e.path === 'checkpoint/best.safetensors')!.sha256).toBe(
      sha(ckpt('best')),
    );
    const gt = testSplit();
    const g = await gradeArchive(out, gt);
    expect(g.manifest).toBe('verified');
    // Archiving again with the same checkpoint needs no predict.
    const again = cli(ws, ['archive', id, '--checkpoint', 'best', '--out', join(ws, 'again.zip')]);
    expect(again.code, again.stderr).toBe(0);
  }, 120_000);

  it("the studio's one-click Archive re-predicts predictions made by another checkpoint", async () => {
    const pr = cli(ws, ['predict', id, '--checkpoint', 'best']);
    expect(pr.code, pr.stderr).toBe(0);
    const studio = createNodeStudio({
      workspace: ws,
      transport: 'direct',
      launcher: { node: process.execPath, cli: BIN },
      pollMs: 100,
      reveal: () => false,
    });
    const client = createStudioClient(createDirectTransport(studio));
    try {
      const seen: JobProgress[] = [];
      client.on('onJobProgress', {}, (p) => seen.push(p));
      const { jobId } = await client.runs.archive({ id, checkpoint: 'last' });
      const end = Date.now() + 120_000;
      let done: JobProgress | undefined;
      while (!(done = seen.find((p) => p.jobId === jobId && p.state !== 'running')) && Date.now() < end)
        await new Promise((r) => setTimeout(r, 100));
      expect(done?.state, done?.message).toBe('done');
      const { manifest, samePngs } = await openArchive(done!.result!.path as string);
      expect(samePngs).toBe(true);
      expect(manifest.checkpoint).toMatchObject({ kind: 'last', sha256: sha(ckpt('last')) });
      expect(manifest.provenance!.checkpoint).toMatchObject({
        kind: 'last',
        sha256: sha(ckpt('last')),
        step: 4,
      });
      expect(readProvenance(runDir, 'test')!.checkpoint.kind).toBe('last');
    } finally {
      studio.close();
    }
  }, 180_000);
});

/** The test split (with ground truth) of the synthetic dataset the run trained on. */
function testSplit(): string {
  const sets = readdirSync(join(ws, 'datasets')).filter((n) => n.startsWith('synthetic-'));
  expect(sets).toHaveLength(1);
  return join(ws, 'datasets', sets[0]!, 'test');
}
