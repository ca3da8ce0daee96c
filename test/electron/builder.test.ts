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
});
