// Where a Batch sweep lives in S3 (under the workspace's S3 prefix):
//   <prefix>/sweeps/<sweepId>/manifest.json      what every child reads (by its array index)
//   <prefix>/sweeps/<sweepId>/index/<i>.json     { runId } once child i has created its run
//   <prefix>/runs/<runId>/…                      the run folder, pushed while it trains (as EC2 runs)
//   <prefix>/engine/<version>-<sha8>/engine.tgz  the packed engine (+ package-lock.json)
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Error } from '../s3/errors.ts';

export const sweepPrefix = (prefix: string, sweepId: string): string => `${prefix}/sweeps/${sweepId}`;
export const manifestKey = (prefix: string, sweepId: string): string =>
  `${sweepPrefix(prefix, sweepId)}/manifest.json`;
export const pointerKey = (sweepKeyPrefix: string, index: number): string =>
  `${sweepKeyPrefix}/index/${index}.json`;
export const runPrefix = (prefix: string, runId: string): string => `${prefix}/runs/${runId}`;

/** An object's text, or null when the key does not exist. */
export async function getText(client: S3Client, bucket: string, key: string): Promise<string | null> {
  try {
    const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await r.Body!.transformToString();
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchKey' || name === 'NotFound') return null;
    throw s3Error(e, `reading s3://${bucket}/${key}`, bucket);
  }
}

export async function putJson(client: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
  } catch (e) {
    throw s3Error(e, `writing s3://${bucket}/${key}`, bucket);
  }
}
