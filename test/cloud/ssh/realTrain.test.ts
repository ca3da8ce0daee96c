// The real engine on the loopback remote: this checkout is the remote's engine (enginePath), the
// dataset is generated there (`generate-data`), and a tiny real `mtl-studio train` (ResNet-18 at
// width 0.125, 64×64 crops, 3 steps) is launched detached and mirrored live into the local run store.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../core/api/events.ts';
import { openTarget } from '../../../core/cloud/ssh/connect.ts';
import { packageRoot } from '../../../core/cloud/ssh/engine.ts';
import { followRemoteRun } from '../../../core/cloud/ssh/follow.ts';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { prepareRemote, remoteDataset, startRemoteRun } from '../../../core/cloud/ssh/remoteRun.ts';
import { saveTarget } from '../../../core/cloud/ssh/target.ts';
import { trustHostKey } from '../../../core/cloud/ssh/trust.ts';
import { readRun } from '../../../core/runs/store.ts';
import { loopbackTarget, removeSshd, startSshd, type Sshd } from '../servers.ts';

let sshd: Sshd;
let ws: string;

beforeAll(() => {
  sshd = startSshd();
  ws = mkdtempSync(join(tmpdir(), 'mtl-ws-'));
});
afterAll(() => {
  removeSshd(sshd);
  rmSync(ws, { recursive: true, force: true });
});

describe('real engine on the loopback remote', () => {
  it('generates data remotely, trains there, and the run shows up live locally', async () => {
    const target = saveTarget(ws, loopbackTarget(sshd, { enginePath: packageRoot() }));
    await trustHostKey(ws, target);
    const s = await openTarget(ws, target);
    const layout = await prepareRemote(ws, s);
    const data = await remoteDataset(s, layout, {
      kind: 'generate',
      name: 'tiny',
      args: [
        '--train',
        '8',
        '--val',
        '2',
        '--test',
        '2',
        '--size',
        '64x128',
        '--seed',
        '3',
        '--workers',
        '0',
      ],
    });
    const sets = {
      'data.root': data,
      'data.workers': '0',
      'data.observedSamples': '[0]',
      'model.encoder': 'resnet18',
      'model.width': '0.125',
      'train.cropSize': '64',
      'train.epochs': '1',
      'train.stepsPerEpoch': '3',
      'train.batchSize': '2',
      'train.batchSizeVal': '2',
      'train.valLimit': '2',
    };
    // Resolved here (as the CLI and the studio do); the real engine trains it with `train --run`.
    const config = resolveConfig({
      preset: 'quick-cpu',
      sets: Object.entries(sets).map(([k, v]) => `${k}=${v}`),
    });
    const run = await startRemoteRun(ws, s, layout, {
      command: 'train',
      run: { config, preset: 'quick-cpu', name: 'remote-real' },
    });
    s.close();
    const remoteEvents = join(run.state.remoteRunDir, 'events.jsonl');
    const seen: RunEvent[] = [];
    let liveWhileRunning = false;
    const result = await followRemoteRun(ws, run.localDir, {
      pollMs: 200,
      onEvent: (e) => {
        seen.push(e);
        // Live: the first event arrives here while the remote trainer has not finished yet.
        if (seen.length === 1)
          liveWhileRunning = !readFileSync(remoteEvents, 'utf8').includes('"status":"completed"');
      },
    });
    expect(result).toMatchObject({ phase: 'done', status: 'completed' });
    expect(liveWhileRunning).toBe(true);
    expect(seen.filter((e) => e.type === 'step').map((e) => e.step)).toEqual([1, 2, 3]);
    expect(readFileSync(join(run.localDir, 'events.jsonl')).equals(readFileSync(remoteEvents))).toBe(true);
    // The local run store reads the mirror like a local run.
    const info = readRun(ws, run.runId);
    expect(info.meta).toMatchObject({ name: 'remote-real', target: 'loopback' });
    expect(info.config.model).toMatchObject({ encoder: 'resnet18', width: 0.125 });
    expect(info.summary).toMatchObject({ status: 'completed', step: 3 });
    expect(readFileSync(join(run.localDir, 'checkpoints/last.safetensors')).length).toBeGreaterThan(1000);
  }, 300000);
});
