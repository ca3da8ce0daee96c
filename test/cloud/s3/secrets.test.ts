// S3/EC2 secrets on disk and on the command line: `s3 setup` refuses a secret in argv (it would show
// in `ps` and shell history) and takes it from stdin or AWS_SECRET_ACCESS_KEY instead; the settings
// file is 0600 in a 0700 folder (an older 0644 file is narrowed), and nothing is saved when the
// bucket check fails. The real CLI against moto.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchSettingsFile,
  loadBatchSettings,
  saveBatchSettings,
} from '../../../core/cloud/batch/settings.ts';
import { loadEc2Settings, saveEc2Settings } from '../../../core/cloud/ec2/settings.ts';
import { cloudFiles } from '../../../core/cloud/paths.ts';
import { loadS3Settings } from '../../../core/cloud/s3/settings.ts';
import { startMoto, type Moto } from '../servers.ts';

const cli = resolve(import.meta.dirname, '../../../bin/mtl-studio.mjs');
const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
let moto: Moto;
let tmp: string;

beforeAll(() => {
  moto = startMoto();
  tmp = mkdtempSync(join(tmpdir(), 'mtl-secrets-'));
});
afterAll(() => {
  moto.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;
function mtl(ws: string, args: string[], o: { input?: string; env?: Record<string, string> } = {}) {
  const env = { ...process.env, ...o.env };
  delete env.AWS_SECRET_ACCESS_KEY;
  delete env.AWS_ACCESS_KEY_ID;
  Object.assign(env, o.env);
  return spawnSync(process.execPath, [cli, '--workspace', ws, ...args], {
    encoding: 'utf8',
    input: o.input ?? '',
    env,
    timeout: 120_000,
  });
}
const setup = (bucket: string, endpoint = moto.endpoint) => [
  's3',
  'setup',
  '--bucket',
  bucket,
  '--endpoint',
  endpoint,
  '--access-key-id',
  'AKIDTEST',
];

describe('S3 secrets', () => {
  it('refuses the secret as a command-line argument and says how to pass it', () => {
    const ws = join(tmp, 'argv');
    const r = mtl(ws, [...setup('mtl-argv'), '--secret-access-key', SECRET]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /--secret-access-key is refused: .*`ps`.*AWS_SECRET_ACCESS_KEY.*--secret-access-key-stdin/,
    );
    expect(existsSync(cloudFiles(ws).s3)).toBe(false);
  });

  it('reads it from stdin; s3.json ends 0600 in a 0700 folder, even over an older 0644 file', () => {
    const ws = join(tmp, 'stdin');
    // What an older version left: a world-readable folder and file.
    mkdirSync(join(ws, 'cloud'), { recursive: true });
    chmodSync(join(ws, 'cloud'), 0o755);
    writeFileSync(cloudFiles(ws).s3, '{"bucket":"old-bucket"}', { mode: 0o644 });
    chmodSync(cloudFiles(ws).s3, 0o644);
    const r = mtl(ws, [...setup('mtl-stdin'), '--secret-access-key-stdin'], { input: `${SECRET}\n` });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(mode(cloudFiles(ws).s3)).toBe(0o600);
    expect(mode(join(ws, 'cloud'))).toBe(0o700);
    expect(loadS3Settings(ws)).toMatchObject({
      bucket: 'mtl-stdin',
      accessKeyId: 'AKIDTEST',
      secretAccessKey: SECRET,
    });
  });

  it('reads it from AWS_SECRET_ACCESS_KEY', () => {
    const ws = join(tmp, 'env');
    const r = mtl(ws, setup('mtl-env'), { env: { AWS_SECRET_ACCESS_KEY: SECRET } });
    expect(r.status).toBe(0);
    expect(mode(cloudFiles(ws).s3)).toBe(0o600);
    expect(loadS3Settings(ws).secretAccessKey).toBe(SECRET);
    // A key id without any secret is an error, not an empty secret.
    const none = mtl(join(tmp, 'none'), setup('mtl-none'));
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(
      /needs its secret: set AWS_SECRET_ACCESS_KEY or pass --secret-access-key-stdin/,
    );
  });

  it('saves nothing when the bucket check fails', async () => {
    const port = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => r(p));
      });
    });
    const ws = join(tmp, 'fail');
    const r = mtl(ws, [...setup('mtl-fail', `http://127.0.0.1:${port}`), '--secret-access-key-stdin'], {
      input: SECRET,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/S3 settings not saved/);
    expect(existsSync(cloudFiles(ws).s3)).toBe(false);
  });

  it('ec2.json (which may hold keys too) is 0600 in a 0700 folder; an old 0644 one is narrowed on load', () => {
    const ws = join(tmp, 'ec2');
    mkdirSync(join(ws, 'cloud'), { recursive: true, mode: 0o755 });
    saveEc2Settings(ws, {
      ami: 'ami-12345678',
      keyName: 'k',
      keyFile: '/k',
      accessKeyId: 'AKIDTEST',
      secretAccessKey: SECRET,
    });
    expect(mode(cloudFiles(ws).ec2)).toBe(0o600);
    expect(mode(join(ws, 'cloud'))).toBe(0o700);
    chmodSync(cloudFiles(ws).ec2, 0o644);
    expect(loadEc2Settings(ws).secretAccessKey).toBe(SECRET);
    expect(mode(cloudFiles(ws).ec2)).toBe(0o600);
    expect(readFileSync(cloudFiles(ws).ec2, 'utf8')).toContain(SECRET);
  });

  it('so is batch.json', () => {
    const ws = join(tmp, 'batch');
    saveBatchSettings(ws, { accessKeyId: 'AKIDTEST', secretAccessKey: SECRET });
    expect(mode(batchSettingsFile(ws))).toBe(0o600);
    expect(mode(join(ws, 'cloud'))).toBe(0o700);
    chmodSync(batchSettingsFile(ws), 0o640);
    expect(loadBatchSettings(ws).secretAccessKey).toBe(SECRET);
    expect(mode(batchSettingsFile(ws))).toBe(0o600);
  });
});
