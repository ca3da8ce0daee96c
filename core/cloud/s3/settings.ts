// S3 settings (AWS or self-hosted: MinIO, Ceph RGW, moto) and the one place an S3Client is made.
// Self-hosted servers need path-style URLs and reject the SDK's default streaming checksums (HTTP
// 411 on Ceph RGW), so checksums are sent only when an operation requires them.
import { existsSync, readFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { CloudError } from '../errors.ts';
import { cloudFiles } from '../paths.ts';
import { tightenSecretFile, writeSecretJson } from '../secretFile.ts';

export const S3SettingsSchema = z
  .object({
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'a valid S3 bucket name'),
    region: z.string().min(1).default('us-east-1'),
    /** Self-hosted S3 URL (http://host:port); absent = AWS. */
    endpoint: z.string().url().optional(),
    /** Path-style URLs (bucket in the path); default on when an endpoint is set. */
    forcePathStyle: z.boolean().optional(),
    /** Static credentials; absent = the SDK's chain (env, ~/.aws, instance profile). */
    accessKeyId: z.string().optional(),
    secretAccessKey: z.string().optional(),
    /** Key prefix under which runs, archives and datasets go. */
    prefix: z.string().default('mtl-studio'),
    /** Part size of multipart transfers (S3 minimum 5 MiB). */
    partSizeMb: z.number().int().min(5).max(5120).default(8),
  })
  .strict();
export type S3Settings = z.output<typeof S3SettingsSchema>;
export type S3SettingsInput = z.input<typeof S3SettingsSchema>;

export function parseS3Settings(input: unknown, where = 's3 settings'): S3Settings {
  const r = S3SettingsSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new CloudError('bad-config', `${where}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

export function loadS3Settings(workspace: string): S3Settings {
  const f = cloudFiles(workspace).s3;
  if (!existsSync(f))
    throw new CloudError('bad-config', `no S3 settings in ${f}; run \`mtl-studio s3 setup --bucket NAME\``);
  tightenSecretFile(f);
  return parseS3Settings(JSON.parse(readFileSync(f, 'utf8')), f);
}

export function saveS3Settings(workspace: string, input: S3SettingsInput): S3Settings {
  const s = parseS3Settings(input);
  // May hold a secret key: 0600 in a 0700 folder.
  writeSecretJson(cloudFiles(workspace).s3, s);
  return s;
}

export function makeS3Client(s: S3Settings): S3Client {
  return new S3Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.forcePathStyle ?? Boolean(s.endpoint),
    ...(s.accessKeyId && s.secretAccessKey
      ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }
      : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 4,
  });
}

/** `s3://bucket/key` → parts. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) throw new CloudError('bad-config', `not an s3:// URI: ${uri}`);
  return { bucket: m[1], key: m[2] };
}
