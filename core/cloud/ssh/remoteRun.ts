// Runs on an SSH target: prepare the remote (engine, workspace); a new run (fresh or a fork) is
// created here first — the local mirror's run folder, its config resolved where the user acted —
// and its run.json and config.json are written to the remote run folder over SFTP; then
// `mtl-studio train --run <id>` (or `resume <id>`) is launched detached from the SSH session (setsid
// nohup: it survives disconnects) and remote.json records where the mirror's remote side is.
// Stop, archive and dataset helpers are here too; following the run live is in follow.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { checkpointMark, headerLength } from '../../runs/checkpoints.ts';
import { runsDir } from '../../runs/paths.ts';
import { createRun, type NewRun } from '../../runs/store.ts';
import { CloudError } from '../errors.ts';
import { cloudFiles } from '../paths.ts';
import { cachedPackage, checkEngine, findInstalledEngine, installEngine, packEngine } from './engine.ts';
import { assertRunId, safeSegment } from '../safePath.ts';
import { absoluteRemote, ensureFreeSpace } from './remoteFs.ts';
import { readRemoteState, writeRemoteState, type RemoteRunState } from './remoteState.ts';
import { sq, type SshSession } from './session.ts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface RemoteLayout {
  root: string;
  workspace: string;
  engine: string;
  /** Shell prefix running the engine's CLI on that workspace. */
  cli: string;
}

/** Resolve the remote folders and check (or install) the engine. With `install`, a missing or
 * outdated engine is installed from a fresh `npm pack`; without, it is an error. */
export async function prepareRemote(
  workspace: string,
  s: SshSession,
  opts: { install?: boolean; log?: (m: string) => void } = {},
): Promise<RemoteLayout> {
  const t = s.target;
  const root = await absoluteRemote(s, t.remoteRoot);
  const ws = `${root}/ws`;
  await s.run(`mkdir -p ${sq(ws)}/runs ${sq(root)}/tmp`, `creating ${ws}`);
  let engine = t.enginePath ?? (await findInstalledEngine(s, root));
  if (!t.enginePath && (opts.install || !engine)) {
    if (!opts.install && !engine)
      throw new CloudError(
        'engine-mismatch',
        `no engine installed on ${t.host}; run \`mtl-studio remote install ${t.name}\``,
      );
    const dir = cloudFiles(workspace).engine;
    const cached = cachedPackage(dir);
    const pkg = cached
      ? {
          version: basename(cached).replace(/^.*-(\d[^-]*)\.tgz$/, '$1'),
          tarball: cached,
          sha256: createHash('sha256').update(readFileSync(cached)).digest('hex'),
        }
      : packEngine(dir);
    engine = await installEngine(s, root, pkg, t.installCommand, opts.log);
  }
  await checkEngine(s, engine!);
  return {
    root,
    workspace: ws,
    engine: engine!,
    cli: `${t.node} ${sq(`${engine}/bin/mtl-studio.mjs`)} --workspace ${sq(ws)}`,
  };
}

/** Start a CLI command on the remote in its own session; returns its pid. Output goes to a log
 * file in the remote workspace (read back when the launch fails). */
export async function launchDetached(
  s: SshSession,
  layout: RemoteLayout,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ pid: number; logFile: string }> {
  const logFile = `${layout.workspace}/launch-${Date.now()}.log`;
  const envs = Object.entries(env)
    .map(([k, v]) => `${k}=${sq(v)} `)
    .join('');
  const cmd = `cd ${sq(layout.workspace)} || exit 1; ${envs}setsid nohup ${layout.cli} ${args.map(sq).join(' ')} > ${sq(logFile)} 2>&1 < /dev/null & echo $!`;
  const out = await s.run(cmd, `launching ${args[0]}`);
  const pid = Number(out.trim().split('\n').pop());
  if (!Number.isInteger(pid))
    throw new CloudError('remote-command', `could not read the remote pid from: ${out.trim()}`);
  return { pid, logFile };
}

export const isRemoteAlive = async (s: SshSession, pid: number): Promise<boolean> =>
  (await s.exec(`kill -0 ${pid} 2>/dev/null`)).code === 0;

export interface StartedRemoteRun {
  runId: string;
  localDir: string;
  state: RemoteRunState;
}

/** Write remote.json of a mirrored run whose remote trainer was just launched (an earlier mirror's
 * progress — event offset, fetched files, instance, cost — carries over to a resumed run). */
