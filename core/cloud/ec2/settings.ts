// EC2 launch settings, saved in <workspace>/cloud/ec2.json, and the one place an EC2Client is made.
import { existsSync, readFileSync } from 'node:fs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { CloudError } from '../errors.ts';
import { cloudFiles } from '../paths.ts';
import { tightenSecretFile, writeSecretJson } from '../secretFile.ts';

export const Ec2SettingsSchema = z
  .object({
    region: z.string().min(1).default('us-east-1'),
    /** Non-AWS endpoint (tests: moto). */
    endpoint: z.string().url().optional(),
    accessKeyId: z.string().optional(),
    secretAccessKey: z.string().optional(),
    /** A GPU image with Ubuntu or Amazon Linux (the bootstrap installs Node 20 itself). */
    ami: z.string().regex(/^ami-[0-9a-f]+$/, 'an AMI id (ami-…)'),
    instanceType: z.string().min(1).default('g4dn.xlarge'),
    /** EC2 key pair name, and the matching private key file here for SSH. */
    keyName: z.string().min(1),
    keyFile: z.string().min(1),
    sshUser: z.string().default('ubuntu'),
    securityGroupIds: z.array(z.string()).default([]),
    subnetId: z.string().optional(),
    /** Instance profile (name) giving the instance S3 access without keys on disk. */
    instanceProfile: z.string().optional(),
    volumeGb: z.number().int().min(8).max(16384).default(100),
    market: z.enum(['on-demand', 'spot']).default('spot'),
    /** one-time: an interruption ends the request; persistent: AWS reopens it (the instance stops). */
    spotType: z.enum(['one-time', 'persistent']).default('one-time'),
    /** Highest spot price (USD/h) accepted; absent = the on-demand price. */
    maxPrice: z.string().optional(),
    tags: z.record(z.string(), z.string()).default({}),
    /** Safety timeout: the instance powers itself off (and is terminated) after this many hours,
     * and `ec2 sweep` terminates any studio instance past its deadline tag. */
    maxHours: z.number().positive().max(720).default(24),
    /** Known hourly prices (USD) by instance type, overriding the built-in table. */
    prices: z.record(z.string(), z.number().nonnegative()).default({}),
  })
  .strict();
export type Ec2Settings = z.output<typeof Ec2SettingsSchema>;
export type Ec2SettingsInput = z.input<typeof Ec2SettingsSchema>;

export function parseEc2Settings(input: unknown, where = 'ec2 settings'): Ec2Settings {
  const r = Ec2SettingsSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new CloudError('bad-config', `${where}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

export function loadEc2Settings(workspace: string): Ec2Settings {
  const f = cloudFiles(workspace).ec2;
  if (!existsSync(f))
    throw new CloudError('bad-config', `no EC2 settings in ${f}; run \`mtl-studio ec2 setup …\``);
  tightenSecretFile(f);
  return parseEc2Settings(JSON.parse(readFileSync(f, 'utf8')), f);
}

export function saveEc2Settings(workspace: string, input: Ec2SettingsInput): Ec2Settings {
  const s = parseEc2Settings(input);
  // May hold a secret key: 0600 in a 0700 folder.
  writeSecretJson(cloudFiles(workspace).ec2, s);
  return s;
}

export const makeEc2Client = (
  s: Pick<Ec2Settings, 'region' | 'endpoint' | 'accessKeyId' | 'secretAccessKey'>,
): EC2Client =>
  new EC2Client({
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    ...(s.accessKeyId && s.secretAccessKey
      ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }
      : {}),
    maxAttempts: 4,
  });
