// Where cloud state lives in the local workspace. One place so CLI, studio and tests agree.
import { join } from 'node:path';

export const cloudDir = (workspace: string): string => join(workspace, 'cloud');
export const cloudFiles = (workspace: string) => ({
  /** Saved SSH targets (name → settings). */
  targets: join(cloudDir(workspace), 'targets.json'),
  /** Host keys trusted by `remote trust`, in OpenSSH known_hosts format. */
  knownHosts: join(cloudDir(workspace), 'known_hosts'),
  /** S3 settings (endpoint, region, bucket, path style). */
  s3: join(cloudDir(workspace), 's3.json'),
  /** EC2 settings and the hourly price table. */
  ec2: join(cloudDir(workspace), 'ec2.json'),
  /** Multipart upload state (UploadId + finished parts) for resumable uploads, one file each. */
  uploads: join(cloudDir(workspace), 'uploads'),
  /** Experiment queues, one JSON file each. */
  queues: join(cloudDir(workspace), 'queues'),
  /** Packed engine tarballs, by version. */
  engine: join(cloudDir(workspace), 'engine'),
});

/** Per-run remote state beside a mirrored run's files: `<run>/remote.json`. */
export const remoteStateFile = (runDir: string): string => join(runDir, 'remote.json');
