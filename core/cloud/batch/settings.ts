// AWS Batch settings (`<workspace>/cloud/batch.json`): where the compute environment, queue and job
// definition live, how big a job is, and what `batch setup` created (so teardown removes only that).
// The job's S3 side (bucket, prefix, endpoint) comes from the workspace's S3 settings.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CloudError } from '../errors.ts';
import { cloudDir } from '../paths.ts';
import { tightenSecretFile, writeSecretJson } from '../secretFile.ts';

export const batchSettingsFile = (workspace: string): string => join(cloudDir(workspace), 'batch.json');

/** A Node 20 image from ECR Public: stock, no build; the job installs the packed engine into it. */
export const DEFAULT_IMAGE = 'public.ecr.aws/docker/library/node:20-bookworm';

export const BatchSettingsSchema = z
  .object({
    region: z.string().min(1).default('us-east-1'),
    /** Emulators (moto) only; absent = AWS. */
    endpoint: z.string().url().optional(),
    accessKeyId: z.string().optional(),
    secretAccessKey: z.string().optional(),
    /** Resource names; existing resources with these names are adopted, not recreated. */
    computeEnvironment: z.string().min(1).default('mtl-studio-spot'),
    jobQueue: z.string().min(1).default('mtl-studio'),
    jobDefinition: z.string().min(1).default('mtl-studio-train'),
    /** Instance types or families the compute environment may launch (GPU: g5, g4dn, g6). */
    instanceTypes: z.array(z.string().min(1)).min(1).default(['g5']),
    /** Capacity ceiling of the compute environment; it scales from 0 (minvCpus 0) up to this. */
    maxvCpus: z.number().int().positive().default(16),
    /** One job = one run: its vCPUs, memory and GPUs (g5.xlarge: 4 vCPU, 16 GiB, 1 GPU). */
    vcpusPerJob: z.number().int().positive().default(4),
    memoryMiB: z.number().int().positive().default(15_000),
    gpusPerJob: z.number().int().min(0).default(1),
    /** The type a job lands on, for the cost estimate (ec2/prices.ts; `prices` overrides). */
    priceInstanceType: z.string().min(1).default('g5.xlarge'),
    prices: z.record(z.string(), z.number().positive()).default({}),
    image: z.string().min(1).default(DEFAULT_IMAGE),
    /** Attempts per child: spot reclaims (`Host EC2*`) are retried up to this; other failures are not. */
    attempts: z.number().int().min(1).max(10).default(5),
    /** Per-attempt time limit (Batch kills the attempt after it). */
    attemptTimeoutHours: z.number().positive().default(12),
    subnets: z.array(z.string()).default([]),
    securityGroups: z.array(z.string()).default([]),
    /** Role ARNs; absent = setup creates `mtl-studio-batch-*` roles. */
    serviceRoleArn: z.string().optional(),
    instanceProfileArn: z.string().optional(),
    jobRoleArn: z.string().optional(),
    /** Seconds between checkpoint pushes from a job to S3. */
    pushEverySec: z.number().int().positive().default(30),
    logGroup: z.string().default('/aws/batch/job'),
    /** What `batch setup` created (kind → name/ARN); teardown deletes exactly these. */
    created: z
      .array(z.object({ kind: z.string(), name: z.string(), arn: z.string().optional() }))
      .default([]),
  })
  .strict();
export type BatchSettings = z.output<typeof BatchSettingsSchema>;
export type BatchSettingsInput = z.input<typeof BatchSettingsSchema>;

export function parseBatchSettings(input: unknown, where = 'batch settings'): BatchSettings {
  const r = BatchSettingsSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new CloudError('bad-config', `${where}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

export function loadBatchSettings(workspace: string): BatchSettings {
  const f = batchSettingsFile(workspace);
  if (!existsSync(f))
    throw new CloudError('bad-config', `no AWS Batch settings in ${f}; run \`mtl-studio batch setup\``);
  tightenSecretFile(f);
  return parseBatchSettings(JSON.parse(readFileSync(f, 'utf8')), f);
}

export function saveBatchSettings(workspace: string, input: BatchSettingsInput): BatchSettings {
  const s = parseBatchSettings(input);
  // May hold a secret key: 0600 in a 0700 folder, like s3.json.
  writeSecretJson(batchSettingsFile(workspace), s);
  return s;
}
