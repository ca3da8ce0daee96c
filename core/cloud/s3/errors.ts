// S3 SDK errors → one-line CloudErrors that say which bucket/key and what to do.
import { CloudError } from '../errors.ts';

export function s3Error(e: unknown, what: string, bucket: string): CloudError {
  if (e instanceof CloudError) return e;
  const err = e as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  const name = err.name ?? '';
  const status = err.$metadata?.httpStatusCode;
  if (name === 'AbortError' || name === 'RequestAbortedError')
    return new CloudError('aborted', `${what}: cancelled`);
  if (name === 'NoSuchBucket' || (name === 'NotFound' && /bucket/i.test(what)))
    return new CloudError(
      's3-bucket-missing',
      `${what}: bucket "${bucket}" does not exist (create it with \`mtl-studio s3 setup --bucket ${bucket}\`)`,
    );
  if (
    name === 'AccessDenied' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    status === 403
  )
    return new CloudError(
      's3-access-denied',
      `${what}: access denied to bucket "${bucket}" (${name || status}): check the credentials and the bucket policy`,
    );
  if (
    err.code === 'ECONNREFUSED' ||
    err.code === 'ENOTFOUND' ||
    /ECONNREFUSED|getaddrinfo/.test(err.message ?? '')
  )
    return new CloudError('unreachable', `${what}: S3 endpoint unreachable (${err.code ?? err.message})`);
  return new CloudError('s3', `${what}: ${name ? `${name}: ` : ''}${err.message ?? String(e)}`, { cause: e });
}
