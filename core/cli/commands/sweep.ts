// `mtl-studio sweep …`: define a sweep (file, or preset + --axis on the command line), launch it on an
// executor (local, ssh:TARGET, batch, slurm:TARGET), follow, stop, list (core/sweep).
import type { Command } from 'commander';
import { ConfigError, parseSetValue } from '../../api/config/resolve.ts';
import { launchSweep, planLaunch, stopSweep, stopSweepRun } from '../../sweep/control.ts';
import { parseExecutorSpec } from '../../sweep/executor.ts';
import { getExecutor } from '../../sweep/executors.ts';
import { runSweepQueue } from '../../sweep/queueRunner.ts';
import { formatAxisValue, parseSweepFile } from '../../sweep/expand.ts';
import type { SweepManifest } from '../../sweep/schema.ts';
import {
  createSweep,
  listSweeps,
  loadSweepFile,
  readLaunch,
  readManifest,
  readRunStates,
  readSweep,
  resolveSweepId,
  type SweepRunState,
} from '../../sweep/store.ts';
import { collect, globalOptions, printResult } from '../context.ts';

const log = (m: string) => process.stderr.write(`${m}\n`);

/** `key=v1,v2` → a grid axis; values parse as JSON where they can (`1e-4`, `true`, `[1,2]`). */
export function parseAxis(spec: string): { key: string; values: unknown[] } {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--axis ${spec}: expected key=v1,v2,…`);
  const values = spec
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean)
    .map(parseSetValue);
  if (!values.length) throw new ConfigError(`--axis ${spec}: no values`);
  return { key: spec.slice(0, eq).trim(), values };
}

function table(manifest: SweepManifest, states: SweepRunState[]): string {
  const rows = manifest.runs.map((r) => {
    const s = states[r.index];
    const axes = manifest.sweptKeys.map((k) => `${k}=${formatAxisValue(r.axes[k])}`).join(' ');
    return `  ${r.index}\t${s?.status ?? 'pending'}\t${s?.runId ?? '-'}\t${axes}${s?.detail ? `\t${s.detail}` : ''}`;
  });
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  return [...rows, `  ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}`].join('\n');
}

export function register(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('sweeps: many runs that differ only in swept config keys');

  sweep
    .command('create')
    .description('create a sweep from a file (YAML/JSON) or from --preset/--set/--axis')
    .argument('[file]', 'sweep file')
    .option('--name <name>', 'sweep name (run-name prefix)')
    .option('--preset <name>', 'preset under the overrides')
    .option('--set <key=value>', 'override for every run (repeatable)', collect, [])
    .option('--axis <key=v1,v2>', 'grid axis (repeatable)', collect, [])
    .option('--seeds <n>', 'repeat every point with seed 0..n-1')
    .option('--tag <tag>', 'tag every run (repeatable)', collect, [])
    .action(
      (
        file: string | undefined,
        o: { name?: string; preset?: string; set: string[]; axis: string[]; seeds?: string; tag: string[] },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        if (file && (o.preset || o.set.length || o.axis.length || o.seeds))
          throw new ConfigError('sweep create: give a sweep file or --preset/--set/--axis, not both');
        const def = file
          ? loadSweepFile(file)
          : parseSweepFile(
              {
                ...(o.name ? { name: o.name } : {}),
                ...(o.preset ? { preset: o.preset } : {}),
                overrides: Object.fromEntries(
                  o.set.map((kv) => {
                    const eq = kv.indexOf('=');
                    if (eq <= 0) throw new ConfigError(`--set expects key=value, got "${kv}"`);
                    return [kv.slice(0, eq).trim(), parseSetValue(kv.slice(eq + 1))];
                  }),
                ),
                grid: o.axis.map(parseAxis),
                ...(o.seeds ? { seeds: Number(o.seeds) } : {}),
                tags: o.tag,
              },
              'sweep create',
            );
        if (file && o.name) def.name = o.name;
        const { record, manifest } = createSweep(g.workspace, def, file ?? 'cli');
        printResult(
          g,
          { id: record.id, runs: manifest.runs.length, sweptKeys: manifest.sweptKeys },
          `${record.id}: ${manifest.runs.length} runs over ${manifest.sweptKeys.join(', ') || '(no axes)'}\n${table(manifest, readRunStates(g.workspace, record.id))}`,
        );
      },
    );

  sweep
    .command('launch')
    .description('start a sweep on an executor')
    .argument('<sweep>', 'sweep id, prefix or name')
    .requiredOption('--executor <e>', 'local | ssh:TARGET | batch | slurm:TARGET')
    .option('--max-concurrency <n>', 'at most N runs at once')
    .option('--hours-per-run <h>', 'batch: expected hours per run, for the cost estimate', '1')
    .option('--yes', 'batch: launch after showing the cost estimate (without it only the estimate is shown)')
    .action(
      async (
        ref: string,
        o: { executor: string; maxConcurrency?: string; hoursPerRun: string; yes?: boolean },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        const id = resolveSweepId(g.workspace, ref);
        const maxConcurrency = o.maxConcurrency !== undefined ? Number(o.maxConcurrency) : undefined;
        const settings = { executor: o.executor, maxConcurrency, hoursPerRun: Number(o.hoursPerRun), log };
        const plan = await planLaunch(g.workspace, id, settings);
        if (plan.estimate) {
          log(`cost estimate: ${plan.estimate.text}`);
          if (!o.yes) {
            printResult(
              g,
              { launched: false, estimate: plan.estimate },
              'not launched: re-run with --yes to launch at this cost',
            );
            return;
          }
        }
        const launch = await launchSweep(g.workspace, id, { ...settings, confirmCost: true });
        printResult(
          g,
          { launched: true, id, executor: launch.executor, handle: launch.handle },
          `launched ${id} on ${launch.executor}`,
        );
      },
    );

  const launched = async (workspace: string, ref: string) => {
    const id = resolveSweepId(workspace, ref);
    const launch = readLaunch(workspace, id);
    const record = readSweep(workspace, id);
    const manifest = readManifest(workspace, id);
    const ex = launch ? await getExecutor(parseExecutorSpec(launch.executor), { workspace, log }) : null;
    return { id, launch, record, manifest, ex };
  };

  sweep
    .command('status')
    .description("every run's status (asks the executor; mirrors Batch runs into the run store)")
    .argument('<sweep>')
    .option('--watch', 'keep asking (and mirroring) until every run has ended')
    .option('--every <s>', 'seconds between checks with --watch', '30')
    .action(async (ref: string, o: { watch?: boolean; every: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const { id, launch, record, manifest, ex } = await launched(g.workspace, ref);
      const ask = async () =>
        ex && launch ? await ex.status(record, manifest, launch.handle) : readRunStates(g.workspace, id);
      let states = await ask();
      const ended = (s: SweepRunState[]) =>
        s.every((x) => ['completed', 'failed', 'stopped'].includes(x.status));
      while (o.watch && ex && !ended(states)) {
        log(table(manifest, states).split('\n').pop()!.trim());
        await new Promise((r) => setTimeout(r, Number(o.every) * 1000));
        states = await ask();
      }
      printResult(
        g,
        { id, executor: launch?.executor ?? null, runs: states },
        `${id} on ${launch?.executor ?? '(not launched)'}\n${table(manifest, states)}`,
      );
    });

  sweep
    .command('stop')
    .description('cancel every queued and running run of the sweep, or only run --run i')
    .argument('<sweep>')
    .option('--run <index>', 'stop only this run (its index in the sweep)')
    .action(async (ref: string, o: { run?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const id = resolveSweepId(g.workspace, ref);
      const manifest = readManifest(g.workspace, id);
      const index = o.run === undefined ? undefined : Number(o.run);
      if (index !== undefined && (!Number.isInteger(index) || index < 0))
        throw new ConfigError(`--run ${o.run}: expected a run index (0, 1, …)`);
      const states =
        index === undefined
          ? await stopSweep(g.workspace, id, log)
          : await stopSweepRun(g.workspace, id, index, log);
      printResult(
        g,
        { id, ...(index !== undefined ? { run: index } : {}), runs: states },
        `stopped ${id}${index !== undefined ? ` run ${index}` : ''}\n${table(manifest, states)}`,
      );
    });

  sweep
    .command('runner')
    .description("run a local/SSH sweep's queue in this process (launch starts it; run it again to continue)")
    .argument('<sweep>')
    .argument('[queue]', 'queue id (default: the one in launch.json)')
    .action(async (ref: string, queueId: string | undefined, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const id = resolveSweepId(g.workspace, ref);
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      const q = await runSweepQueue(g.workspace, id, { queueId, signal: ac.signal, log });
      printResult(g, { id, queue: q.id, items: q.items }, `${id}: queue ${q.id} ended`);
    });

  sweep.command('list').action((_o: unknown, cmd: Command) => {
    const g = globalOptions(cmd);
    const rows = listSweeps(g.workspace).map((s) => {
      const states = readRunStates(g.workspace, s.id);
      const done = states.filter((x) => x.status === 'completed').length;
      return {
        id: s.id,
        name: s.definition.name,
        runs: states.length,
        completed: done,
        executor: readLaunch(g.workspace, s.id)?.executor ?? null,
      };
    });
    printResult(
      g,
      { sweeps: rows },
      rows
        .map((r) => `${r.id}\t${r.completed}/${r.runs} done\t${r.executor ?? '(not launched)'}`)
        .join('\n') || '(no sweeps)',
    );
  });
}
