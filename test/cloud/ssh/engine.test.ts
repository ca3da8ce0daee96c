// Engine install on the loopback remote: `npm pack` of this checkout, SFTP upload, unpack into a
// versioned folder, install, version check before runs. Dependencies are linked to this checkout's
// node_modules instead of `npm ci` (same packages, no network, seconds instead of minutes); the
// target's installCommand is the only difference from a real install.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTarget } from '../../../core/cloud/ssh/connect.ts';
import {
  checkEngine,
  engineDir,
  installEngine,
  localVersion,
  packageRoot,
  packEngine,
} from '../../../core/cloud/ssh/engine.ts';
import { prepareRemote } from '../../../core/cloud/ssh/remoteRun.ts';
import { saveTarget } from '../../../core/cloud/ssh/target.ts';
import { trustHostKey } from '../../../core/cloud/ssh/trust.ts';
import { fakeEngine, loopbackTarget, removeSshd, startSshd, type Sshd } from '../servers.ts';

let sshd: Sshd;
let ws: string;

beforeAll(() => {
  sshd = startSshd();
  ws = mkdtempSync(join(tmpdir(), 'mtl-ws-'));
});
afterAll(() => {
  removeSshd(sshd);
  rmSync(ws, { recursive: true, force: true });
});

describe('remote engine', () => {
  it('installs the packed engine into a versioned folder and checks its version', async () => {
    const target = saveTarget(
      ws,
      loopbackTarget(sshd, { installCommand: `ln -s ${join(packageRoot(), 'node_modules')} node_modules` }),
    );
    await trustHostKey(ws, target);
    const s = await openTarget(ws, target);
    const pkg = packEngine(join(ws, 'pack'));
    expect(pkg.version).toBe(localVersion());
    const logs: string[] = [];
    const dir = await installEngine(s, sshd.remoteRoot, pkg, target.installCommand, (m) => logs.push(m));
    expect(dir).toBe(engineDir(sshd.remoteRoot, pkg));
    expect(await checkEngine(s, dir)).toBe(localVersion());
    // The installed engine runs on the remote.
    const help = await s.exec(`node ${dir}/bin/mtl-studio.mjs --help`);
    expect(help.stdout).toContain('mtl-studio');
    // Installing the same build again does nothing; prepareRemote finds it.
    await installEngine(s, sshd.remoteRoot, pkg, target.installCommand, (m) => logs.push(m));
    expect(logs.at(-1)).toMatch(/already installed/);
    expect((await prepareRemote(ws, s)).engine).toBe(dir);
    s.close();
  }, 300000);

  it('refuses an engine of another version', async () => {
    const other = fakeEngine(sshd);
    writeFileSync(join(other, 'package.json'), JSON.stringify({ name: 'mtl-studio', version: '0.0.1' }));
    const target = saveTarget(ws, loopbackTarget(sshd, { enginePath: other }));
    const s = await openTarget(ws, target);
    await expect(prepareRemote(ws, s)).rejects.toMatchObject({
      code: 'engine-mismatch',
      message: `engine on 127.0.0.1 is 0.0.1, this studio is ${localVersion()}; run \`mtl-studio remote install loopback\``,
    });
    await expect(checkEngine(s, '/nonexistent')).rejects.toMatchObject({ code: 'engine-mismatch' });
    s.close();
  });
});
