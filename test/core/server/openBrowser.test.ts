// `npm start` opens the studio without the token on the browser's command line (issue 12): `ps`
// shows every process's arguments to every user. A fake xdg-open records what it was given.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { openBrowser } from '../../../scripts/openBrowser.mjs';

const bin = mkdtempSync(join(tmpdir(), 'mtl-open-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));

describe('npm start opening the browser', () => {
  it.runIf(process.platform === 'linux')(
    'passes a private forwarding file, not the token, to xdg-open',
    async () => {
      const argvLog = join(bin, 'argv.txt');
      writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argvLog}'\n`);
      chmodSync(join(bin, 'xdg-open'), 0o755);
      const url = 'http://127.0.0.1:5170/?token=SECRET-token_123';
      const opened = openBrowser(url, {
        env: { PATH: bin, DISPLAY: ':0' },
        platform: 'linux',
        keepMs: 60_000,
      });
      expect(opened).toBe(true);
      const end = Date.now() + 10_000;
      while (!existsSync(argvLog) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      const argv = readFileSync(argvLog, 'utf8').trim().split('\n');
      expect(argv.join(' ')).not.toContain('SECRET');
      expect(argv).toHaveLength(1);
      const file = fileURLToPath(argv[0]!);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
      expect(readFileSync(file, 'utf8')).toContain(`url=${url}"`);
    },
  );

  it('says so when there is no desktop to open a browser on', () => {
    expect(openBrowser('http://127.0.0.1:1/?token=x', { env: { PATH: bin }, platform: 'linux' })).toBe(false);
  });
});