function initMirror(
  localDir: string,
  s: SshSession,
  layout: RemoteLayout,
  runId: string,
  launched: { pid: number; logFile: string },
  extra: Partial<RemoteRunState> = {},
): StartedRemoteRun {
  const prev = readRemoteState(localDir);
  const state: RemoteRunState = {
    version: 1,
    target: s.target.name,
    host: s.target.host,
    remoteWorkspace: layout.workspace,
    remoteRunDir: `${layout.workspace}/runs/${runId}`,
    enginePath: layout.engine,
    runId,
    pid: launched.pid,
    launchLog: launched.logFile,
    eventsOffset: prev?.eventsOffset ?? 0,
    files: prev?.files ?? {},
    phase: 'streaming',
    lastContact: Date.now(),
    ...(prev?.instanceId ? { instanceId: prev.instanceId } : {}),
    ...(prev?.s3Prefix ? { s3Prefix: prev.s3Prefix } : {}),
    ...(prev?.cost ? { cost: prev.cost } : {}),
    ...extra,
  };
  writeRemoteState(localDir, state);
  return { runId, localDir, state };
}

export type RemoteLaunch =
  /** A new run (fresh, or a fork when `run.parent` names a run of that target's workspace). */
  { command: 'train'; run: NewRun } | { command: 'resume'; runId: string };

/** Start a run on the target and set up its local mirror; the run id is ours from the start (a new
 * run is created here and written there before its trainer starts), so nothing waits for it. */
export async function startRemoteRun(
  workspace: string,
  s: SshSession,
  layout: RemoteLayout,
  launch: RemoteLaunch,
  extra: Partial<RemoteRunState> = {},
): Promise<StartedRemoteRun> {
  if (launch.command === 'resume') {
    const runId = assertRunId(launch.runId, `remote run on ${s.target.host}`);
    const launched = await launchDetached(s, layout, ['resume', runId]);
    return initMirror(join(runsDir(workspace), runId), s, layout, runId, launched, extra);
  }
  const run = createRun(workspace, { ...launch.run, target: s.target.name });
  const remoteDir = `${layout.workspace}/runs/${run.id}`;
  let launched: { pid: number; logFile: string };
  let madeThere = false;
  try {
    // `mkdir` without -p: the id is new on the remote too, or this start stops here.
    await s.run(`mkdir ${sq(remoteDir)}`, `creating ${remoteDir}`);
    madeThere = true;
    await s.run(`mkdir ${sq(`${remoteDir}/checkpoints`)}`, `creating ${remoteDir}/checkpoints`);
    // The remote's own run.json: there the run trains locally.
    await s.writeFile(
      `${remoteDir}/run.json`,
      `${JSON.stringify({ ...run.meta, target: 'local' }, null, 2)}\n`,
    );
    await s.writeFile(`${remoteDir}/config.json`, `${JSON.stringify(run.config, null, 2)}\n`);
    launched = await launchDetached(s, layout, ['train', '--run', run.id]);
  } catch (e) {
    // Nothing trains: neither side keeps a run that never started.
    rmSync(run.dir, { recursive: true, force: true });
    if (madeThere) await s.exec(`rm -rf ${sq(remoteDir)}`).catch(() => undefined);
    throw e;
  }
  return initMirror(run.dir, s, layout, run.id, launched, extra);
}

/** Where `checkpoint` of a run on the target was taken (its safetensors header, read over SFTP):
 * a fork records it in its run.json. */
export async function remoteCheckpointStep(
  s: SshSession,
  layout: RemoteLayout,
  runId: string,
  checkpoint: string,
): Promise<number> {
  const path = `${layout.workspace}/runs/${assertRunId(runId, 'remote fork')}/checkpoints/${safeSegment(checkpoint, 'checkpoint')}.safetensors`;
  const st = await s.stat(path);
  const n = st && !st.isDir ? headerLength(await s.readRange(path, 0, 8)) : null;
  const mark = n === null ? null : checkpointMark(await s.readRange(path, 8, n));
  if (mark?.step === undefined)
    throw new CloudError('not-found', `${path} on ${s.target.host}: no readable checkpoint "${checkpoint}"`);
  return mark.step;
}

/** Ask the remote trainer to stop (SIGTERM to its process group); it writes its own `stopped` status. */
export async function stopRemoteRun(s: SshSession, state: RemoteRunState): Promise<boolean> {
  if (!state.pid || !(await isRemoteAlive(s, state.pid))) return false;
  await s.exec(`kill -TERM -${state.pid} 2>/dev/null || kill -TERM ${state.pid}`);
  return true;
}

