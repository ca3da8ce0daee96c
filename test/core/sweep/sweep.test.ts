import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandSweep, parseExecutorSpec, parseSweepFile } from '../../../core/sweep/index.ts';
import {
  createSweep,
  listSweeps,
  loadSweepFile,
  readManifest,
  readRunStates,
  resolveSweepId,
  saveRunState,
  sweepFiles,
} from '../../../core/sweep/store.ts';
import { overridesFromSetArgs, resolveConfig } from '../../../core/api/config/resolve.ts';

const flat = (o: unknown, p = ''): Record<string, unknown> =>
  Object.entries(o as Record<string, unknown>).reduce<Record<string, unknown>>((acc, [k, v]) => {
    const key = p ? `${p}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(acc, flat(v, key));
    else acc[key] = v;
    return acc;
  }, {});

describe('sweep definitions', () => {
  it('expands grid × seeds with names, tags and only the swept keys differing', () => {
    const file = parseSweepFile({
      name: 'lrbs',
      preset: 'quick-cpu',
      overrides: { 'train.epochs': 2, model: { width: 0.125 } },
      grid: [
        { key: 'optimizer.lr', values: [1e-4, 1e-3] },
        { key: 'train.batchSize', values: [4, 8] },
      ],
      seeds: 2,
      tags: ['study'],
    });
    const m = expandSweep(file, 'S1');
    expect(m.preset).toBe('quick-cpu');
    expect(m.runs).toHaveLength(8);
    expect(m.sweptKeys).toEqual(['optimizer.lr', 'train.batchSize', 'seed']);
    expect(m.runs[0]!.name).toBe('lrbs-lr1e-4-batchSize4-seed0');
    expect(m.runs[7]!.name).toBe('lrbs-lr1e-3-batchSize8-seed1');
    expect(m.runs[3]!.tags).toEqual([
      'sweep:S1',
      'study',
      'optimizer.lr=0.0001',
      'train.batchSize=8',
      'seed=1',
    ]);
    expect(m.runs[3]!.axes).toEqual({ 'optimizer.lr': 1e-4, 'train.batchSize': 8, seed: 1 });
    const base = flat(m.base);
    expect(base['train.epochs']).toBe(2);
    expect(base['model.width']).toBe(0.125);
    expect(base['model.encoder']).toBe('resnet18'); // from the preset
    for (const r of m.runs) {
      const f = flat(r.config);
      const differing = Object.keys(f).filter((k) => JSON.stringify(f[k]) !== JSON.stringify(base[k]));
      expect(differing.every((k) => ['name', ...m.sweptKeys].includes(k))).toBe(true);
      expect(f.name).toBe(r.name);
      // The preset, the file's overrides and the run's sets give exactly the manifest's config.
      const sets = ['train.epochs=2', 'model.width=0.125', ...r.sets, `name=${r.name}`];
      expect(resolveConfig({ preset: m.preset, sets })).toEqual(r.config);
    }
    expect(overridesFromSetArgs(m.runs[3]!.sets)).toEqual({
      optimizer: { lr: 1e-4 },
      train: { batchSize: 8 },
      seed: 1,
    });
  });

  it('draws random samples reproducibly from the seed', () => {
    const def = {
      name: 'rnd',
      random: {
        count: 5,
        seed: 7,
        axes: [
          { key: 'optimizer.lr', logUniform: [1e-5, 1e-2] },
          { key: 'loss.depthWeight', uniform: [0.2, 0.8] },
          { key: 'model.encoder', choice: ['resnet18', 'resnet34'] },
          { key: 'train.batchSize', intUniform: [2, 6] },
        ],
      },
    };
    const a = expandSweep(parseSweepFile(def), 'A');
    const b = expandSweep(parseSweepFile(def), 'B');
    expect(a.runs.map((r) => r.axes)).toEqual(b.runs.map((r) => r.axes));
    expect(a.runs).toHaveLength(5);
    for (const r of a.runs) {
      const lr = r.axes['optimizer.lr'] as number;
      expect(lr).toBeGreaterThanOrEqual(1e-5);
      expect(lr).toBeLessThanOrEqual(1e-2);
      expect([2, 3, 4, 5, 6]).toContain(r.axes['train.batchSize']);
      expect(['resnet18', 'resnet34']).toContain(r.axes['model.encoder']);
    }
    const c = expandSweep(parseSweepFile({ ...def, random: { ...def.random, seed: 8 } }), 'C');
    expect(c.runs.map((r) => r.axes)).not.toEqual(a.runs.map((r) => r.axes));
  });

  it('names the key path of bad input', () => {
    expect(() => parseSweepFile({ grid: [{ key: 'optimizer.lr', values: [] }] }, 's.yaml')).toThrow(
      /s\.yaml: grid\.0\.values: a grid axis needs at least one value/,
    );
    expect(() => parseSweepFile({ grid: [{ key: 'optimizer.lr', vals: [1] }] }, 's.yaml')).toThrow(
      /grid\.0: unknown key "vals"/,
    );
    expect(() =>
      expandSweep(parseSweepFile({ grid: [{ key: 'optimizer.lrr', values: [1] }] }), 'X', 's.yaml'),
    ).toThrow(/s\.yaml: grid\.0\.key: unknown config key "optimizer\.lrr"/);
    expect(() =>
      expandSweep(parseSweepFile({ grid: [{ key: 'optimizer.lr', values: [1e-3, 20] }] }), 'X', 's.yaml'),
    ).toThrow(/s\.yaml: grid\.0\.values\.1: optimizer\.lr=20: "optimizer\.lr"/);
    expect(() =>
      expandSweep(
        parseSweepFile({ grid: [{ key: 'model.encoder', values: ['resnet18', 'vgg'] }] }),
        'X',
        's.yaml',
      ),
    ).toThrow(/grid\.0\.values\.1: model\.encoder="vgg"/);
    expect(() => expandSweep(parseSweepFile({ overrides: { 'train.epochz': 1 } }), 'X', 's.yaml')).toThrow(
      /s\.yaml: overrides.*train\.epochz/,
    );
    expect(() =>
      expandSweep(parseSweepFile({ grid: [{ key: 'seed', values: [1, 2] }], seeds: 2 }), 'X', 's.yaml'),
    ).toThrow(/seeds: "seed" is swept twice/);
    expect(() =>
      expandSweep(parseSweepFile({ grid: [{ key: 'optimizer.lr', values: [1e-3, 1e-3] }] }), 'X'),
    ).toThrow(/listed twice/);
  });

  it('parses executor specs', () => {
    expect(parseExecutorSpec('local')).toEqual({ kind: 'local' });
    expect(parseExecutorSpec('slurm:login1')).toEqual({ kind: 'slurm', target: 'login1' });
    expect(() => parseExecutorSpec('ssh')).toThrow(/ssh:TARGET/);
    expect(() => parseExecutorSpec('k8s')).toThrow(/expected local/);
  });

  it('stores a sweep with its manifest and per-run status', () => {
    const ws = mkdtempSync(join(tmpdir(), 'sweep-'));
    const path = join(ws, 'sweep.yaml');
    writeFileSync(
      path,
      'name: wd\npreset: quick-cpu\ngrid:\n  - key: optimizer.weightDecay\n    values: [0, 0.0001, 0.001, 0.01]\n',
    );
    const { record, manifest } = createSweep(ws, loadSweepFile(path), path);
    const f = sweepFiles(ws, record.id);
    expect(JSON.parse(readFileSync(f.manifest, 'utf8'))).toEqual(manifest);
    expect(readManifest(ws, record.id).runs).toHaveLength(4);
    expect(manifest.preset).toBe('quick-cpu');
    // A manifest written before the preset field (the base as CLI arguments) still reads.
    const { preset: _, ...older } = manifest;
    writeFileSync(
      f.manifest,
      JSON.stringify({ ...older, baseArgs: ['--preset', 'quick-cpu', '--set', 'x=1'] }),
    );
    expect(readManifest(ws, record.id)).toEqual(manifest);
    writeFileSync(f.manifest, JSON.stringify(manifest));
    expect(resolveSweepId(ws, 'wd')).toBe(record.id);
    expect(resolveSweepId(ws, record.id.slice(0, 12))).toBe(record.id);
    expect(listSweeps(ws).map((s) => s.id)).toEqual([record.id]);
    saveRunState(ws, record.id, { index: 2, status: 'running', runId: 'r2', jobId: 'j:2' });
    const states = readRunStates(ws, record.id);
    expect(states.map((s) => s.status)).toEqual(['pending', 'pending', 'running', 'pending']);
    expect(states[2]!.runId).toBe('r2');
    writeFileSync(path, 'grid:\n  - key: optimizer.weightDecay\n    values: [-1]\n');
    expect(() => createSweep(ws, loadSweepFile(path), path)).toThrow(
      /grid\.0\.values\.0: optimizer\.weightDecay=-1/,
    );
    expect(listSweeps(ws)).toHaveLength(1);
  });
});
