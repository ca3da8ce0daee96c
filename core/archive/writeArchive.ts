// Writes the submission archive of a run (SPEC §8; layout in layout.ts) as one zip streamed with
// yazl (ZIP64 when sizes require it), into `<out>.partial` then renamed, so a reader never sees a
// half-written archive. Every entry is hashed while it streams; manifest.json (last) lists them.
// The test predictions must come from the very checkpoint file that goes in (their provenance.json,
// written by `predict`, names its sha256): otherwise the archive is refused (StalePredictionsError)
// and the manifest states the provenance of what it holds.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { Transform } from 'node:stream';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { readEvents } from '../runs/events.ts';
import { checkpointPath, runFiles } from '../runs/paths.ts';
import { fileSha256, readProvenance, stalePredictionsReason } from '../runs/predictions.ts';
import { metricsCsv } from '../runs/csv.ts';
import {
  MANIFEST,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  PREDICTION_KINDS,
  formatIndices,
  predictionEntry,
  type Manifest,
  type ManifestEntry,
} from './layout.ts';

export interface WriteArchiveOptions {
  runDir: string;
  outFile: string;
  /** Which checkpoint goes in (default best: the one picked by validation multitask). */
  checkpoint?: 'best' | 'last';
  /** The engine source to include (default: the installed package this module belongs to). */
  sourceRoot?: string;
  onProgress?: (p: { done: number; total: number; entry: string }) => void;
  signal?: AbortSignal;
}

export interface ArchiveResult {
  outFile: string;
  entries: number;
  predictions: number;
  bytes: number;
  checkpoint: string;
  /** Step of the archived checkpoint (which made the predictions). */
  step: number;
  provenance: NonNullable<Manifest['provenance']>;
}

/** The package root of the running engine: two folders up from core/archive/. */
export const ENGINE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Source = { file: string } | { buffer: Buffer };
interface PlannedEntry {
  path: string;
  source: Source;
  compress: boolean;
}

/** The run's test predictions were not made by the checkpoint to archive (or are missing). */
export class StalePredictionsError extends Error {
  override name = 'StalePredictionsError';
  constructor(
    readonly reason: string,
    readonly predictCommand: string,
  ) {
    super(`${reason}; run \`${predictCommand}\` first (or archive with --predict)`);
  }
}

/** Why the run's test predictions cannot go into an archive of checkpoint `kind`, or null. */
export async function stalePredictions(
  runDir: string,
  kind: 'best' | 'last',
): Promise<StalePredictionsError | null> {
  const ckpt = checkpointPath(runDir, kind);
  if (!existsSync(ckpt)) return null; // writeArchive names the missing checkpoint
  const reason = stalePredictionsReason(runDir, 'test', { kind, sha256: await fileSha256(ckpt) });
  return reason
    ? new StalePredictionsError(
        reason,
        `mtl-studio predict ${basename(runDir)} --checkpoint ${kind} --split test`,
      )
    : null;
}

