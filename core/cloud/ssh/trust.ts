// Trust on first use, explicitly: connect accepting any key, show its fingerprint, and append it to
// known_hosts — only when asked (`mtl-studio remote trust`), optionally only if it matches the
// fingerprint the user got out of band (cloud console, `ssh-keygen -l` on the server). EC2 runs pass
// the fingerprints the new instance printed to its console, and replace a stale entry of its IP.
import { CloudError } from '../errors.ts';
import { addHostKey, checkHostKey, fingerprint, removeHostKeys } from './knownHosts.ts';
import { SshSession } from './session.ts';
import { knownHostsFile, type SshTarget } from './target.ts';

export interface TrustResult {
  fingerprint: string;
  keyType: string;
  /** false when the key was already trusted. */
  added: boolean;
  knownHosts: string;
  /** Entries of an older key for the same host:port that were replaced (`replaceStale`). */
  replaced?: number;
}

export interface TrustOptions {
  /** Trust only a key with this fingerprint (SHA256:…). */
  expectFingerprint?: string;
  /** Trust only a key whose fingerprint is one of these (a host prints one per key type). */
  acceptFingerprints?: string[];
  /** A different key recorded for host:port belongs to a machine that had the address before
   * (a reused cloud IP): replace it instead of refusing. */
  replaceStale?: boolean;
}

export async function trustHostKey(
  workspace: string,
  target: SshTarget,
  opts: TrustOptions = {},
): Promise<TrustResult> {
  const file = knownHostsFile(workspace, target);
  let key: Buffer | null = null;
  // Authentication may fail (the key is all we need); the host key arrives before that.
  await SshSession.open(target, { knownHosts: file, acceptAnyHostKey: true, onHostKey: (k) => (key = k) })
    .then((s) => s.close())
    .catch((e) => {
      if (!key) throw e;
    });
  if (!key) throw new CloudError('unreachable', `${target.host}:${target.port} presented no host key`);
  const k: Buffer = key;
  const fp = fingerprint(k);
  if (opts.expectFingerprint && opts.expectFingerprint.replace(/=+$/, '') !== fp)
    throw new CloudError(
      'host-key-changed',
      `host key of ${target.host}:${target.port} is ${fp}, not the expected ${opts.expectFingerprint}; not trusted`,
    );
  const accepted = opts.acceptFingerprints?.map((f) => f.replace(/=+$/, ''));
  if (accepted && !accepted.includes(fp))
    throw new CloudError(
      'host-key-changed',
      `host key of ${target.host}:${target.port} is ${fp}, which is none of the fingerprints the host published (${accepted.join(', ') || 'none'}); not trusted (possible man-in-the-middle)`,
    );
  let check = checkHostKey(file, target.host, target.port, k);
  let replaced: number | undefined;
  if (check.status === 'changed' && opts.replaceStale) {
    replaced = removeHostKeys(file, target.host, target.port);
    check = { status: 'unknown' };
  }
  if (check.status === 'changed')
    throw new CloudError(
      'host-key-changed',
      `${target.host}:${target.port} now presents ${fp}, which differs from ${file} line ${check.line}; remove that line first if the server was reinstalled`,
    );
  if (check.status === 'trusted')
    return {
      fingerprint: fp,
      keyType: k.subarray(4, 4 + k.readUInt32BE(0)).toString(),
      added: false,
      knownHosts: file,
    };
  addHostKey(file, target.host, target.port, k);
  return {
    fingerprint: fp,
    keyType: k.subarray(4, 4 + k.readUInt32BE(0)).toString(),
    added: true,
    knownHosts: file,
    ...(replaced ? { replaced } : {}),
  };
}
