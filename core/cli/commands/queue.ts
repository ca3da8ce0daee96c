// `mtl-studio queue …`: experiment queues — a grid of configs run across local + SSH targets.
import type { Command } from 'commander';
import { gridName, parseGrid } from '../../cloud/queue/grid.ts';
import { loadConfig } from '../../config/load.ts';
import {
  cancelItem,
  createQueue,
  listQueues,
  readQueue,
  runQueue,
  type QueueState,
} from '../../cloud/queue/queue.ts';
import { collect, globalOptions, printResult } from '../context.ts';

const table = (q: QueueState) =>
  [
    `${q.id}  targets: ${q.targets.join(', ')}`,
    ...q.items.map(
      (i) =>
        `  ${i.index}\t${i.status}\t${i.target ?? '-'}\t${i.runId ?? '-'}\t${i.name}${i.error ? `\t${i.error}` : ''}`,
    ),
  ].join('\n');

export function register(program: Command): void {
  const queue = program
    .command('queue')
    .description('experiment queues: a grid of configs across local + remote targets');

  queue
    .command('create')
    .description('create a queue from a grid (cartesian product of --grid axes)')
    .option('--grid <key=v1,v2>', 'an axis of the grid (repeatable)', collect, [])
    .option(
      '--target <name>',
      '`local` or an SSH target name (repeatable; one run per target at a time)',
      collect,
      [],
    )
    .option('--preset <name>', 'preset for every item')
    .option('--set <key=value>', 'override for every item (repeatable)', collect, [])
    .option('--name <name>', 'run name prefix', 'grid')
    .option('--run', 'run it now')
    .action(
      async (
        o: { grid: string[]; target: string[]; preset?: string; set: string[]; name: string; run?: boolean },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        // Every point's config is resolved now, where the user typed it (a bad value fails here,
        // naming its key, not hours later on some target).
        const q = createQueue(g.workspace, {
          targets: o.target.length ? o.target : ['local'],
          items: parseGrid(o.grid).map((point) => ({
            name: point.length ? `${o.name}-${gridName(point)}` : o.name,
            config: loadConfig({ preset: o.preset, sets: [...o.set, ...point] }),
            ...(o.preset ? { preset: o.preset } : {}),
          })),
        });
        const done = o.run
          ? await runQueue(g.workspace, q.id, {
              onChange: (_q, i) =>
                process.stderr.write(`${i.index} ${i.status} ${i.target ?? ''} ${i.runId ?? ''}\n`),
            })
          : q;
        printResult(g, done, table(done));
      },
    );

  queue
    .command('run')
    .description('run (or continue) a queue to its end')
    .argument('<id>')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const ac = new AbortController();
      process.once('SIGINT', () => ac.abort());
      const q = await runQueue(g.workspace, id, {
        signal: ac.signal,
        onChange: (_q, i) =>
          process.stderr.write(`${i.index} ${i.status} ${i.target ?? ''} ${i.runId ?? ''}\n`),
      });
      printResult(g, q, table(q));
    });

  queue.command('list').action((_o: unknown, cmd: Command) => {
    const g = globalOptions(cmd);
    const qs = listQueues(g.workspace);
    printResult(
      g,
      { queues: qs },
      qs
        .map(
          (q) =>
            `${q.id}\t${q.items.filter((i) => i.status === 'completed').length}/${q.items.length} done\t${q.targets.join(',')}`,
        )
        .join('\n') || '(no queues)',
    );
  });

  queue
    .command('show')
    .argument('<id>')
    .action((id: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const q = readQueue(g.workspace, id);
      printResult(g, q, table(q));
    });

  queue
    .command('cancel')
    .description(
      'cancel items: a waiting item is never started (also by a runner started later); a training one is stopped (it checkpoints)',
    )
    .argument('<id>')
    .argument('<index...>', 'item indices (see `queue show`)')
    .action(async (id: string, indices: string[], _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      for (const raw of indices) {
        const index = Number(raw);
        if (!Number.isInteger(index) || index < 0)
          throw new Error(`queue cancel: item index must be a whole number ≥ 0, got "${raw}"`);
        await cancelItem(g.workspace, id, index);
      }
      const q = readQueue(g.workspace, id);
      printResult(g, q, table(q));
    });
}