export async function writeArchive(opts: WriteArchiveOptions): Promise<ArchiveResult> {
  const runDir = resolve(opts.runDir);
  const kind = opts.checkpoint ?? 'best';
  const files = runFiles(runDir);
  if (!existsSync(files.config)) throw new Error(`${runDir}: not a run folder (no config.json)`);
  const ckpt = checkpointPath(runDir, kind);
  if (!existsSync(ckpt))
    throw new Error(
      `${ckpt}: missing ${kind} checkpoint${kind === 'best' ? ' (no validation yet? try --checkpoint last)' : ''}`,
    );
  const stale = await stalePredictions(runDir, kind);
  if (stale) throw stale;
  const provenance = readProvenance(runDir, 'test')!;
  const count = predictionCount(runDir);
  if (count !== provenance.images)
    throw new StalePredictionsError(
      `${join(files.predictions, 'test')}: holds ${count} predictions but its provenance.json records ${provenance.images}`,
      `mtl-studio predict ${basename(runDir)} --checkpoint ${kind} --split test`,
    );
  const meta = existsSync(files.meta)
    ? (JSON.parse(await readFile(files.meta, 'utf8')) as { id?: string; name?: string })
    : {};

  const plan: PlannedEntry[] = [];
  for (let i = 0; i < count; i++)
    for (const k of PREDICTION_KINDS)
      plan.push({
        path: predictionEntry(k, i),
        source: { file: join(files.predictions, 'test', k, `${i}.png`) },
        compress: false, // PNGs are already deflated
      });
  plan.push({ path: `checkpoint/${basename(ckpt)}`, source: { file: ckpt }, compress: false });
  plan.push({ path: 'config.json', source: { file: files.config }, compress: true });
  if (existsSync(files.meta)) plan.push({ path: 'run.json', source: { file: files.meta }, compress: true });
  plan.push({
    path: 'metrics.csv',
    source: { buffer: Buffer.from(metricsCsv(readEvents(runDir).events)) },
    compress: true,
  });
  if (existsSync(files.log)) plan.push({ path: 'train.log', source: { file: files.log }, compress: true });
  for (const f of engineSourceFiles(opts.sourceRoot ?? ENGINE_ROOT))
    plan.push({ path: `source/${f.rel}`, source: { file: f.abs }, compress: true });

  const manifestBase = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    createdAt: new Date().toISOString(),
    run: { id: meta.id ?? basename(runDir), name: meta.name ?? '' },
    checkpoint: {
      kind,
      path: `checkpoint/${basename(ckpt)}`,
      step: provenance.checkpoint.step,
      sha256: provenance.checkpoint.sha256,
    },
    predictions: count,
    provenance: {
      split: provenance.split,
      createdAt: provenance.createdAt,
      checkpoint: provenance.checkpoint,
      tta: provenance.tta,
    },
  } satisfies Omit<Manifest, 'entries'>;
  const bytes = await streamZip(plan, manifestBase, resolve(opts.outFile), opts);
  return {
    outFile: resolve(opts.outFile),
    entries: plan.length + 1,
    predictions: count,
    bytes,
    checkpoint: manifestBase.checkpoint.path,
    step: provenance.checkpoint.step,
    provenance: manifestBase.provenance,
  };
}

/** N when predictions/test/{semseg,depth}/ hold exactly 0..N−1 each; a precise error otherwise. */
function predictionCount(runDir: string): number {
  const dir = join(runFiles(runDir).predictions, 'test');
  const hint = `run \`mtl-studio predict ${basename(runDir)}\` first`;
  const indices: Record<string, number[]> = {};
  for (const k of PREDICTION_KINDS) {
    const d = join(dir, k);
    if (!existsSync(d)) throw new Error(`${d}: no test predictions; ${hint}`);
    indices[k] = readdirSync(d)
      .flatMap((n) => {
        const m = /^(0|[1-9]\d*)\.png$/.exec(n);
        return m ? [Number(m[1])] : [];
      })
      .sort((a, b) => a - b);
  }
  const n = Math.max(...PREDICTION_KINDS.map((k) => indices[k]!.length));
  if (n === 0) throw new Error(`${dir}: no test predictions; ${hint}`);
  const count = Math.max(...PREDICTION_KINDS.map((k) => (indices[k]!.at(-1) ?? -1) + 1));
  for (const k of PREDICTION_KINDS) {
    const have = new Set(indices[k]);
    const missing: number[] = [];
    for (let i = 0; i < count; i++) if (!have.has(i)) missing.push(i);
    if (missing.length)
      throw new Error(
        `${join(dir, k)}: incomplete predictions, missing ${formatIndices(missing)} of 0–${count - 1}; ${hint}`,
      );
  }
  return count;
}

