// What to tell the user for each CloudError code a target check or add can end with.
const HINTS: Record<string, string> = {
  'host-key-unknown': 'Unknown host key: add the target again to see and confirm its fingerprint.',
  'host-key-changed':
    'The host key changed since it was trusted: possible interception, or the server was reinstalled (remove its known_hosts line to trust the new key).',
  'auth-failed': 'Wrong credentials: check the user name and that the key file is authorised on the server.',
  unreachable: 'Unreachable: check host, port, network and that sshd runs.',
  timeout: 'Timed out: the host did not answer in time.',
  'engine-mismatch': 'Engine missing or another version on the target.',
  'bad-config': 'Invalid target settings.',
};

/** A one-line hint for a CloudError code (empty when none applies). */
export const targetErrorHint = (code: string | undefined): string => (code ? (HINTS[code] ?? '') : '');

/** Guess the code from a message when only the message crossed the wire (add errors). */
export function codeFromMessage(message: string): string | undefined {
  if (/not in .*known_hosts|unknown host key/i.test(message)) return 'host-key-unknown';
  if (/differs from|changed|not the expected/i.test(message)) return 'host-key-changed';
  if (/authenticat|permission denied|auth/i.test(message)) return 'auth-failed';
  if (/ECONNREFUSED|refused|unreachable|ENOTFOUND|EHOSTUNREACH/i.test(message)) return 'unreachable';
  if (/timed? ?out/i.test(message)) return 'timeout';
  return undefined;
}
