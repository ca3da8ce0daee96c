// Failure paths against the real loopback sshd: each gives a one-line reason naming what to fix,
// and none of them touches local data.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs, { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectWithRetry, openTarget } from '../../../core/cloud/ssh/connect.ts';
import { remoteDataset, prepareRemote } from '../../../core/cloud/ssh/remoteRun.ts';
import { parseTarget, saveTarget } from '../../../core/cloud/ssh/target.ts';
import { trustHostKey } from '../../../core/cloud/ssh/trust.ts';
import { fakeEngine, loopbackTarget, removeSshd, startSshd, type Sshd } from '../servers.ts';

let sshd: Sshd;
let ws: string;

/** A digest of every file under the workspace's runs and datasets: must not change on failures. */
function digest(dir: string): string {
  const h = createHash('sha256');
  for (const f of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
    h.update(f);
    try {
      h.update(readFileSync(join(dir, f)));
    } catch {
      /* a folder */
    }
  }
  return h.digest('hex');
}

beforeAll(() => {
  sshd = startSshd();
  ws = mkdtempSync(join(tmpdir(), 'mtl-ws-'));
  // Local data that must survive every failure below.
  mkdirSync(join(ws, 'runs/r1/checkpoints'), { recursive: true });
  writeFileSync(join(ws, 'runs/r1/events.jsonl'), '{"type":"start"}\n');
  writeFileSync(join(ws, 'runs/r1/checkpoints/last.safetensors'), 'weights');
  mkdirSync(join(ws, 'datasets/tiny/train/rgb'), { recursive: true });
  writeFileSync(join(ws, 'datasets/tiny/train/rgb/0.jpg'), Buffer.alloc(2 << 20, 7));
});
afterAll(() => {
  removeSshd(sshd);
  rmSync(ws, { recursive: true, force: true });
});

