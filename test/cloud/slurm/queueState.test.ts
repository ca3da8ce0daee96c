// Parsing what Slurm prints (captured from slurm-wlm 22.05 on the test cluster, and sacct's
// documented --parsable2 format) and the batch script's shell syntax.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sbatchArgs } from '../../../core/cloud/slurm/cluster.ts';
import { jobScript } from '../../../core/cloud/slurm/jobScript.ts';
import {
  compressIndices,
  expandIndices,
  mergeSources,
  parseSacct,
  parseScontrol,
  parseSqueue,
  runStatus,
} from '../../../core/cloud/slurm/queueState.ts';
import { SlurmSettingsSchema, slurmSettings } from '../../../core/cloud/slurm/settings.ts';
import { parseTarget } from '../../../core/cloud/ssh/target.ts';

describe('Slurm output', () => {
  it('expands and compresses array index lists', () => {
    expect(expandIndices('0-3,7,9-10%2')).toEqual([0, 1, 2, 3, 7, 9, 10]);
    expect(expandIndices('[4-5%2]')).toEqual([4, 5]);
    expect(compressIndices([10, 3, 0, 1, 2, 7, 9, 2])).toBe('0-3,7,9-10');
    expect(compressIndices([5])).toBe('5');
  });

  it('reads squeue -r, scontrol -o and sacct --parsable2', () => {
    expect(
      parseSqueue('1_2|PENDING|JobArrayTaskLimit\n1_0|RUNNING|None\n7_[3-4%2]|PENDING|Priority\n'),
    ).toEqual([
      { key: '1_2', state: 'PENDING', reason: 'JobArrayTaskLimit' },
      { key: '1_0', state: 'RUNNING', reason: undefined },
      { key: '7_3', state: 'PENDING', reason: 'Priority' },
      { key: '7_4', state: 'PENDING', reason: 'Priority' },
    ]);
    const sc = parseScontrol(
      'JobId=6 ArrayJobId=1 ArrayTaskId=4 ArrayTaskThrottle=2 JobName=t.sh JobState=RUNNING Reason=None Requeue=1 Restarts=0 ExitCode=0:0\n' +
        'JobId=5 ArrayJobId=1 ArrayTaskId=3 JobState=CANCELLED Reason=None Restarts=1 ExitCode=0:15\n' +
        'JobId=1 ArrayJobId=1 ArrayTaskId=5-6%2 JobState=PENDING Reason=JobArrayTaskLimit Restarts=0 ExitCode=0:0\n',
    );
    expect(sc.map((t) => [t.key, t.state, t.reason, t.restarts])).toEqual([
      ['1_4', 'RUNNING', undefined, 0],
      ['1_3', 'CANCELLED', undefined, 1],
      ['1_5', 'PENDING', 'JobArrayTaskLimit', 0],
      ['1_6', 'PENDING', 'JobArrayTaskLimit', 0],
    ]);
    expect(parseSacct('12_0|COMPLETED|0:0\n12_1|CANCELLED by 1001|0:15\n12_[2-3]|PENDING|0:0\n')).toEqual([
      { key: '12_0', state: 'COMPLETED', exitCode: '0:0' },
      { key: '12_1', state: 'CANCELLED', exitCode: '0:15' },
      { key: '12_2', state: 'PENDING', exitCode: '0:0' },
      { key: '12_3', state: 'PENDING', exitCode: '0:0' },
    ]);
    // The live source wins over the remembered ones.
    const m = mergeSources(parseSqueue('1_3|RUNNING|None'), sc);
    expect(m.get('1_3')!.state).toBe('RUNNING');
    expect(m.get('1_4')!.state).toBe('RUNNING');
  });

  it('maps task states to run statuses, the run’s own final status where Slurm only says it ended', () => {
    expect(runStatus({ key: 'a', state: 'PENDING', reason: 'JobArrayTaskLimit' }, undefined)).toEqual({
      status: 'queued',
      detail: 'PENDING, JobArrayTaskLimit',
    });
    expect(runStatus({ key: 'a', state: 'REQUEUED' }, 'stopped')!.status).toBe('queued');
    expect(runStatus({ key: 'a', state: 'COMPLETING' }, undefined)!.status).toBe('running');
    expect(runStatus({ key: 'a', state: 'COMPLETED', exitCode: '0:0' }, 'completed')).toEqual({
      status: 'completed',
      detail: 'COMPLETED',
    });
    expect(runStatus({ key: 'a', state: 'CANCELLED' }, 'stopped')!.status).toBe('stopped');
    expect(runStatus({ key: 'a', state: 'TIMEOUT', exitCode: '0:15' }, 'stopped')).toEqual({
      status: 'failed',
      detail: 'TIMEOUT, exit 0:15',
    });
    expect(runStatus({ key: 'a', state: 'FAILED', exitCode: '1:0', restarts: 2 }, undefined)!.detail).toBe(
      'FAILED, exit 1:0, 2 restart(s)',
    );
    expect(runStatus(undefined, 'completed')).toEqual({ status: 'completed' });
    expect(runStatus(undefined, undefined)).toBeNull();
  });
});

