// Targets, instances and sync calls through the real studio service against the loopback sshd
// (scripts/test-servers, as test/cloud uses): trust on first use, engine check, clear failures.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioClient, type StudioClient } from '../../../core/api/client.ts';
import { createDirectTransport } from '../../../core/api/dispatch.ts';
import { localVersion } from '../../../core/cloud/ssh/engine.ts';
import { createNodeStudio } from '../../../core/studio/service.ts';
import { fakeEngine, loopbackTarget, removeSshd, startSshd, type Sshd } from '../../cloud/servers.ts';

let sshd: Sshd;
let ws: string;
let studio: ReturnType<typeof createNodeStudio>;
let client: StudioClient;

beforeAll(() => {
  sshd = startSshd();
  ws = mkdtempSync(join(tmpdir(), 'mtl-studio-targets-'));
  studio = createNodeStudio({ workspace: ws, transport: 'direct', reveal: () => false });
  client = createStudioClient(createDirectTransport(studio));
});
afterAll(() => {
  studio.close();
  removeSshd(sshd);
  rmSync(ws, { recursive: true, force: true });
});

describe('studio targets over the loopback sshd', () => {
  it('asks before trusting a host key, saves after confirmation, tests and removes', async () => {
    expect((await client.targets.list()).targets.map((t) => t.id)).toEqual(['local']);
    const t = loopbackTarget(sshd, { name: 'lab', enginePath: fakeEngine(sshd) });
    const input = {
      name: 'lab',
      host: t.host,
      port: t.port,
      user: t.user,
      keyFile: t.keyFile,
      remoteRoot: t.remoteRoot,
    };

    const first = await client.targets.add(input);
    expect(first).toMatchObject({
      ok: false,
      hostKey: { keyType: 'ssh-ed25519', fingerprint: expect.stringMatching(/^SHA256:/) },
    });
    expect((await client.targets.list()).targets).toHaveLength(1); // not saved before trust
    if (first.ok) throw new Error('unreachable');

    await expect(client.targets.add({ ...input, trustFingerprint: 'SHA256:wrong' })).rejects.toMatchObject({
      message: expect.stringMatching(/not the expected SHA256:wrong; not trusted/),
    });
    const added = await client.targets.add({ ...input, trustFingerprint: first.hostKey.fingerprint });
    expect(added).toMatchObject({
      ok: true,
      target: { id: 'lab', kind: 'ssh', host: '127.0.0.1', port: sshd.port },
    });

    // No engine installed under remoteRoot: reachable, but the check says what to do.
    const noEngine = await client.targets.test({ id: 'lab' });
    expect(noEngine.check).toMatchObject({ ok: false, reachable: true, code: 'engine-mismatch' });
    expect(noEngine.check?.error).toMatch(/remote install lab/);

    // The fake engine at a fixed path reports this studio's version.
    writeFileSync(join(ws, 'cloud/targets.json'), JSON.stringify([{ ...t, name: 'lab' }]));
    const ok = await client.targets.test({ id: 'lab' });
    expect(ok.check).toMatchObject({ ok: true, reachable: true, engine: localVersion() });
    expect(ok.check!.freeMb).toBeGreaterThan(0);
    expect((await client.targets.list()).targets.find((x) => x.id === 'lab')?.check?.ok).toBe(true);

    expect(await client.targets.remove({ id: 'lab' })).toEqual({ removed: true });
    expect((await client.targets.list()).targets.map((x) => x.id)).toEqual(['local']);
  });

  it('names wrong credentials and unreachable hosts', async () => {
    const base = loopbackTarget(sshd);
    const common = { host: base.host, port: base.port, remoteRoot: base.remoteRoot };
    // the host key was trusted by the first test: a known host is saved at once
    const added = await client.targets.add({
      name: 'bad-user',
      ...common,
      user: 'nobody-here',
      keyFile: base.keyFile,
    });
    expect(added.ok).toBe(true);
    const wrong = await client.targets.test({ id: 'bad-user' });
    expect(wrong.check).toMatchObject({ ok: false, reachable: false, code: 'auth-failed' });

    const closed = await client.targets
      .add({ name: 'gone', host: '127.0.0.1', port: 1, user: 'x', keyFile: base.keyFile })
      .catch((e: Error) => e);
    expect(closed).toBeInstanceOf(Error);
    expect((closed as Error).message).toMatch(/127\.0\.0\.1:1|refused|unreachable/i);
  });

  it('instances without EC2 settings, and the sync state of local and mirrored runs', async () => {
    expect(await client.instances.list()).toEqual({ configured: false, instances: [] });
    mkdirSync(join(ws, 'runs/mirror'), { recursive: true });
    writeFileSync(
      join(ws, 'runs/mirror/remote.json'),
      JSON.stringify({
        version: 1,
        target: 'lab',
        host: '127.0.0.1',
        remoteWorkspace: '/r/ws',
        remoteRunDir: '/r/ws/runs/x',
        enginePath: '/r/e',
        runId: 'mirror',
        pid: 1,
        eventsOffset: 1234,
        files: { 'a.png': { size: 1, mtime: 1 } },
        phase: 'done',
        lastContact: 1700000000000,
        s3Prefix: 's3://b/runs/mirror',
        pusherPid: 9,
      }),
    );
    expect(await client.sync.status({ id: 'mirror' })).toMatchObject({
      remote: true,
      target: 'lab',
      phase: 'done',
      eventsOffset: 1234,
      filesMirrored: 1,
      lastContact: 1700000000000,
      s3Prefix: 's3://b/runs/mirror',
      s3Pusher: true,
      following: false,
    });
    mkdirSync(join(ws, 'runs/plain'), { recursive: true });
    expect(await client.sync.status({ id: 'plain' })).toEqual({ remote: false });
  });
});
