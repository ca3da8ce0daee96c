// The same app through the real Electron binary (Playwright's _electron), where it exists. On
// machines where the binary could not be downloaded (electron is an optional dependency), this
// reports the skip and its reason instead of passing silently.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { Selectors } from './selectors.ts';
import { screenshot } from './support/browser.ts';

function electronBinary(): { path: string | null; why: string } {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    if (typeof path === 'string' && existsSync(path)) return { path, why: '' };
    return { path: null, why: `the electron package points at ${String(path)}, which does not exist` };
  } catch (e) {
    return {
      path: null,
      why: `the Electron binary is not installed (${(e as Error).message.split('\n')[0]}); it downloads on first use, which needs the network`,
    };
  }
}

const electron = electronBinary();
if (!electron.path) console.warn(`[e2e] Electron flow skipped: ${electron.why}`);

describe('studio in the Electron window', () => {
  it.skipIf(!electron.path)(
    'opens the window on mtl://studio, sandboxed, with the bridge and the app',
    async () => {
      const workspace = mkdtempSync(join(tmpdir(), 'mtl-e2e-electron-'));
      const app = await _electron.launch({
        executablePath: electron.path!,
        args: ['.', '--workspace', workspace, '--no-sandbox'],
      });
      try {
        const page = await app.firstWindow();
        await page.locator(Selectors.App).waitFor({ timeout: 60_000 });
        expect(page.url()).toMatch(/^mtl:\/\/studio\//);
        // Only the bridge reaches the page: no require, no process, window.mtl = { invoke, subscribe }.
        expect(
          await page.evaluate(() => ({
            require: typeof (window as unknown as { require?: unknown }).require,
            process: typeof (window as unknown as { process?: unknown }).process,
            mtl: Object.keys((window as unknown as { mtl: object }).mtl).sort(),
          })),
        ).toEqual({ require: 'undefined', process: 'undefined', mtl: ['invoke', 'subscribe'] });
        await page.locator(Selectors.Connecting).waitFor({ state: 'detached', timeout: 30_000 });
        await page.click(Selectors.NavNewRun);
        await page.locator(Selectors.NewRunForm).waitFor();
        await screenshot(page, 'electron-new-run');
      } finally {
        await app.close();
        rmSync(workspace, { recursive: true, force: true });
      }
    },
  );

  it.runIf(!electron.path)(`is skipped here: ${electron.why}`, () => {
    expect(electron.why).not.toBe('');
  });
});