/** Build the submission archive on the remote and download it. */
export async function remoteArchive(
  s: SshSession,
  layout: RemoteLayout,
  runId: string,
  localOut: string,
  args: string[] = [],
): Promise<string> {
  const remote = `${layout.workspace}/archives/${assertRunId(runId, 'remote archive')}.zip`;
  await s.run(
    `mkdir -p ${sq(`${layout.workspace}/archives`)} && ${layout.cli} archive ${sq(runId)} --out ${sq(remote)} ${args.map(sq).join(' ')}`,
    'building the archive',
    { timeoutMs: 60 * 60_000 },
  );
  const tmp = `${localOut}.part`;
  await s.getFile(remote, tmp);
  renameSync(tmp, localOut);
  return localOut;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  return total;
}

export type DatasetSource =
  | { kind: 'upload'; localDir: string; name?: string }
  | { kind: 'generate'; name: string; args: string[] }
  /** Fetched by the remote itself; `s3Config` = a remote S3 settings file (see writeRemoteS3Config),
   * absent = the remote's own <workspace>/cloud/s3.json or instance profile. */
  | { kind: 's3'; uri: string; name: string; s3Config?: string };

/** Hand S3 settings to the remote (mode 600 in its root); returns the remote path. */
export async function writeRemoteS3Config(
  s: SshSession,
  layout: RemoteLayout,
  settings: unknown,
): Promise<string> {
  const path = `${layout.root}/s3.json`;
  await s.writeFile(path, JSON.stringify(settings), 0o600);
  return path;
}

/** Put a dataset on the remote; returns the remote folder to use as `data.root`. */
export async function remoteDataset(
  s: SshSession,
  layout: RemoteLayout,
  src: DatasetSource,
  log: (m: string) => void = () => {},
): Promise<string> {
  // One plain folder name under <workspace>/datasets: `--as ../runs` would otherwise make the
  // `rm -rf` below delete the remote runs folder.
  const name = safeSegment(
    src.kind === 'upload' ? (src.name ?? basename(src.localDir)) : src.name,
    'remote dataset name',
  );
  const dest = `${layout.workspace}/datasets/${name}`;
  await s.run(`mkdir -p ${sq(`${layout.workspace}/datasets`)}`, 'creating the datasets folder');
  if (src.kind === 'generate') {
    await s.run(
      `${layout.cli} generate-data --out ${sq(dest)} ${src.args.map(sq).join(' ')}`,
      'remote generate-data',
      { timeoutMs: 60 * 60_000 },
    );
    return dest;
  }
  if (src.kind === 's3') {
    const cfg = src.s3Config ? ` --s3-config ${sq(src.s3Config)}` : '';
    await s.run(`${layout.cli} s3 pull ${sq(src.uri)} ${sq(dest)}${cfg}`, 'remote S3 download', {
      timeoutMs: 60 * 60_000,
    });
    return dest;
  }
  // upload: one tar.gz (many small files are slow over SFTP), unpacked into a temporary folder
  // that is renamed into place only when complete.
  const tmp = mkdtempSync(join(tmpdir(), 'mtl-ds-'));
  try {
    const tgz = join(tmp, 'dataset.tgz');
    const r = spawnSync('tar', ['czf', tgz, '-C', src.localDir, '.'], { encoding: 'utf8' });
    if (r.status !== 0) throw new CloudError('bad-config', `cannot pack ${src.localDir}: ${r.stderr.trim()}`);
    const size = statSync(tgz).size;
    // Room for the archive and for its unpacked files (both sit on the remote at once).
    await ensureFreeSpace(s, `${layout.root}/tmp`, size + folderBytes(src.localDir));
    const remoteTgz = `${layout.root}/tmp/dataset-${Date.now()}.tgz`;
    log(`uploading ${src.localDir} (${(size / 1e6).toFixed(1)} MB)`);
    try {
      await s.putFile(tgz, remoteTgz);
      await s.run(
        `set -e; rm -rf ${sq(dest)}.part; mkdir -p ${sq(dest)}.part; tar xzf ${sq(remoteTgz)} -C ${sq(dest)}.part; rm -rf ${sq(dest)}; mv ${sq(dest)}.part ${sq(dest)}`,
        'unpacking the dataset',
      );
    } finally {
      await s.exec(`rm -rf ${sq(remoteTgz)} ${sq(dest)}.part`);
    }
    return dest;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
