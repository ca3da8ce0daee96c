// The job definition of a sweep's array job: a stock Node image, the packed engine fetched from a
// presigned S3 link (checked by sha256) and installed at start, then `mtl-studio batch job`, which
// reads its manifest entry by AWS_BATCH_JOB_ARRAY_INDEX. Spot reclaims (`Host EC2 (instance …)
// terminated.`) are retried — the job resumes from its last S3 checkpoint; any other failure is not.
import type { RegisterJobDefinitionCommandInput } from '@aws-sdk/client-batch';
import type { BatchSettings } from './settings.ts';

/** Where the container installs the engine and keeps its run folder. */
export const CONTAINER_ENGINE = '/opt/mtl-engine';
export const CONTAINER_WORKSPACE = '/tmp/mtl-workspace';

/** The container's command: install the engine (same versioned folder logic as EC2's bootstrap),
 * then hand over to `batch job`. Every input comes from the environment set at submit time. */
export const bootstrapCommand = (): string[] => [
  'bash',
  '-c',
  [
    'set -euo pipefail',
    `e=${CONTAINER_ENGINE}`,
    'if [ ! -f "$e/.mtl-engine.json" ]; then',
    '  curl -fsSL --retry 5 -o /tmp/engine.tgz "$MTL_ENGINE_URL"',
    '  echo "$MTL_ENGINE_SHA256  /tmp/engine.tgz" | sha256sum -c -',
    '  mkdir -p "$e.part" && tar xzf /tmp/engine.tgz -C "$e.part" --strip-components=1',
    '  curl -fsSL --retry 5 -o "$e.part/package-lock.json" "$MTL_ENGINE_LOCK_URL"',
    '  (cd "$e.part" && npm ci --omit=dev --no-audit --no-fund)',
    '  mv "$e.part" "$e" && echo "{\\"sha256\\":\\"$MTL_ENGINE_SHA256\\"}" > "$e/.mtl-engine.json"',
    'fi',
    `exec node "$e/bin/mtl-studio.mjs" --workspace ${CONTAINER_WORKSPACE} batch job --manifest "$MTL_MANIFEST_URI"`,
  ].join('\n'),
];

export const RETRY_ON_SPOT_RECLAIM = [
  { onStatusReason: 'Host EC2*', action: 'RETRY' as const },
  { onReason: '*', action: 'EXIT' as const },
];

export function jobDefinitionInput(
  s: BatchSettings,
  jobRoleArn: string | undefined,
): RegisterJobDefinitionCommandInput {
  return {
    jobDefinitionName: s.jobDefinition,
    type: 'container',
    platformCapabilities: ['EC2'],
    containerProperties: {
      image: s.image,
      command: bootstrapCommand(),
      resourceRequirements: [
        { type: 'VCPU', value: String(s.vcpusPerJob) },
        { type: 'MEMORY', value: String(s.memoryMiB) },
        ...(s.gpusPerJob > 0 ? [{ type: 'GPU' as const, value: String(s.gpusPerJob) }] : []),
      ],
      ...(jobRoleArn ? { jobRoleArn } : {}),
    },
    retryStrategy: { attempts: s.attempts, evaluateOnExit: RETRY_ON_SPOT_RECLAIM },
    timeout: { attemptDurationSeconds: Math.round(s.attemptTimeoutHours * 3600) },
    propagateTags: true,
    tags: { 'mtl-studio': 'true' },
  };
}
