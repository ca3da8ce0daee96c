// Verifying a new instance's SSH host key before trusting it. The only channel we have to the
// instance that a network attacker cannot forge is the EC2 API, and through it the instance's
// console output (GetConsoleOutput): standard AMIs' cloud-init prints the host key fingerprints
// there (`-----BEGIN SSH HOST KEY FINGERPRINTS-----` … and the keys themselves in
// `-----BEGIN SSH HOST KEY KEYS-----` …), and our bootstrap prints `mtl-studio-host-key: <type>
// <base64>` lines to the console too. The key sshd presents must be one of them; a key that cannot
// be verified is used without credentials, and a terminated instance's key is forgotten (its IP
// will be someone else's).
import { GetConsoleOutputCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { CloudError, errorMessage } from '../errors.ts';
import { sleep } from '../ssh/connect.ts';
import { fingerprint, removeHostKeys } from '../ssh/knownHosts.ts';
import { knownHostsFile, loadTargets, type SshTarget } from '../ssh/target.ts';
import { trustHostKey, type TrustResult } from '../ssh/trust.ts';

/** The marker our bootstrap prints before each host public key (userData.ts). */
export const HOST_KEY_MARKER = 'mtl-studio-host-key:';

const KEY_LINE =
  /\b((?:ssh|ecdsa-sha2|sk-ssh|sk-ecdsa-sha2)-[a-z0-9@.-]+) ([A-Za-z0-9+/]{40,}={0,3})(?:\s|$)/;

/** SHA256 fingerprints of the host keys published in a console output. Only the cloud-init blocks
 * and our marker lines count: anything else on the console is ignored. */
export function consoleHostKeyFingerprints(console: string): string[] {
  const out = new Set<string>();
  let block: 'fingerprints' | 'keys' | null = null;
  for (const line of console.split(/\r?\n/)) {
    if (line.includes('-----BEGIN SSH HOST KEY FINGERPRINTS-----')) block = 'fingerprints';
    else if (line.includes('-----BEGIN SSH HOST KEY KEYS-----')) block = 'keys';
    else if (/-----END SSH HOST KEY (FINGERPRINTS|KEYS)-----/.test(line)) block = null;
    else if (block === 'fingerprints') {
      for (const m of line.matchAll(/SHA256:([A-Za-z0-9+/]{43})=?/g)) out.add(`SHA256:${m[1]}`);
    } else if (block === 'keys' || line.includes(HOST_KEY_MARKER)) {
      const m = KEY_LINE.exec(block === 'keys' ? line : line.slice(line.indexOf(HOST_KEY_MARKER)));
      if (m) out.add(fingerprint(Buffer.from(m[2], 'base64')));
    }
  }
  return [...out];
}

/** The instance's console output (latest where the instance type supports it), '' when none yet. */
export async function readConsoleOutput(client: EC2Client, instanceId: string): Promise<string> {
  const get = async (latest: boolean) =>
    (
      await client.send(
        new GetConsoleOutputCommand({ InstanceId: instanceId, ...(latest ? { Latest: true } : {}) }),
      )
    ).Output;
  let out: string | undefined;
  try {
    out = await get(true);
  } catch {
    // `Latest` is for Nitro instances only; older types answer with an error.
    out = await get(false).catch((e) => {
      throw new CloudError('ec2', `reading the console output of ${instanceId}: ${errorMessage(e)}`);
    });
  }
  return out ? Buffer.from(out, 'base64').toString('utf8') : '';
}

export interface InstanceTrust {
  verified: boolean;
  fingerprint: string;
  /** Stale entries of the same address replaced. */
  replaced: number;
  /** Why the console could not be read (e.g. no ec2:GetConsoleOutput permission), when it could not. */
  consoleError?: string;
}

/** Trust the instance's host key if (and only if) its console output publishes it. No fingerprints
 * within `timeoutMs` → trusted **unverified** (the caller must not send it credentials); a key that
 * is not among the published ones → CloudError `host-key-changed`, nothing trusted. */
export async function trustInstanceHostKey(
  workspace: string,
  target: SshTarget,
  readConsole: () => Promise<string>,
  o: { timeoutMs?: number; pollMs?: number; signal?: AbortSignal } = {},
): Promise<InstanceTrust> {
  const end = Date.now() + (o.timeoutMs ?? 5 * 60_000);
  let published: string[];
  let consoleError: string | undefined;
  for (;;) {
    published = consoleHostKeyFingerprints(
      await readConsole().then(
        (text) => ((consoleError = undefined), text),
        (e: unknown) => ((consoleError = errorMessage(e)), ''),
      ),
    );
    if (published.length || Date.now() >= end) break;
    await sleep(o.pollMs ?? 5000, o.signal);
  }
  const r: TrustResult = await trustHostKey(workspace, target, {
    ...(published.length ? { acceptFingerprints: published } : {}),
    // The address is the instance's own for its lifetime; an entry from before belongs to a
    // machine that had the IP earlier.
    replaceStale: true,
  });
  return {
    verified: published.length > 0,
    fingerprint: r.fingerprint,
    replaced: r.replaced ?? 0,
    ...(consoleError ? { consoleError } : {}),
  };
}

/** Remove the known_hosts entries of the saved targets of these instances (once terminated). */
export function forgetInstanceHostKeys(workspace: string, instanceIds: string[]): number {
  let n = 0;
  for (const t of loadTargets(workspace))
    if (t.instanceId && instanceIds.includes(t.instanceId))
      n += removeHostKeys(knownHostsFile(workspace, t), t.host, t.port);
  return n;
}
