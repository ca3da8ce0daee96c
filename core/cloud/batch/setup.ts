// `batch setup` / `batch teardown`: the compute environment (MANAGED, SPOT, SPOT_CAPACITY_OPTIMIZED,
// GPU instance types, minvCpus 0 so it scales to zero), the job queue, the job definition and the
// IAM roles. Existing resources of the configured names are adopted; only what setup created is
// recorded in batch.json, and only that is deleted by teardown (adopted capacity is scaled to zero).
import {
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  DeleteComputeEnvironmentCommand,
  DeleteJobQueueCommand,
  DeregisterJobDefinitionCommand,
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  RegisterJobDefinitionCommand,
  UpdateComputeEnvironmentCommand,
  UpdateJobQueueCommand,
  type BatchClient,
} from '@aws-sdk/client-batch';
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { CloudError, errorMessage } from '../errors.ts';
import { makeBatchClients } from './clients.ts';
import { jobDefinitionInput } from './jobDefinition.ts';
import {
  ROLE_NAMES,
  deleteInstanceProfile,
  deleteRole,
  ensureInstanceProfile,
  ensureRole,
  jobS3Policy,
} from './roles.ts';
import { saveBatchSettings, type BatchSettings } from './settings.ts';

export interface SetupStep {
  kind: string;
  name: string;
  action: 'created' | 'adopted' | 'registered' | 'deleted' | 'scaled to zero' | 'kept';
  arn?: string;
}