describe('Slurm settings and job script', () => {
  it('marks a target as a login node and builds the sbatch options', () => {
    const plain = parseTarget({ name: 'a', host: 'h', user: 'u', keyFile: 'k' });
    expect(() => slurmSettings(plain)).toThrow(/not a Slurm login node.*"scheduler": "slurm"/);
    const t = parseTarget({
      name: 'c',
      host: 'h',
      user: 'u',
      keyFile: 'k',
      scheduler: 'slurm',
      slurm: {
        partition: 'gpu',
        account: 'lab',
        time: '02:00:00',
        gres: 'gpu:1',
        mem: '16G',
        sbatchArgs: ['--constraint=a100'],
      },
    });
    const cfg = slurmSettings(t);
    expect(
      sbatchArgs(cfg, {
        array: '0-9',
        maxConcurrency: 3,
        jobName: 'mtl-x',
        script: 's',
        cwd: '/c',
        output: '/o/%a.out',
      }),
    ).toEqual([
      '--parsable',
      '--requeue',
      '--job-name=mtl-x',
      '--array=0-9%3',
      '--output=/o/%a.out',
      '--open-mode=append',
      '--cpus-per-task=1',
      '--partition=gpu',
      '--account=lab',
      '--time=02:00:00',
      '--gres=gpu:1',
      '--mem=16G',
      '--constraint=a100',
    ]);
    expect(() => SlurmSettingsSchema.parse({ partition: 'gpu; rm -rf ~' })).toThrow(/shell characters/);
  });

  it('writes a batch script that trains the launcher-made run, and resumes it once it has started', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtl-jobscript-'));
    try {
      // A stand-in for node: records the engine arguments it was started with.
      const node = join(dir, 'node.sh');
      writeFileSync(node, `#!/bin/bash\necho "$@" > ${dir}/called\n`, { mode: 0o755 });
      const script = jobScript({ sweepDir: dir, engine: "/e/it's", node, prelude: 'true', sweepId: 's1' });
      writeFileSync(join(dir, 'task.sh'), script);
      execFileSync('bash', ['-n', join(dir, 'task.sh')]);
      const task = () => {
        rmSync(join(dir, 'called'), { force: true });
        execFileSync('bash', [join(dir, 'task.sh')], {
          env: { ...process.env, SLURM_ARRAY_TASK_ID: '1' },
          stdio: 'pipe',
        });
        return existsSync(join(dir, 'called')) ? readFileSync(join(dir, 'called'), 'utf8').trim() : null;
      };
      const ws = join(dir, 'tasks/1');
      mkdirSync(ws, { recursive: true });
      expect(task).toThrow(/no run in .*tasks\/1\/runs \(the launcher creates it\)/);
      // The launcher made the run: the task trains it as created.
      const run = join(ws, 'runs/r-1');
      mkdirSync(run, { recursive: true });
      expect(task()).toBe(`/e/it's/bin/mtl-studio.mjs --workspace ${ws} train --run r-1`);
      // It started (then was scancelled, requeued): resume it, the old attempt's lock removed.
      writeFileSync(join(run, 'events.jsonl'), '{"type":"status","status":"stopped"}\n');
      writeFileSync(join(run, 'trainer.pid'), '{}');
      expect(task()).toBe(`/e/it's/bin/mtl-studio.mjs --workspace ${ws} resume r-1`);
      expect(existsSync(join(run, 'trainer.pid'))).toBe(false);
      // Completed: nothing to do.
      writeFileSync(join(run, 'events.jsonl'), '{"type":"status","status":"completed"}\n');
      expect(task()).toBeNull();
      expect(readFileSync(join(ws, 'task.log'), 'utf8')).toMatch(/run r-1 already completed\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
