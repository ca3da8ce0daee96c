// `mtl-studio runs list | show RUN | export-csv FILE | note RUN TEXT | tag RUN TAG | untag RUN TAG`:
// the run table of the workspace, one run in detail, the CSV exports, and editing notes and tags.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { epochsDone } from '../../api/events.ts';
import { listCheckpoints } from '../../runs/checkpoints.ts';
import { runTableCsv, scoresCsv } from '../../runs/csv.ts';
import { readEvents } from '../../runs/events.ts';
import {
  addTag,
  listRuns,
  readRunDir,
  removeTag,
  resolveRun,
  setNotes,
  type RunInfo,
} from '../../runs/store.ts';
import { globalOptions, printResult } from '../context.ts';

const n2 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(2));

/** "done/total" epochs, as the studio shows them: the summary's epoch is the 0-based epoch of the
 * latest event, still in progress unless the run completed. */
const epochProgress = (r: RunInfo) => {
  const epochs = r.config.train.epochs;
  return `${epochsDone({ status: r.summary.status, epoch: r.summary.epoch, epochs })}/${epochs}`;
};

/** One line per run: the table `runs list` prints. */
function table(runs: RunInfo[]): string {
  const rows = runs.map((r) => [
    r.id,
    r.summary.status,
    epochProgress(r),
    String(r.summary.step),
    n2(r.summary.best?.metrics.multitask),
    n2(r.summary.best?.metrics.miou),
    n2(r.summary.best?.metrics.si_log_rmse),
    r.meta.tags.join(','),
    r.meta.notes.split('\n')[0]!.slice(0, 40),
  ]);
  const header = ['id', 'status', 'epochs', 'step', 'multitask', 'mIoU', 'SI-log', 'tags', 'notes'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const brief = (r: RunInfo) => ({ ...r.meta, dir: r.dir, summary: r.summary });

export function register(program: Command): void {
  const runs = program.command('runs').description('list, inspect, annotate and export runs');

  runs
    .command('list')
    .description('the runs of the workspace, oldest first')
    .option('--tag <tag>', 'only runs with this tag')
    .action((opts: { tag?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const all = listRuns(g.workspace).filter((r) => !opts.tag || r.meta.tags.includes(opts.tag));
      printResult(g, { runs: all.map(brief) }, all.length ? table(all) : `no runs in ${g.workspace}`);
    });

  runs
    .command('show')
    .description('one run: metadata, status, best/last metrics, checkpoints, config')
    .argument('<run>', 'run id, prefix, name, "latest", or folder')
    .action((ref: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const r = readRunDir(resolveRun(g.workspace, ref));
      const checkpoints = listCheckpoints(r.dir);
      const { events } = readEvents(r.dir);
      const s = r.summary;
      const point = (label: string, p: typeof s.best) =>
        p
          ? `${label}: multitask ${n2(p.metrics.multitask)}  mIoU ${n2(p.metrics.miou)}  SI-logRMSE ${n2(p.metrics.si_log_rmse)}  (epoch ${p.epoch + 1}, step ${p.step})`
          : `${label}: —`;
      const human = [
        `${r.id}  ${r.meta.name}`,
        `dir: ${r.dir}`,
        `status: ${s.status}${s.message ? ` (${s.message})` : ''}, step ${s.step}, epochs ${epochProgress(r)}`,
        `created: ${r.meta.createdAt}${r.meta.preset ? `, preset ${r.meta.preset}` : ''}${r.meta.parent ? `, fork of ${r.meta.parent.run}:${r.meta.parent.checkpoint}@${r.meta.parent.step}` : ''}`,
        `tags: ${r.meta.tags.join(', ') || '—'}`,
        `notes: ${r.meta.notes || '—'}`,
        `params: ${s.params ?? '—'}, backend: ${s.backend ? `${s.backend.name} ${s.backend.version}` : '—'}, ${s.msPerStep ? `${s.msPerStep.toFixed(0)} ms/step` : ''}${s.peakRssMb ? `, peak RSS ${s.peakRssMb.toFixed(0)} MB` : ''}`,
        point('best', s.best),
        point('last', s.last),
        ...Object.entries(s.evals)
          .filter(([k]) => k !== 'val')
          .map(([k, p]) => point(`eval ${k}`, p)),
        `checkpoints: ${checkpoints.map((c) => `${c.kind}@${c.step ?? '?'} (${(c.bytes / 2 ** 20).toFixed(1)} MB)`).join(', ') || '—'}`,
        `events: ${events.length}${s.superseded ? ` (${s.superseded} superseded by resumes)` : ''}`,
      ].join('\n');
      printResult(g, { ...brief(r), config: r.config, checkpoints, events: events.length }, human);
    });

  runs
    .command('export-csv')
    .description('write the run table (with a notes column) or the scores sheet as CSV')
    .argument('<file>', 'output CSV file ("-" for stdout)')
    .option('--scores', 'the scores sheet (best and latest evaluations per split) instead of the run table')
    .option('--tag <tag>', 'only runs with this tag')
    .action((file: string, opts: { scores?: boolean; tag?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const all = listRuns(g.workspace).filter((r) => !opts.tag || r.meta.tags.includes(opts.tag));
      const csv = opts.scores ? scoresCsv(all) : runTableCsv(all);
      if (file === '-') process.stdout.write(csv);
      else writeFileSync(file, csv);
      if (file !== '-' || g.json) printResult(g, { file, runs: all.length }, `${all.length} runs → ${file}`);
    });

  runs
    .command('note')
    .description('set the free-text notes of a run (where it is used, what it shows)')
    .argument('<run>')
    .argument('<text>')
    .action((ref: string, text: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const meta = setNotes(resolveRun(g.workspace, ref), text);
      printResult(g, meta, `${meta.id}: notes set`);
    });

  runs
    .command('tag')
    .description('add a tag to a run')
    .argument('<run>')
    .argument('<tag>')
    .action((ref: string, tag: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const meta = addTag(resolveRun(g.workspace, ref), tag);
      printResult(g, meta, `${meta.id}: tags ${meta.tags.join(', ')}`);
    });

  runs
    .command('untag')
    .description('remove a tag from a run')
    .argument('<run>')
    .argument('<tag>')
    .action((ref: string, tag: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const meta = removeTag(resolveRun(g.workspace, ref), tag);
      printResult(g, meta, `${meta.id}: tags ${meta.tags.join(', ') || '—'}`);
    });
}