export interface WaitOptions {
  pollMs?: number;
  timeoutMs?: number;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, o: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (o.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new CloudError('timeout', `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, o.pollMs ?? 5000));
  }
}

const describeCe = async (batch: BatchClient, name: string) =>
  (await batch.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: [name] })))
    .computeEnvironments?.[0];
const describeQueue = async (batch: BatchClient, name: string) =>
  (await batch.send(new DescribeJobQueuesCommand({ jobQueues: [name] }))).jobQueues?.[0];

/** The default VPC's subnets and default security group, when none are configured. */
async function defaultNetwork(s: BatchSettings, ec2: ReturnType<typeof makeBatchClients>['ec2']) {
  if (s.subnets.length && s.securityGroups.length)
    return { subnets: s.subnets, securityGroups: s.securityGroups };
  const vpc = (
    await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'isDefault', Values: ['true'] }] }))
  ).Vpcs?.[0];
  if (!vpc?.VpcId)
    throw new CloudError(
      'bad-config',
      'no default VPC in this region: pass --subnet and --security-group to `batch setup`',
    );
  const filter = [{ Name: 'vpc-id', Values: [vpc.VpcId] }];
  const subnets = s.subnets.length
    ? s.subnets
    : ((await ec2.send(new DescribeSubnetsCommand({ Filters: filter }))).Subnets ?? []).map(
        (x) => x.SubnetId!,
      );
  const securityGroups = s.securityGroups.length
    ? s.securityGroups
    : (
        (
          await ec2.send(
            new DescribeSecurityGroupsCommand({
              Filters: [...filter, { Name: 'group-name', Values: ['default'] }],
            }),
          )
        ).SecurityGroups ?? []
      ).map((g) => g.GroupId!);
  if (!subnets.length || !securityGroups.length)
    throw new CloudError(
      'bad-config',
      `default VPC ${vpc.VpcId} has no subnets or default security group; pass --subnet/--security-group`,
    );
  return { subnets, securityGroups };
}

/** What decides whether a registered job definition is ours as is: image, command, resources,
 * retries, role. Normalised, since endpoints echo fields back in other orders and cases. */
function defSpec(d: {
  containerProperties?: {
    image?: string;
    command?: string[];
    jobRoleArn?: string;
    resourceRequirements?: { type?: string; value?: string }[];
  };
  retryStrategy?: {
    attempts?: number;
    evaluateOnExit?: { onStatusReason?: string; onReason?: string; onExitCode?: string; action?: string }[];
  };
}): string {
  const c = d.containerProperties ?? {};
  return JSON.stringify([
    c.image,
    c.command,
    c.jobRoleArn ?? null,
    (c.resourceRequirements ?? []).map((r) => `${r.type}=${r.value}`).sort(),
    d.retryStrategy?.attempts,
    (d.retryStrategy?.evaluateOnExit ?? []).map((e) =>
      [e.onStatusReason ?? '', e.onReason ?? '', e.onExitCode ?? '', (e.action ?? '').toUpperCase()].join(
        '|',
      ),
    ),
  ]);
}

/** Create or adopt everything; saves the settings with what was created. `bucket`/`prefix`: the job
 * role's S3 scope (the workspace's S3 settings). */
export async function setupBatch(
  workspace: string,
  s: BatchSettings,
  scope: { bucket: string; prefix: string },
  o: WaitOptions & { log?: (m: string) => void } = {},
): Promise<{ settings: BatchSettings; steps: SetupStep[] }> {
  const { batch, iam, ec2 } = makeBatchClients(s);
  const steps: SetupStep[] = [];
  const created = [...s.created];
  const note = (step: SetupStep) => {
    steps.push(step);
    o.log?.(`${step.action} ${step.kind} ${step.name}`);
    if (step.action === 'created' && !created.some((c) => c.kind === step.kind && c.name === step.name))
      created.push({ kind: step.kind, name: step.name, ...(step.arn ? { arn: step.arn } : {}) });
  };
  /** An ensure* result: created now, or adopted from an earlier setup / the account. */
  const noteEnsured = (kind: string, name: string, r: { created: boolean; arn: string }) =>
    note({ kind, name, action: r.created ? 'created' : 'adopted', arn: r.arn });

  const net = await defaultNetwork(s, ec2);
  let { serviceRoleArn, instanceProfileArn, jobRoleArn } = s;
  if (!serviceRoleArn) {
    const r = await ensureRole(iam, ROLE_NAMES.service, 'batch.amazonaws.com', [
      'arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole',
    ]);
    serviceRoleArn = r.arn;
    noteEnsured('iam-role', ROLE_NAMES.service, r);
  }
  if (!instanceProfileArn) {
    const r = await ensureRole(iam, ROLE_NAMES.instance, 'ec2.amazonaws.com', [
      'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role',
    ]);
    noteEnsured('iam-role', ROLE_NAMES.instance, r);
    const p = await ensureInstanceProfile(iam, ROLE_NAMES.instance);
    instanceProfileArn = p.arn;
    noteEnsured('instance-profile', ROLE_NAMES.instance, p);
  }
  if (!jobRoleArn) {
    const r = await ensureRole(iam, ROLE_NAMES.job, 'ecs-tasks.amazonaws.com', [], {
      name: 'mtl-studio-s3',
      document: jobS3Policy(scope.bucket, scope.prefix),
    });
    jobRoleArn = r.arn;
    noteEnsured('iam-role', ROLE_NAMES.job, r);
  }

  const ce = await describeCe(batch, s.computeEnvironment);
  if (ce && ce.status !== 'DELETED' && ce.status !== 'DELETING') {
    if (ce.computeResources?.minvCpus)
      throw new CloudError(
        'bad-config',
        `compute environment ${s.computeEnvironment} has minvCpus ${ce.computeResources.minvCpus}: it never scales to zero; set it to 0 or use another --compute-environment`,
      );
    note({
      kind: 'compute-environment',
      name: s.computeEnvironment,
      action: 'adopted',
      arn: ce.computeEnvironmentArn,
    });
  } else {
    const r = await batch.send(
      new CreateComputeEnvironmentCommand({
        computeEnvironmentName: s.computeEnvironment,
        type: 'MANAGED',
        state: 'ENABLED',
        serviceRole: serviceRoleArn,
        computeResources: {
          type: 'SPOT',
          allocationStrategy: 'SPOT_CAPACITY_OPTIMIZED',
          minvCpus: 0,
          desiredvCpus: 0,
          maxvCpus: s.maxvCpus,
          instanceTypes: s.instanceTypes,
          subnets: net.subnets,
          securityGroupIds: net.securityGroups,
          instanceRole: instanceProfileArn,
          tags: { 'mtl-studio': 'true', Name: 'mtl-studio-batch' },
        },
        tags: { 'mtl-studio': 'true' },
      }),
    );
    note({
      kind: 'compute-environment',
      name: s.computeEnvironment,
      action: 'created',
      arn: r.computeEnvironmentArn,
    });
  }
  await waitFor(
    `compute environment ${s.computeEnvironment} to become VALID`,
    async () => {
      const c = await describeCe(batch, s.computeEnvironment);
      if (c?.status === 'INVALID')
        throw new CloudError(
          'bad-config',
          `compute environment ${s.computeEnvironment} is INVALID: ${c.statusReason}`,
        );
      return c?.status === 'VALID' ? c : null;
    },
    o,
  );

  const q = await describeQueue(batch, s.jobQueue);
  if (q && q.status !== 'DELETED' && q.status !== 'DELETING')
    note({ kind: 'job-queue', name: s.jobQueue, action: 'adopted', arn: q.jobQueueArn });
  else {
    const r = await batch.send(
      new CreateJobQueueCommand({
        jobQueueName: s.jobQueue,
        state: 'ENABLED',
        priority: 1,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: s.computeEnvironment }],
        tags: { 'mtl-studio': 'true' },
      }),
    );
    note({ kind: 'job-queue', name: s.jobQueue, action: 'created', arn: r.jobQueueArn });
  }
  await waitFor(
    `job queue ${s.jobQueue} to become VALID`,
    async () => ((await describeQueue(batch, s.jobQueue))?.status === 'VALID' ? true : null),
    o,
  );

  const input = jobDefinitionInput(s, jobRoleArn);
  const active =
    (
      await batch.send(
        new DescribeJobDefinitionsCommand({ jobDefinitionName: s.jobDefinition, status: 'ACTIVE' }),
      )
    ).jobDefinitions ?? [];
  const latest = active.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
  const same = latest && defSpec(latest) === defSpec(input);
  if (same)
    note({
      kind: 'job-definition',
      name: `${s.jobDefinition}:${latest.revision}`,
      action: 'adopted',
      arn: latest.jobDefinitionArn,
    });
  else {
    const r = await batch.send(new RegisterJobDefinitionCommand(input));
    note({
      kind: 'job-definition',
      name: `${r.jobDefinitionName}:${r.revision}`,
      action: 'registered',
      arn: r.jobDefinitionArn,
    });
    if (!created.some((c) => c.kind === 'job-definition'))
      created.push({ kind: 'job-definition', name: s.jobDefinition });
  }

  const settings = saveBatchSettings(workspace, {
    ...s,
    subnets: net.subnets,
    securityGroups: net.securityGroups,
    serviceRoleArn,
    instanceProfileArn,
    jobRoleArn,
    created,
  });
  return { settings, steps };
}

/** Scale the compute environment to zero now: minvCpus 0, and desiredvCpus 0 where AWS accepts it
 * (it refuses lowering desiredvCpus on some environments; with minvCpus 0 Batch then releases idle
 * instances itself within minutes). */
export async function scaleToZero(batch: BatchClient, name: string): Promise<string> {
  try {
    await batch.send(
      new UpdateComputeEnvironmentCommand({
        computeEnvironment: name,
        computeResources: { minvCpus: 0, desiredvCpus: 0 },
      }),
    );
    return 'minvCpus 0, desiredvCpus 0';
  } catch (e) {
    await batch.send(
      new UpdateComputeEnvironmentCommand({ computeEnvironment: name, computeResources: { minvCpus: 0 } }),
    );
    return `minvCpus 0 (desiredvCpus not lowered: ${errorMessage(e)}; Batch releases idle instances itself)`;
  }
}

/** Remove what setup created (queue, compute environment, job definitions, roles); scale adopted
 * capacity to zero. Settings keep the names, with `created` emptied. */
export async function teardownBatch(
  workspace: string,
  s: BatchSettings,
  o: WaitOptions & { log?: (m: string) => void } = {},
): Promise<SetupStep[]> {
  const { batch, iam } = makeBatchClients(s);
  const steps: SetupStep[] = [];
  const note = (step: SetupStep) => {
    steps.push(step);
    o.log?.(`${step.action} ${step.kind} ${step.name}`);
  };
  const mine = (kind: string, name?: string) =>
    s.created.some((c) => c.kind === kind && (!name || c.name === name));

  const q = await describeQueue(batch, s.jobQueue);
  if (q && q.status !== 'DELETED' && mine('job-queue')) {
    if (q.state !== 'DISABLED')
      await batch.send(new UpdateJobQueueCommand({ jobQueue: s.jobQueue, state: 'DISABLED' }));
    await waitFor(
      `job queue ${s.jobQueue} to be disabled`,
      async () => {
        const x = await describeQueue(batch, s.jobQueue);
        return !x || (x.state === 'DISABLED' && x.status !== 'UPDATING') ? true : null;
      },
      o,
    );
    await batch.send(new DeleteJobQueueCommand({ jobQueue: s.jobQueue }));
    await waitFor(
      `job queue ${s.jobQueue} to be deleted`,
      async () => {
        const x = await describeQueue(batch, s.jobQueue);
        return !x || x.status === 'DELETED' ? true : null;
      },
      o,
    );
    note({ kind: 'job-queue', name: s.jobQueue, action: 'deleted' });
  } else if (q) note({ kind: 'job-queue', name: s.jobQueue, action: 'kept' });

  const ce = await describeCe(batch, s.computeEnvironment);
  if (ce && ce.status !== 'DELETED') {
    const how = await scaleToZero(batch, s.computeEnvironment);
    note({ kind: 'compute-environment', name: `${s.computeEnvironment} (${how})`, action: 'scaled to zero' });
    if (mine('compute-environment')) {
      await batch.send(
        new UpdateComputeEnvironmentCommand({ computeEnvironment: s.computeEnvironment, state: 'DISABLED' }),
      );
      await waitFor(
        `compute environment ${s.computeEnvironment} to be disabled`,
        async () => {
          const x = await describeCe(batch, s.computeEnvironment);
          return !x || (x.state === 'DISABLED' && x.status !== 'UPDATING') ? true : null;
        },
        o,
      );
      await batch.send(new DeleteComputeEnvironmentCommand({ computeEnvironment: s.computeEnvironment }));
      note({ kind: 'compute-environment', name: s.computeEnvironment, action: 'deleted' });
    }
  }

  if (mine('job-definition')) {
    const defs =
      (
        await batch.send(
          new DescribeJobDefinitionsCommand({ jobDefinitionName: s.jobDefinition, status: 'ACTIVE' }),
        )
      ).jobDefinitions ?? [];
    for (const d of defs) {
      await batch.send(new DeregisterJobDefinitionCommand({ jobDefinition: d.jobDefinitionArn! }));
      note({ kind: 'job-definition', name: `${d.jobDefinitionName}:${d.revision}`, action: 'deleted' });
    }
  }
  if (mine('instance-profile')) {
    await deleteInstanceProfile(iam, ROLE_NAMES.instance);
    note({ kind: 'instance-profile', name: ROLE_NAMES.instance, action: 'deleted' });
  }
  for (const c of s.created.filter((x) => x.kind === 'iam-role')) {
    await deleteRole(iam, c.name);
    note({ kind: 'iam-role', name: c.name, action: 'deleted' });
  }
  const ownRoles = new Set(s.created.filter((x) => x.kind === 'iam-role').map((x) => x.arn));
  saveBatchSettings(workspace, {
    ...s,
    created: [],
    ...(ownRoles.has(s.serviceRoleArn) ? { serviceRoleArn: undefined } : {}),
    ...(mine('instance-profile') ? { instanceProfileArn: undefined } : {}),
    ...(ownRoles.has(s.jobRoleArn) ? { jobRoleArn: undefined } : {}),
  });
  return steps;
}
