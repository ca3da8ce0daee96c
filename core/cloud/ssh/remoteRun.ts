// Runs on an SSH target: prepare the remote (engine, workspace), launch `mtl-studio train | resume |
// fork` detached from the SSH session (setsid nohup: it survives disconnects), find the run folder
// it creates, and set up the local mirror run (run.json target = the target's name, remote.json).
// Stop, archive and dataset helpers are here too; following the run live is in follow.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { runsDir } from '../../runs/paths.ts';
import { CloudError } from '../errors.ts';
import { cloudFiles } from '../paths.ts';
import { sleep } from './connect.ts';
import { cachedPackage, checkEngine, findInstalledEngine, installEngine, packEngine } from './engine.ts';
import { mirrorFiles } from './mirror.ts';
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

const listRemoteRuns = async (s: SshSession, ws: string): Promise<string[]> =>
  (await s.list(`${ws}/runs`)).filter((e) => e.isDir).map((e) => e.name);

/** Wait for the run folder a freshly launched trainer creates (the one absent before launch). */
async function waitForNewRun(
  s: SshSession,
  layout: RemoteLayout,
  before: Set<string>,
  pid: number,
  logFile: string,
): Promise<string> {
  for (let i = 0; i < 240; i++) {
    const fresh = (await listRemoteRuns(s, layout.workspace)).filter((n) => !before.has(n));
    // The remote names the run folder we then mirror into ours: it must be a run id, nothing else.
    for (const id of fresh) assertRunId(id, `new run folder in ${layout.workspace}/runs on ${s.target.host}`);
    if (fresh.length === 1) return fresh[0];
    if (fresh.length > 1) {
      for (const id of fresh) {
        const lock = await s.exec(`cat ${sq(`${layout.workspace}/runs/${id}/trainer.pid`)} 2>/dev/null`);
        if (lock.stdout.includes(`"pid":${pid}`)) return id;
      }
    }
    if (!(await isRemoteAlive(s, pid))) {
      const tail = await s.exec(`tail -n 5 ${sq(logFile)}`);
      throw new CloudError(
        'remote-command',
        `remote trainer exited before creating a run: ${tail.stdout.trim().split('\n').pop() ?? ''}`,
      );
    }
    await sleep(250);
  }
  throw new CloudError(
    'timeout',
    `no run folder appeared in ${layout.workspace}/runs within 60 s (log: ${logFile})`,
  );
}

export interface StartedRemoteRun {
  runId: string;
  localDir: string;
  state: RemoteRunState;
}

/** Create/refresh the local mirror folder of a remote run and its remote.json. */
async function initMirror(
  workspace: string,
  s: SshSession,
  layout: RemoteLayout,
  runId: string,
  pid: number,
  extra: Partial<RemoteRunState> = {},
): Promise<StartedRemoteRun> {
  const localDir = join(runsDir(workspace), assertRunId(runId, `remote run on ${s.target.host}`));
  mkdirSync(localDir, { recursive: true });
  const prev = readRemoteState(localDir);
  const state: RemoteRunState = {
    version: 1,
    target: s.target.name,
    host: s.target.host,
    remoteWorkspace: layout.workspace,
    remoteRunDir: `${layout.workspace}/runs/${runId}`,
    enginePath: layout.engine,
    runId,
    pid,
    eventsOffset: prev?.eventsOffset ?? 0,
    files: prev?.files ?? {},
    phase: 'streaming',
    lastContact: Date.now(),
    ...(prev?.instanceId ? { instanceId: prev.instanceId } : {}),
    ...(prev?.s3Prefix ? { s3Prefix: prev.s3Prefix } : {}),
    ...(prev?.cost ? { cost: prev.cost } : {}),
    ...extra,
  };
  // run.json and config.json first, so the run store lists the run at once.
  for (let i = 0; i < 40 && !state.files['run.json']; i++) {
    await mirrorFiles(s, state, localDir);
    if (!state.files['run.json']) await sleep(250);
  }
  writeRemoteState(localDir, state);
  return { runId, localDir, state };
}

export type RemoteLaunch =
  | { command: 'train'; args: string[] }
  | { command: 'resume'; runId: string; args?: string[] }
  | { command: 'fork'; runId: string; args: string[] };

/** Launch train/resume/fork on the target and create its local mirror. `args` are CLI options of
 * the engine command (`--preset P`, `--set k=v`, `--config <remote file>`). */
export async function startRemoteRun(
  workspace: string,
  s: SshSession,
  layout: RemoteLayout,
  launch: RemoteLaunch,
  extra: Partial<RemoteRunState> = {},
): Promise<StartedRemoteRun> {
  const before = new Set(await listRemoteRuns(s, layout.workspace));
  const argv =
    launch.command === 'train'
      ? ['train', ...launch.args]
      : launch.command === 'resume'
        ? ['resume', launch.runId, ...(launch.args ?? [])]
        : ['fork', launch.runId, ...launch.args];
  const { pid, logFile } = await launchDetached(s, layout, argv);
  const runId =
    launch.command === 'resume' ? launch.runId : await waitForNewRun(s, layout, before, pid, logFile);
  return initMirror(workspace, s, layout, runId, pid, extra);
}

/** Upload a local config file for `--config`; returns its remote path. */
export async function uploadConfig(s: SshSession, layout: RemoteLayout, localFile: string): Promise<string> {
  const remote = `${layout.root}/tmp/config-${Date.now()}-${basename(localFile)}`;
  await s.putFile(localFile, remote);
  return remote;
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
