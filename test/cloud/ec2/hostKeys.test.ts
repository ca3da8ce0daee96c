// Host keys of EC2 instances: the fingerprints an instance publishes on its console (cloud-init's
// blocks, our bootstrap's marker lines) and nothing else on the console; known_hosts entries of an
// address removed (plain, in a comma list, hashed) without touching other hosts.
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { consoleHostKeyFingerprints, HOST_KEY_MARKER } from '../../../core/cloud/ec2/hostKeys.ts';
import { bootstrapScript } from '../../../core/cloud/ec2/userData.ts';
import { checkHostKey, fingerprint, removeHostKeys } from '../../../core/cloud/ssh/knownHosts.ts';

const tmp = mkdtempSync(join(tmpdir(), 'mtl-hostkeys-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const newKey = () => {
  const [type, b64] = ssh2.utils.generateKeyPairSync('ed25519').public.split(' ');
  return { type, b64, blob: Buffer.from(b64, 'base64'), fp: fingerprint(Buffer.from(b64, 'base64')) };
};

describe('host keys published on an instance console', () => {
  it("reads cloud-init's fingerprint and key blocks and the bootstrap's marker lines, nothing else", () => {
    const [a, b, c, stray] = [newKey(), newKey(), newKey(), newKey()];
    const console = [
      '[    0.000000] Linux version 6.8.0-1015-aws',
      `[   20.1] cloud-init[612]: The key fingerprint is: ${stray.fp} root@ip-10-0-0-5`,
      'ec2: #############################################################',
      'ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----',
      `ec2: 256 ${a.fp} root@ip-10-0-0-5 (ED25519)`,
      'ec2: -----END SSH HOST KEY FINGERPRINTS-----',
      'ec2: #############################################################',
      '-----BEGIN SSH HOST KEY KEYS-----',
      `${b.type} ${b.b64} root@ip-10-0-0-5`,
      '-----END SSH HOST KEY KEYS-----',
      `[   45.2] cloud-init[900]: ${HOST_KEY_MARKER} ${c.type} ${c.b64}`,
      `${stray.type} ${stray.b64} printed by something else`,
    ].join('\r\n');
    expect(consoleHostKeyFingerprints(console).sort()).toEqual([a.fp, b.fp, c.fp].sort());
    expect(consoleHostKeyFingerprints('Linux version 2.6.16-xenU (fixed moto text)')).toEqual([]);
  });

  it('the bootstrap prints every host public key with the marker, to the console', () => {
    const script = bootstrapScript({ user: 'ubuntu', remoteRoot: '.mtl-studio', shutdownAfterMin: 60 });
    expect(script).toContain('for k in /etc/ssh/ssh_host_*_key.pub; do');
    expect(script).toContain(`echo "${HOST_KEY_MARKER} $(cut -d' ' -f1,2 "$k")" | tee /dev/console`);
    // What that line prints parses back to the key's fingerprint.
    const k = newKey();
    expect(consoleHostKeyFingerprints(`${HOST_KEY_MARKER} ${k.type} ${k.b64}`)).toEqual([k.fp]);
  });
});

describe('removeHostKeys', () => {
  it('removes an address from plain, comma-list and hashed entries, keeping other hosts', () => {
    const [k1, k2, k3, other] = [newKey(), newKey(), newKey(), newKey()];
    const salt = randomBytes(20);
    const hashed = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[10.0.0.5]:2222').digest('base64')}`;
    const file = join(tmp, 'known_hosts');
    writeFileSync(
      file,
      [
        `# comment`,
        `[10.0.0.5]:2222 ${k1.type} ${k1.b64}`,
        `[10.0.0.5]:2222,alias.example ${k2.type} ${k2.b64}`,
        `${hashed} ${k3.type} ${k3.b64}`,
        `10.0.0.5 ${other.type} ${other.b64}`,
        `[10.0.0.6]:2222 ${other.type} ${other.b64}`,
        '',
      ].join('\n'),
    );
    expect(removeHostKeys(file, '10.0.0.5', 2222)).toBe(3);
    for (const k of [k1, k2, k3]) expect(checkHostKey(file, '10.0.0.5', 2222, k.blob).status).toBe('unknown');
    // The other name of a shared line keeps its key.
    expect(readFileSync(file, 'utf8')).toContain(`\nalias.example ${k2.type} ${k2.b64}\n`);
    expect(checkHostKey(file, 'alias.example', 22, k2.blob).status).toBe('trusted');
    expect(checkHostKey(file, '10.0.0.5', 22, other.blob).status).toBe('trusted');
    expect(checkHostKey(file, '10.0.0.6', 2222, other.blob).status).toBe('trusted');
    expect(removeHostKeys(file, '10.0.0.5', 2222)).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^# comment\n/);
  });
});
