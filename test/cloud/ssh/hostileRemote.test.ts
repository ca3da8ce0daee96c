// A hostile remote (test/cloud/hostileRemote.ts: a real SSH server whose SFTP listing and command
// output are made up) tries to make the mirror write outside the local run folder: file names like
// `../../escape`, run ids like `../../outside`, dataset names like `../runs`. (A new run's id is ours:
// the remote's run folder names are never read to find it.) Each is refused with a clear
// `unsafe-path` error before anything is written here (or deleted there).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { openTarget } from '../../../core/cloud/ssh/connect.ts';
import { followRemoteRun } from '../../../core/cloud/ssh/follow.ts';
import { mirrorFiles } from '../../../core/cloud/ssh/mirror.ts';
import { remoteDataset, startRemoteRun, type RemoteLayout } from '../../../core/cloud/ssh/remoteRun.ts';
import { writeRemoteState, type RemoteRunState } from '../../../core/cloud/ssh/remoteState.ts';
import type { SshSession } from '../../../core/cloud/ssh/session.ts';
import { saveTarget, type SshTarget } from '../../../core/cloud/ssh/target.ts';
import { trustHostKey } from '../../../core/cloud/ssh/trust.ts';
import { hostileTarget, startHostileRemote, type HostileRemote } from '../hostileRemote.ts';

const RUN = '20260101-000000-victim-abcd';
const layout: RemoteLayout = { root: '/r', workspace: '/r/ws', engine: '/r/engine', cli: 'node cli' };
let remote: HostileRemote;
let ws: string;
let target: SshTarget;
let s: SshSession;

beforeAll(async () => {
  remote = await startHostileRemote();
  ws = mkdtempSync(join(tmpdir(), 'mtl-ws-'));
  target = saveTarget(ws, hostileTarget(remote));
  await trustHostKey(ws, target);
  s = await openTarget(ws, target);
});
afterAll(async () => {
  s.close();
  await remote.close();
  rmSync(ws, { recursive: true, force: true });
});
beforeEach(() => {
  remote.tree.clear();
  remote.commands.length = 0;
  remote.exec = (cmd) => (cmd.startsWith('date') ? { stdout: `${Math.floor(Date.now() / 1000)}\n` } : {});
});

const runDir = `${layout.workspace}/runs/${RUN}`;
const state = (): RemoteRunState => ({
  version: 1,
  target: target.name,
  host: target.host,
  remoteWorkspace: layout.workspace,
  remoteRunDir: runDir,
  enginePath: layout.engine,
  runId: RUN,
  pid: 4242,
  eventsOffset: 0,
  files: {},
  phase: 'streaming',
});
/** Every file under `dir`, relative. */
const filesUnder = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
    : [];

