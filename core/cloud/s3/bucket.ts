// Bucket setup: create it if missing, block every form of public access, check it is reachable.
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3Error } from './errors.ts';

export async function bucketExists(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (e) {
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (e as Error).name === 'NotFound' || (e as Error).name === 'NoSuchBucket')
      return false;
    throw s3Error(e, `checking bucket ${bucket}`, bucket);
  }
}

/** Throws a `s3-bucket-missing` CloudError when the bucket is absent. */
export async function requireBucket(client: S3Client, bucket: string): Promise<void> {
  if (!(await bucketExists(client, bucket))) throw s3Error({ name: 'NoSuchBucket' }, `bucket check`, bucket);
}

export async function setupBucket(
  client: S3Client,
  bucket: string,
  region: string,
): Promise<{ created: boolean }> {
  const created = !(await bucketExists(client, bucket));
  try {
    if (created)
      await client.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(region !== 'us-east-1'
            ? { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }
            : {}),
        }),
      );
    await client.send(
      new PutPublicAccessBlockCommand({
        Bucket: bucket,
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
      }),
    );
  } catch (e) {
    throw s3Error(e, `setting up bucket ${bucket}`, bucket);
  }
  return { created };
}
