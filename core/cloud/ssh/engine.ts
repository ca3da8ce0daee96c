// The engine on a remote: the same mtl-studio version as here, installed from `npm pack` into a
// versioned folder (<remoteRoot>/engine/<version>-<sha8>/) and checked before every run.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudError } from '../errors.ts';
import { sq, type SshSession } from './session.ts';
import { ensureFreeSpace } from './remoteFs.ts';

/** Root of this checkout / installed package (holds package.json and bin/mtl-studio.mjs). */
export const packageRoot = (): string => resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const localVersion = (): string =>
  (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

export interface EnginePackage {
  version: string;
  tarball: string;
  sha256: string;
}

/** `npm pack` this package into `outDir` (reused when the same version+content is there). */
export function packEngine(outDir: string): EnginePackage {
  mkdirSync(outDir, { recursive: true });
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', outDir], {
    cwd: packageRoot(),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const name = out.trim().split('\n').pop()!;
  const tarball = join(outDir, name);
  const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  return { version: localVersion(), tarball, sha256 };
}

/** Remote folder of an engine build. */
export const engineDir = (remoteRoot: string, pkg: { version: string; sha256: string }): string =>
  `${remoteRoot}/engine/${pkg.version}-${pkg.sha256.slice(0, 8)}`;

/** Upload the tarball (+ lockfile), unpack it into its versioned folder, install dependencies with the
 * target's install command and write a stamp. Skips everything when the stamp already matches. */
export async function installEngine(
  s: SshSession,
  remoteRoot: string,
  pkg: EnginePackage,
  installCommand: string,
  log: (m: string) => void = () => {},
): Promise<string> {
  const dir = engineDir(remoteRoot, pkg);
  const stamp = await s.exec(`cat ${sq(`${dir}/.mtl-engine.json`)} 2>/dev/null`);
  if (stamp.code === 0 && stamp.stdout.includes(pkg.sha256)) {
    log(`engine ${pkg.version} already installed at ${dir}`);
    return dir;
  }
  await s.run(
    `mkdir -p ${sq(`${remoteRoot}/engine`)} ${sq(`${remoteRoot}/tmp`)}`,
    'creating the engine folder',
  );
  const size = readFileSync(pkg.tarball).length;
  await ensureFreeSpace(s, `${remoteRoot}/tmp`, size * 4);
  const remoteTgz = `${remoteRoot}/tmp/engine-${pkg.sha256.slice(0, 8)}.tgz`;
  log(`uploading ${pkg.tarball} (${(size / 1e6).toFixed(1)} MB)`);
  await s.putFile(pkg.tarball, remoteTgz);
  await s.putFile(join(packageRoot(), 'package-lock.json'), `${remoteTgz}.lock.json`);
  log(`installing into ${dir}: ${installCommand}`);
  await s.run(
    `set -e; rm -rf ${sq(dir)}.part; mkdir -p ${sq(dir)}.part; tar xzf ${sq(remoteTgz)} -C ${sq(dir)}.part --strip-components=1; ` +
      `cp ${sq(`${remoteTgz}.lock.json`)} ${sq(dir)}.part/package-lock.json; cd ${sq(dir)}.part; ${installCommand}; ` +
      `cd ..; rm -rf ${sq(dir)}; mv ${sq(dir)}.part ${sq(dir)}; ` +
      `printf '%s' ${sq(JSON.stringify({ version: pkg.version, sha256: pkg.sha256 }))} > ${sq(`${dir}/.mtl-engine.json`)}; ` +
      `rm -f ${sq(remoteTgz)} ${sq(`${remoteTgz}.lock.json`)}`,
    'engine install',
    { timeoutMs: 30 * 60_000 },
  );
  return dir;
}

/** The version of the engine at `dir` on the remote; throws a clear error when it is missing or
 * differs from this one (runs must use the same engine on both sides). */
export async function checkEngine(s: SshSession, dir: string): Promise<string> {
  const r = await s.exec(`cat ${sq(`${dir}/package.json`)}`);
  let remote: string;
  try {
    remote = r.code === 0 ? (JSON.parse(r.stdout) as { version: string }).version : '';
  } catch {
    remote = '';
  }
  if (!remote)
    throw new CloudError(
      'engine-mismatch',
      `no engine at ${dir} on ${s.target.host}; run \`mtl-studio remote install ${s.target.name}\``,
    );
  if (remote !== localVersion())
    throw new CloudError(
      'engine-mismatch',
      `engine on ${s.target.host} is ${remote}, this studio is ${localVersion()}; run \`mtl-studio remote install ${s.target.name}\``,
    );
  return remote;
}

/** The newest installed engine of this version on the remote, if any. */
export async function findInstalledEngine(s: SshSession, remoteRoot: string): Promise<string | null> {
  const list = await s.list(`${remoteRoot}/engine`);
  const mine = list.filter(
    (e) => e.isDir && e.name.startsWith(`${localVersion()}-`) && !e.name.endsWith('.part'),
  );
  mine.sort((a, b) => b.mtime - a.mtime);
  return mine.length ? `${remoteRoot}/engine/${mine[0].name}` : null;
}

/** A previously packed tarball for this version, if present (packing takes a few seconds). */
export function cachedPackage(outDir: string): string | null {
  if (!existsSync(outDir)) return null;
  const f = readdirSync(outDir).find((n) => n.endsWith(`-${localVersion()}.tgz`));
  return f ? join(outDir, f) : null;
}
