// One error type for everything cloud-side, carrying a one-line reason the CLI and studio show as is.
// `code` lets callers (reconnect loops, the studio) react without parsing messages.
export type CloudErrorCode =
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'auth-failed'
  | 'unreachable'
  | 'timeout'
  | 'remote-command'
  /** The remote event log is not the one being mirrored (shorter, or different bytes). */
  | 'mirror-mismatch'
  | 'remote-disk-full'
  | 'remote-write'
  | 'engine-mismatch'
  | 'bad-config'
  /** A name from the other side (remote file, remote run folder, S3 key) that would leave its folder. */
  | 'unsafe-path'
  | 'not-found'
  | 's3-bucket-missing'
  | 's3-access-denied'
  | 's3'
  | 'ec2'
  | 'aborted';

export class CloudError extends Error {
  constructor(
    readonly code: CloudErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CloudError';
  }
}

/** Errors a reconnect loop should retry: the link, not the configuration, is at fault. */
export const isTransient = (e: unknown): boolean =>
  e instanceof CloudError ? e.code === 'unreachable' || e.code === 'timeout' : true;

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
