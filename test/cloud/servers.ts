// Real servers for the cloud tests, on 127.0.0.1 (scripts/test-servers/): an OpenSSH sshd logging
// in a dedicated user, and moto for S3 + EC2. Each test file starts its own and stops it after.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { localVersion, packageRoot } from '../../core/cloud/ssh/engine.ts';

const scripts = resolve(import.meta.dirname, '../../scripts/test-servers');

export interface Sshd {
  host: string;
  port: number;
  user: string;
  /** Client private key authorised for `user`. */
  key: string;
  hostKey: string;
  /** A folder the test user owns, to use as the target's remoteRoot. */
  remoteRoot: string;
  dir: string;
  stop(): void;
  /** Start again on the same port with the same keys. */
  start(): void;
}

export function startSshd(): Sshd {
  const dir = mkdtempSync(join(tmpdir(), 'mtl-sshd-'));
  const run = (cmd: string) =>
    execFileSync('bash', [join(scripts, 'sshd.sh'), cmd, dir], { encoding: 'utf8' });
  const info = JSON.parse(run('start').trim().split('\n').pop()!) as Omit<Sshd, 'dir' | 'stop' | 'start'>;
  return { ...info, dir, stop: () => void run('stop'), start: () => void run('start') };
}

export function removeSshd(s: Sshd): void {
  s.stop();
  rmSync(s.dir, { recursive: true, force: true });
}

export interface Moto {
  endpoint: string;
  stop(): void;
}

export function startMoto(): Moto {
  const dir = mkdtempSync(join(tmpdir(), 'mtl-moto-'));
  const out = execFileSync('bash', [join(scripts, 'moto.sh'), 'start', dir], { encoding: 'utf8' });
  const { endpoint } = JSON.parse(out.trim().split('\n').pop()!) as { endpoint: string };
  return {
    endpoint,
    stop: () => {
      execFileSync('bash', [join(scripts, 'moto.sh'), 'stop', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The fake engine (test/cloud/fixtures/fake-engine) copied where the test user can run it, with a
 * package.json of this studio's version so the version check passes, and the path of the real CLI
 * (its `s3` commands are delegated there). */
export function fakeEngine(sshd: Sshd): string {
  const dir = join(sshd.dir, 'fake-engine');
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(
    resolve(import.meta.dirname, 'fixtures/fake-engine/bin/mtl-studio.mjs'),
    join(dir, 'bin/mtl-studio.mjs'),
  );
  writeFileSync(join(dir, 'real-cli'), join(packageRoot(), 'bin/mtl-studio.mjs'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'mtl-studio', version: localVersion(), type: 'module' }),
  );
  chmodSync(dir, 0o755);
  return dir;
}

/** Target settings for the loopback sshd, with fast keepalive so dead links show in ~2 s. */
export const loopbackTarget = (sshd: Sshd, extra: Record<string, unknown> = {}) => ({
  name: 'loopback',
  host: sshd.host,
  port: sshd.port,
  user: sshd.user,
  keyFile: sshd.key,
  remoteRoot: sshd.remoteRoot,
  keepaliveIntervalMs: 500,
  keepaliveCountMax: 3,
  readyTimeoutMs: 5000,
  ...extra,
});
