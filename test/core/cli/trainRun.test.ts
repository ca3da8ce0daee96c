// `mtl-studio train --run <id>`: the caller creates the run (resolved config in the run folder) and
// the trainer trains exactly that run — fresh, or a fork from the checkpoint its run.json names.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { readEvents } from '../../../core/runs/events.ts';
import { createRun, listRuns, readRunDir } from '../../../core/runs/store.ts';
import { cli, lastJson, TINY } from '../train/cli.ts';

const ws = mkdtempSync(join(tmpdir(), 'mtl-train-run-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const sets = [...TINY.filter((a) => a !== '--set'), 'train.epochs=1', 'train.stepsPerEpoch=2'];

describe('train --run', () => {
  it('trains the created run in place, and a created fork from its parent checkpoint', () => {
    const run = createRun(ws, { config: resolveConfig({ preset: 'quick-cpu', sets }), preset: 'quick-cpu' });
    expect(run.meta.name).toBe('quick-cpu'); // the preset names a run whose config keeps the template's name
    expect(readRunDir(run.dir).summary.status).toBe('queued');

    const r = cli(ws, ['train', '--run', run.id]);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ id: run.id, status: 'completed', step: 2 });
    expect(listRuns(ws).map((x) => x.id)).toEqual([run.id]); // no second run was created

    const again = cli(ws, ['train', '--run', run.id]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`run ${run.id} has already started (status completed)`);

    const fork = createRun(ws, {
      config: { ...run.config, train: { ...run.config.train, epochs: 2 } },
      name: 'child',
      parent: { run: run.id, checkpoint: 'last', step: 2 },
    });
    const f = cli(ws, ['train', '--run', fork.id]);
    expect(f.code, f.stderr).toBe(0);
    expect(lastJson(f.stdout)).toMatchObject({ id: fork.id, status: 'completed', step: 4 });
    const start = readEvents(fork.dir).events.find((e) => e.type === 'start');
    expect(start).toMatchObject({ resumedFrom: { run: run.id, checkpoint: 'last', step: 2 } });
  });

  it('refuses a run that does not exist and options that would change the created run', () => {
    const missing = cli(ws, ['train', '--run', '20990101-000000-nope-0000']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('--run 20990101-000000-nope-0000: no such run');
    const run = createRun(ws, { config: resolveConfig({ sets }) });
    const mixed = cli(ws, ['train', '--run', run.id, '--set', 'train.epochs=3']);
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toContain('--set cannot change it');
    expect(readRunDir(run.dir).summary.status).toBe('queued');
  });
});