/** core/** plus package.json and package-lock.json of the engine, sorted, dotfiles skipped. */
function engineSourceFiles(root: string): { rel: string; abs: string }[] {
  const out: { rel: string; abs: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const abs = join(dir, name);
      const st = statSync(abs);
      if (st.isDirectory()) walk(abs);
      else if (st.isFile()) out.push({ rel: relative(root, abs).split(sep).join('/'), abs });
    }
  };
  const core = join(root, 'core');
  if (!existsSync(core)) throw new Error(`${root}: engine source not found (no core/ folder)`);
  walk(core);
  for (const f of ['package.json', 'package-lock.json'])
    if (existsSync(join(root, f))) out.push({ rel: f, abs: join(root, f) });
  return out;
}

async function streamZip(
  plan: PlannedEntry[],
  manifestBase: Omit<Manifest, 'entries'>,
  outFile: string,
  opts: WriteArchiveOptions,
): Promise<number> {
  const partial = `${outFile}.partial`;
  const zip = new yazl.ZipFile();
  const out = createWriteStream(partial);
  const entries: ManifestEntry[] = new Array(plan.length);
  let done = 0;
  const total = plan.length + 1;
  const progress = (entry: string) => opts.onProgress?.({ done: ++done, total, entry });

  const finished = new Promise<void>((res, rej) => {
    out.on('close', res);
    out.on('error', rej);
    zip.outputStream.on('error', rej);
    zip.on('error', rej);
  });
  let onAbort = () => {};
  const aborted = new Promise<never>((_, rej) => {
    onAbort = () => rej(opts.signal!.reason ?? new Error('archive: aborted'));
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
  zip.outputStream.pipe(out);

  const hashed = plan.map(
    (e, i) =>
      new Promise<void>((res, rej) => {
        const record = (size: number, sha256: string) => {
          entries[i] = { path: e.path, size, sha256 };
          progress(e.path);
          res();
        };
        if ('buffer' in e.source) {
          const buf = e.source.buffer;
          zip.addBuffer(buf, e.path, { compress: e.compress });
          record(buf.length, createHash('sha256').update(buf).digest('hex'));
          return;
        }
        const file = e.source.file;
        const size = statSync(file).size;
        // Opened only when yazl reaches the entry: thousands of predictions, few open files.
        zip.addReadStreamLazy(e.path, { size, compress: e.compress }, (cb) => {
          if (opts.signal?.aborted) return cb(new Error('archive: aborted'), undefined as never);
          const hash = createHash('sha256');
          let n = 0;
          const tap = new Transform({
            transform(chunk: Buffer, _enc, next) {
              hash.update(chunk);
              n += chunk.length;
              next(null, chunk);
            },
            flush(next) {
              record(n, hash.digest('hex'));
              next();
            },
          });
          const src = createReadStream(file);
          src.on('error', (err) => {
            rej(new Error(`${file}: cannot read (${err.message})`));
            tap.destroy(err);
          });
          cb(null, src.pipe(tap));
        });
      }),
  );

  try {
    await Promise.race([
      Promise.all(hashed).then(() => {
        // The checkpoint as it went into the zip must be the file the predictions came from (a
        // running trainer may replace `last` while the archive is written).
        const ck = entries.find((e) => e.path === manifestBase.checkpoint.path);
        if (ck && ck.sha256 !== manifestBase.checkpoint.sha256)
          throw new Error(
            `${manifestBase.checkpoint.path}: the checkpoint changed while the archive was written (still training?); archive again`,
          );
        const manifest: Manifest = { ...manifestBase, entries };
        zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2)), MANIFEST, { compress: true });
        progress(MANIFEST);
        zip.end();
      }),
      aborted,
      finished, // rejects on a write or zip error
    ]);
    await Promise.race([finished, aborted]);
  } catch (e) {
    zip.outputStream.unpipe(out);
    // Drain what yazl still produces so the open input stream finishes and closes; the next lazy
    // entry sees the abort and stops yazl.
    zip.outputStream.resume();
    out.destroy();
    await rm(partial, { force: true });
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  await rename(partial, outFile);
  return statSync(outFile).size;
}
