// S3 against a real S3 API server (moto) on 127.0.0.1: bucket setup with public access blocked,
// a multipart upload cut mid-way that resumes (only the missing parts are sent), resumable download,
// idempotent run sync, presigned links, and a missing bucket that fails clearly leaving local data intact.
import { randomBytes, createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupBucket } from '../../../core/cloud/s3/bucket.ts';
import { downloadFile } from '../../../core/cloud/s3/download.ts';
import { presignGet } from '../../../core/cloud/s3/presign.ts';
import { makeS3Client, parseS3Settings } from '../../../core/cloud/s3/settings.ts';
import { syncDown, syncUp } from '../../../core/cloud/s3/sync.ts';
import { uploadFile, uploadStatePath } from '../../../core/cloud/s3/upload.ts';
import { startMoto, type Moto } from '../servers.ts';

const MiB = 1 << 20;
let moto: Moto;
let client: S3Client;
let tmp: string;
const bucket = 'mtl-test';

beforeAll(async () => {
  moto = startMoto();
  client = makeS3Client(
    parseS3Settings({ bucket, endpoint: moto.endpoint, accessKeyId: 'test', secretAccessKey: 'test' }),
  );
  tmp = mkdtempSync(join(tmpdir(), 'mtl-s3-'));
});
afterAll(() => {
  moto.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('S3 on a real server (moto)', () => {
  it('sets up a bucket with public access blocked (idempotent)', async () => {
    expect(await setupBucket(client, bucket, 'us-east-1')).toEqual({ created: true });
    expect(await setupBucket(client, bucket, 'us-east-1')).toEqual({ created: false });
    const pab = await client.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    expect(pab.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
  });

  it('resumes an upload interrupted mid-way, sending only the missing parts', async () => {
    const file = join(tmp, 'big.bin');
    const data = randomBytes(17 * MiB);
    writeFileSync(file, data);
    const stateDir = join(tmp, 'uploads');
    const ac = new AbortController();
    const progress: number[] = [];
    await expect(
      uploadFile(client, {
        bucket,
        key: 'big.bin',
        file,
        stateDir,
        partSize: 5 * MiB,
        concurrency: 1,
        signal: ac.signal,
        onProgress: (done) => {
          progress.push(done);
          if (done >= 10 * MiB) ac.abort(); // cut after two of four parts
        },
      }),
    ).rejects.toMatchObject({ code: 'aborted' });
    const state = JSON.parse(readFileSync(uploadStatePath(stateDir, bucket, 'big.bin', file), 'utf8'));
    expect(Object.keys(state.parts)).toEqual(['1', '2']);

    const r = await uploadFile(client, {
      bucket,
      key: 'big.bin',
      file,
      stateDir,
      partSize: 5 * MiB,
      concurrency: 2,
    });
    expect(r).toMatchObject({ partsResumed: 2, partsUploaded: 2, size: 17 * MiB });
    expect(existsSync(uploadStatePath(stateDir, bucket, 'big.bin', file))).toBe(false);
    const got = Buffer.from(
      await (
        await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' }))
      ).Body!.transformToByteArray(),
    );
    expect(md5(got)).toBe(md5(data));
  });

  it('resumes a download from its .part file', async () => {
    const out = join(tmp, 'dl', 'big.bin');
    mkdirSync(join(tmp, 'dl'), { recursive: true });
    const ac = new AbortController();
    await expect(
      downloadFile(client, {
        bucket,
        key: 'big.bin',
        file: out,
        chunkSize: 4 * MiB,
        signal: ac.signal,
        onProgress: (d) => d >= 8 * MiB && ac.abort(),
      }),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(existsSync(out)).toBe(false);
    const r = await downloadFile(client, { bucket, key: 'big.bin', file: out, chunkSize: 4 * MiB });
    expect(r.resumedFrom).toBe(8 * MiB);
    expect(md5(readFileSync(out))).toBe(md5(readFileSync(join(tmp, 'big.bin'))));
  });

  it('syncs a run folder incrementally and idempotently, both ways, and presigns a link', async () => {
    const run = join(tmp, 'run');
    mkdirSync(join(run, 'checkpoints'), { recursive: true });
    writeFileSync(join(run, 'events.jsonl'), '{"type":"start"}\n');
    writeFileSync(join(run, 'checkpoints/last.safetensors'), randomBytes(6 * MiB));
    writeFileSync(join(run, 'trainer.pid'), '{}');
    const o = { bucket, prefix: 'runs/r1', dir: run, partSize: 5 * MiB, stateDir: join(tmp, 'uploads') };
    expect((await syncUp(client, o)).transferred.sort()).toEqual([
      'checkpoints/last.safetensors',
      'events.jsonl',
    ]);
    expect(await syncUp(client, o)).toMatchObject({ transferred: [], unchanged: 2 });
    writeFileSync(join(run, 'events.jsonl'), '{"type":"start"}\n{"type":"step"}\n');
    expect((await syncUp(client, o)).transferred).toEqual(['events.jsonl']);

    const back = join(tmp, 'back');
    expect((await syncDown(client, { ...o, dir: back })).transferred.length).toBe(2);
    expect(await syncDown(client, { ...o, dir: back })).toMatchObject({ transferred: [], unchanged: 2 });
    expect(
      readFileSync(join(back, 'checkpoints/last.safetensors')).equals(
        readFileSync(join(run, 'checkpoints/last.safetensors')),
      ),
    ).toBe(true);
    expect(existsSync(join(back, 'trainer.pid'))).toBe(false);

    const url = await presignGet(client, bucket, 'runs/r1/events.jsonl', 600);
    expect(url).toContain('X-Amz-Signature=');
    expect(await (await fetch(url)).text()).toBe('{"type":"start"}\n{"type":"step"}\n');
  });

  it('a missing bucket gives a clear error and leaves local data intact', async () => {
    const run = join(tmp, 'run');
    const before = readdirSync(run, { recursive: true }).sort();
    const o = {
      bucket: 'no-such-bucket',
      prefix: 'runs/r1',
      dir: run,
      partSize: 5 * MiB,
      stateDir: join(tmp, 'uploads'),
    };
    await expect(syncUp(client, o)).rejects.toMatchObject({
      code: 's3-bucket-missing',
      message: expect.stringMatching(/bucket "no-such-bucket" does not exist/),
    });
    await expect(syncDown(client, { ...o, dir: join(tmp, 'none') })).rejects.toMatchObject({
      code: 's3-bucket-missing',
    });
    await expect(
      uploadFile(client, {
        bucket: 'no-such-bucket',
        key: 'k',
        file: join(tmp, 'big.bin'),
        stateDir: o.stateDir,
        partSize: 5 * MiB,
      }),
    ).rejects.toMatchObject({ code: 's3-bucket-missing' });
    expect(readdirSync(run, { recursive: true }).sort()).toEqual(before);
    expect(existsSync(join(tmp, 'none'))).toBe(false);
  });

  it('refuses object keys that would land outside the target folder, before writing anything', async () => {
    // S3 keys are free text: someone who can write to the bucket (or a mix-up of prefixes) must not
    // be able to make `s3 pull` / a restore write outside the folder it fills.
    for (const key of ['hostile/ok.txt', 'hostile/sub/../../../escape'])
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    const dir = join(tmp, 'hostile-down', 'inner');
    const o = { bucket, prefix: 'hostile', dir, partSize: 5 * MiB, stateDir: join(tmp, 'hs') };
    await expect(syncDown(client, o)).rejects.toMatchObject({
      code: 'unsafe-path',
      message: expect.stringContaining('s3://mtl-test/hostile/sub/../../../escape'),
    });
    expect(existsSync(join(tmp, 'hostile-down'))).toBe(false);
    expect(existsSync(join(tmp, 'escape'))).toBe(false);
    // A backslash is a separator on Windows: refused too. Folder markers (`…/`) are skipped.
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'hostile2/a\\..\\x', Body: 'x' }));
    await expect(syncDown(client, { ...o, prefix: 'hostile2' })).rejects.toMatchObject({
      code: 'unsafe-path',
    });
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'hostile3/folder/', Body: '' }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'hostile3/folder/f.txt', Body: 'f' }));
    expect((await syncDown(client, { ...o, prefix: 'hostile3' })).transferred).toEqual(['folder/f.txt']);
    expect(readFileSync(join(dir, 'folder/f.txt'), 'utf8')).toBe('f');
  });
});
