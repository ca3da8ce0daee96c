// OpenSSH known_hosts files: verify a server's host key, add one on explicit trust.
// Supports plain (`host`, `[host]:port`, comma lists) and hashed (`|1|salt|hash`) host fields;
// markers (@cert-authority, @revoked) are not supported and such lines are skipped.
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The host name as known_hosts writes it: `host` on port 22, else `[host]:port`. */
export const hostPattern = (host: string, port: number): string => (port === 22 ? host : `[${host}]:${port}`);

/** `SHA256:<base64 without padding>` of the raw key blob, as `ssh-keygen -l` prints it. */
export const fingerprint = (key: Buffer): string =>
  `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

/** The key type stored at the start of an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function keyType(key: Buffer): string {
  const n = key.readUInt32BE(0);
  return key.subarray(4, 4 + n).toString('ascii');
}

function hostMatches(field: string, pattern: string): boolean {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(pattern).digest('base64');
    return mac === hash;
  }
  return field.split(',').includes(pattern);
}

export type HostKeyCheck =
  { status: 'trusted' } | { status: 'unknown' } | { status: 'changed'; line: number };

/** Compare a presented key with the file's entries for host:port. A host with entries of the same
 * key type but none matching has a **changed** key; no entries at all means unknown. */
export function checkHostKey(file: string, host: string, port: number, key: Buffer): HostKeyCheck {
  if (!existsSync(file)) return { status: 'unknown' };
  const pattern = hostPattern(host, port);
  const type = keyType(key);
  const b64 = key.toString('base64');
  let changedLine = 0;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line || line.startsWith('#') || line.startsWith('@')) return;
      const [hosts, t, data] = line.split(/\s+/);
      if (!hosts || !t || !data || !hostMatches(hosts, pattern)) return;
      if (t === type && data === b64) changedLine = -1;
      else if (t === type && changedLine === 0) changedLine = i + 1;
    });
  if (changedLine === -1) return { status: 'trusted' };
  return changedLine > 0 ? { status: 'changed', line: changedLine } : { status: 'unknown' };
}

/** Append `pattern type base64` to the file (created with its folder if missing). */
export function addHostKey(file: string, host: string, port: number, key: Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const sep =
    existsSync(file) && !readFileSync(file, 'utf8').endsWith('\n') && readFileSync(file).length ? '\n' : '';
  appendFileSync(file, `${sep}${hostPattern(host, port)} ${keyType(key)} ${key.toString('base64')}\n`, {
    mode: 0o600,
  });
}

/** Drop every entry for host:port (plain names are taken out of comma lists; hashed lines that
 * match go). For addresses that are reused by other machines, e.g. an EC2 instance's public IP once
 * the instance is terminated. Returns how many entries were removed. */
export function removeHostKeys(file: string, host: string, port: number): number {
  if (!existsSync(file)) return 0;
  const pattern = hostPattern(host, port);
  let removed = 0;
  const kept: string[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    const [hosts, ...rest] = line.split(/\s+/);
    if (!line || line.startsWith('#') || line.startsWith('@') || !hosts || !hostMatches(hosts, pattern)) {
      kept.push(raw);
      continue;
    }
    removed++;
    const others = hosts.startsWith('|1|') ? [] : hosts.split(',').filter((h) => h !== pattern);
    if (others.length) kept.push([others.join(','), ...rest].join(' '));
  }
  if (removed) writeFileSync(file, kept.join('\n'), { mode: 0o600 });
  return removed;
}