describe('SSH failure paths', () => {
  it('refuses an unknown host key, then accepts it after an explicit trust', async () => {
    const t = saveTarget(ws, loopbackTarget(sshd));
    const before = digest(ws);
    await expect(openTarget(ws, t)).rejects.toMatchObject({
      code: 'host-key-unknown',
      message: expect.stringMatching(
        /host key of \[127\.0\.0\.1\]:\d+ \(SHA256:.+\) is not in .*known_hosts; .*remote trust loopback/,
      ),
    });
    expect(digest(ws)).toBe(before);
    const trusted = await trustHostKey(ws, t);
    expect(trusted).toMatchObject({ added: true, keyType: 'ssh-ed25519' });
    expect(await trustHostKey(ws, t)).toMatchObject({ added: false, fingerprint: trusted.fingerprint });
    await expect(trustHostKey(ws, t, { expectFingerprint: 'SHA256:wrong' })).rejects.toMatchObject({
      code: 'host-key-changed',
    });
    (await openTarget(ws, t)).close();
  });

  it('refuses a changed host key', async () => {
    const kh = join(ws, 'other_known_hosts');
    // Another ed25519 key recorded for this host:port (as after a server reinstall, or an attacker).
    const other = readFileSync(`${sshd.key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${other}\n`);
    const t = parseTarget(loopbackTarget(sshd, { knownHosts: kh }));
    await expect(openTarget(ws, t)).rejects.toMatchObject({
      code: 'host-key-changed',
      message: expect.stringMatching(/HOST KEY CHANGED.*line 1/),
    });
  });

  it('reports wrong credentials and unreachable hosts clearly', async () => {
    const before = digest(join(ws, 'runs'));
    const wrongKey = join(ws, 'wrong_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
    const bad = parseTarget(loopbackTarget(sshd, { keyFile: wrongKey }));
    await expect(openTarget(ws, bad)).rejects.toMatchObject({
      code: 'auth-failed',
      message: expect.stringContaining(`key ${wrongKey} was refused`),
    });
    const badUser = parseTarget(loopbackTarget(sshd, { user: 'nobody-here' }));
    await expect(openTarget(ws, badUser)).rejects.toMatchObject({ code: 'auth-failed' });
    // Auth failures are not retried.
    await expect(connectWithRetry(ws, bad, { maxOfflineMs: 5000 })).rejects.toMatchObject({
      code: 'auth-failed',
    });

    const closed = parseTarget(loopbackTarget(sshd, { port: 1 }));
    await expect(openTarget(ws, closed)).rejects.toMatchObject({
      code: 'unreachable',
      message: expect.stringMatching(/connection refused/),
    });
    let retries = 0;
    await expect(
      connectWithRetry(ws, closed, { maxOfflineMs: 1200, initialDelayMs: 200, onRetry: () => retries++ }),
    ).rejects.toMatchObject({ code: 'unreachable' });
    expect(retries).toBeGreaterThanOrEqual(2);
    const noHost = parseTarget(loopbackTarget(sshd, { host: 'no-such-host.invalid' }));
    await expect(openTarget(ws, noHost)).rejects.toMatchObject({
      code: 'unreachable',
      message: expect.stringMatching(/unknown host name/),
    });
    const noKey = parseTarget(loopbackTarget(sshd, { keyFile: join(ws, 'missing_key') }));
    await expect(openTarget(ws, noKey)).rejects.toMatchObject({
      code: 'bad-config',
      message: expect.stringMatching(/cannot read SSH key file/),
    });
    expect(digest(join(ws, 'runs'))).toBe(before);
  });

  it('a full remote disk fails the upload with a clear error and leaves local data intact', async () => {
    const t = saveTarget(ws, loopbackTarget(sshd, { enginePath: fakeEngine(sshd) }));
    const s = await openTarget(ws, t);
    const layout = await prepareRemote(ws, s);
    const runsBefore = digest(join(ws, 'runs'));
    const dataBefore = digest(join(ws, 'datasets'));
    // A write that hits ENOSPC (the kernel's always-full device): the SFTP error path.
    await expect(s.putFile(join(ws, 'datasets/tiny/train/rgb/0.jpg'), '/dev/full')).rejects.toMatchObject({
      code: 'remote-disk-full',
      message: expect.stringMatching(/writing \/dev\/full on 127\.0\.0\.1 failed .*disk full/),
    });
    // A remote root on a 256 KiB file system: refused before uploading, with sizes.
    const small = join(sshd.dir, 'small');
    mkdirSync(small, { recursive: true });
    let mounted = false;
    try {
      execFileSync('mount', [
        '-t',
        'tmpfs',
        '-o',
        `size=256k,uid=${execFileSync('id', ['-u', sshd.user]).toString().trim()}`,
        'tmpfs',
        small,
      ]);
      mounted = true;
    } catch {
      /* no mount rights (unprivileged CI): the /dev/full case above still covers the write path */
    }
    if (mounted) {
      try {
        const smallLayout = { ...layout, root: small, workspace: `${small}/ws` };
        await s.run(`mkdir -p ${small}/ws ${small}/tmp`, 'mkdir');
        await expect(
          remoteDataset(s, smallLayout, { kind: 'upload', localDir: join(ws, 'datasets/tiny') }),
        ).rejects.toMatchObject({
          code: 'remote-disk-full',
          message: expect.stringMatching(
            /remote disk full: 0\.\d MB free in .*small\/tmp on 127\.0\.0\.1, \d+\.\d MB needed/,
          ),
        });
        // Without the pre-check, the write itself fails the same way.
        await expect(
          s.putFile(join(ws, 'datasets/tiny/train/rgb/0.jpg'), `${small}/tmp/x.jpg`),
        ).rejects.toMatchObject({ code: 'remote-disk-full' });
      } finally {
        execFileSync('umount', [small]);
      }
    }
    expect(digest(join(ws, 'runs'))).toBe(runsBefore);
    expect(digest(join(ws, 'datasets'))).toBe(dataBefore);
    // And an upload that fits works: the dataset lands complete under the remote workspace.
    const dest = await remoteDataset(s, layout, { kind: 'upload', localDir: join(ws, 'datasets/tiny') });
    expect(
      readFileSync(join(dest, 'train/rgb/0.jpg')).equals(
        readFileSync(join(ws, 'datasets/tiny/train/rgb/0.jpg')),
      ),
    ).toBe(true);
    s.close();
  });
});

describe('a link that drops in the middle of an SFTP call', () => {
  it('ends the call as unreachable instead of leaving it pending forever', async () => {
    const t = saveTarget(ws, loopbackTarget(sshd));
    await trustHostKey(ws, t);
    const s = await openTarget(ws, t);
    const remote = `${sshd.remoteRoot}/drop-mid-call.bin`;
    await s.writeFile(remote, Buffer.alloc(64 * 1024, 1));
    const local = join(ws, 'drop-mid-call.part');
    // ssh2 1.17's fastGet opens the remote file, then the local one; the link drops in between and
    // the local open fails: ssh2 then never calls back (it waits for a remote close it cannot send).
    const realOpen = fs.open;
    const open = vi.spyOn(fs, 'open').mockImplementation(((path: fs.PathLike, ...rest: unknown[]) => {
      if (String(path) !== local) return (realOpen as (...a: unknown[]) => void)(path, ...rest);
      const cb = rest[rest.length - 1] as (e: Error) => void;
      s.close();
      setTimeout(() => cb(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })), 300);
    }) as typeof fs.open);
    try {
      const hung = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('getFile never ended')), 10_000),
      );
      await expect(Promise.race([s.getFile(remote, local), hung])).rejects.toMatchObject({
        code: 'unreachable',
        message: expect.stringMatching(/link lost/),
      });
    } finally {
      open.mockRestore();
    }
  });
});
