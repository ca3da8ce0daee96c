// build/electron-builder.json cannot be exercised here (electron-builder downloads Electron), so
// its shape is checked against electron-builder's own JSON schema, plus what this app relies on.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const config = JSON.parse(readFileSync('build/electron-builder.json', 'utf8'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

describe('electron-builder config', () => {
  it("validates against electron-builder's schema", () => {
    const fromBuilder = createRequire(require.resolve('app-builder-lib/package.json'));
    const Ajv = fromBuilder('ajv');
    const validate = new Ajv({ allErrors: true, strict: false }).compile(fromBuilder('./scheme.json'));
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...config, linux: { target: 5 } })).toBe(false); // the check can fail
  });

  it('builds for Linux, macOS and Windows from the app entry and the built renderer', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.mac.target).toContain('dmg');
    expect(config.win.target).toContain('nsis');
    expect(existsSync(config.extraMetadata.main)).toBe(true);
    expect(config.files).toEqual(
      expect.arrayContaining(['renderer/dist/**', 'core/**', 'electron/**', 'bin/**']),
    );
    expect(pkg.scripts.dist).toContain('--config build/electron-builder.json');
    expect(pkg.scripts.dist).toContain('build:renderer');
  });

  it('sets the Electron fuses: no NODE_OPTIONS, no --inspect, no file:// privileges, encrypted cookies', async () => {
    // What electron-builder itself will write into the binary (its own mapping to @electron/fuses).
    const fromBuilder = createRequire(require.resolve('app-builder-lib/package.json'));
    const { PlatformPackager } = require('app-builder-lib');
    const { FuseV1Options } = fromBuilder('@electron/fuses');
    const wires = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses);
    expect(wires[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(wires[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(wires[FuseV1Options.GrantFileProtocolExtraPrivileges]).toBe(false);
    expect(wires[FuseV1Options.EnableCookieEncryption]).toBe(true);
    // Kept on for a reason the app depends on: training, prediction and archives run as the CLI in
    // child processes of the Electron binary with ELECTRON_RUN_AS_NODE (core/studio/cliProcess.ts).
    expect(readFileSync('core/studio/cliProcess.ts', 'utf8')).toContain('ELECTRON_RUN_AS_NODE');
    expect(wires[FuseV1Options.RunAsNode]).toBe(true);
    // The app is not packed into an asar (tsx loads core/ from disk, in the app and its children):
    // requiring app.asar would leave the packaged app with nothing to start.
    expect(config.asar).toBe(false);
    expect(wires[FuseV1Options.OnlyLoadAppFromAsar]).toBe(false);
  });
});