describe('a hostile remote cannot write outside the local run folder', () => {
  it.each([
    ['../../escape', 'contains "/"'],
    ['..\\..\\escape', 'contains "\\"'],
    ['evil\0name', 'NUL'],
  ])('refuses the remote file name %j before writing anything', async (name, why) => {
    remote.tree.set(runDir, [
      { name: 'run.json', data: JSON.stringify({ id: RUN, target: 'local' }) },
      { name, data: 'pwned' },
    ]);
    const localDir = join(ws, 'runs', RUN);
    mkdirSync(localDir, { recursive: true });
    const err = await mirrorFiles(s, state(), localDir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unsafe-path' });
    expect((err as Error).message).toContain(JSON.stringify(name));
    expect((err as Error).message).toContain(why);
    // Nothing landed anywhere: not beside the workspace, not even the harmless run.json.
    expect(existsSync(resolve(localDir, '../../escape'))).toBe(false);
    expect(filesUnder(ws).filter((f) => !f.endsWith('targets.json') && !f.endsWith('known_hosts'))).toEqual(
      [],
    );
  });

  it('refuses a hostile name in a sub-folder, and fetches only regular files', async () => {
    remote.tree.set(runDir, [{ name: 'run.json', data: '{}' }, { name: 'media' }]);
    remote.tree.set(`${runDir}/media`, [
      { name: 'ok.png', data: 'png' },
      { name: '../../../../escape', data: 'x' },
    ]);
    const localDir = join(ws, 'runs', RUN);
    await expect(mirrorFiles(s, state(), localDir)).rejects.toMatchObject({
      code: 'unsafe-path',
      message: expect.stringMatching(
        /remote file name "\.\.\/\.\.\/\.\.\/\.\.\/escape" in \/r\/ws\/runs\/.*\/media/,
      ),
    });
    expect(existsSync(resolve(localDir, 'media/../../../../escape'))).toBe(false);
    expect(filesUnder(join(ws, 'runs'))).toEqual([]);
  });

  it('following such a run stops at once with the error (no reconnect loop)', async () => {
    remote.tree.set(runDir, [{ name: '../../escape', data: 'x' }]);
    remote.exec = (cmd) =>
      cmd.startsWith('kill -0') ? { code: 1 } : cmd.startsWith('date') ? { stdout: '1\n' } : {};
    const localDir = join(ws, 'runs', RUN);
    mkdirSync(localDir, { recursive: true });
    writeRemoteState(localDir, state());
    const t0 = Date.now();
    await expect(followRemoteRun(ws, localDir, { target, pollMs: 50 })).rejects.toMatchObject({
      code: 'unsafe-path',
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(existsSync(resolve(localDir, '../../escape'))).toBe(false);
  });

  it('a new run whose id the remote already holds stops the start; neither side loses a run', async () => {
    // `mkdir` of the run folder fails there (the id is taken): nothing is written, nothing deleted.
    remote.exec = (cmd) => (cmd.startsWith('mkdir') ? { code: 1 } : {});
    const config = resolveConfig({});
    const runsHere = () => (existsSync(join(ws, 'runs')) ? readdirSync(join(ws, 'runs')).sort() : []);
    const before = runsHere();
    await expect(
      startRemoteRun(ws, s, layout, { command: 'train', run: { config, name: 'taken' } }),
    ).rejects.toMatchObject({ code: 'remote-command' });
    expect(remote.commands.filter((c) => c.includes('rm -rf'))).toEqual([]);
    expect(remote.commands.some((c) => c.includes('setsid nohup'))).toBe(false);
    expect(runsHere()).toEqual(before); // the run created here for it is gone again
  });

  it('refuses to resume (and mirror into) a run id that is a path', async () => {
    remote.exec = (cmd) => (cmd.includes('setsid nohup') ? { stdout: '4242\n' } : {});
    await expect(
      startRemoteRun(ws, s, layout, { command: 'resume', runId: '../../outside' }),
    ).rejects.toMatchObject({ code: 'unsafe-path' });
    expect(existsSync(resolve(ws, 'runs', '../../outside'))).toBe(false);
  });

  it.each(['../runs', '..', '.', 'a/b', ''])(
    'refuses the dataset name %j before running any remote command',
    async (name) => {
      await expect(remoteDataset(s, layout, { kind: 'generate', name, args: [] })).rejects.toMatchObject({
        code: 'unsafe-path',
        message: expect.stringContaining('remote dataset name'),
      });
      await expect(remoteDataset(s, layout, { kind: 'upload', localDir: ws, name })).rejects.toMatchObject({
        code: 'unsafe-path',
      });
      await expect(remoteDataset(s, layout, { kind: 's3', uri: 's3://b/p', name })).rejects.toMatchObject({
        code: 'unsafe-path',
      });
      expect(remote.commands).toEqual([]);
    },
  );

  it('`remote dataset --as ../runs` is refused by the CLI before it connects', () => {
    const r = spawnSync(
      process.execPath,
      [
        resolve(import.meta.dirname, '../../../bin/mtl-studio.mjs'),
        '--workspace',
        ws,
        'remote',
        'dataset',
        target.name,
        '--generate',
        '--train 2',
        '--as',
        '../runs',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--as "\.\.\/runs" refused: contains "\/"/);
    expect(remote.commands).toEqual([]);
  });
});
