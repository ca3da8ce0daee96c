// Presigned GET links: share an archive without making the bucket public.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export const presignGet = (
  client: S3Client,
  bucket: string,
  key: string,
  expiresInS = 7 * 24 * 3600,
): Promise<string> =>
  getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresInS });
