// Launch, list, wait for and terminate studio instances. Every instance is tagged
// `mtl-studio=true` and `mtl-studio:deadline=<ISO time>`; `sweepExpired` terminates those past it.
import { connect } from 'node:net';
import {
  DescribeInstancesCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
  CancelSpotInstanceRequestsCommand,
  type EC2Client,
  type Instance,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { CloudError, errorMessage } from '../errors.ts';
import { sleep } from '../ssh/connect.ts';
import type { Ec2Settings } from './settings.ts';

export const TAG = 'mtl-studio';
export const DEADLINE_TAG = 'mtl-studio:deadline';
export const RUN_TAG = 'mtl-studio:run';

export interface StudioInstance {
  id: string;
  state: string;
  type: string;
  market: 'spot' | 'on-demand';
  spotRequestId?: string;
  publicIp?: string;
  privateIp?: string;
  launchedAt?: string;
  deadline?: string;
  run?: string;
  tags: Record<string, string>;
}

const ec2Error = (e: unknown, what: string): CloudError =>
  e instanceof CloudError
    ? e
    : new CloudError('ec2', `${what}: ${(e as Error).name ?? ''} ${errorMessage(e)}`.trim(), { cause: e });

export function toStudioInstance(i: Instance): StudioInstance {
  const tags = Object.fromEntries((i.Tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
  return {
    id: i.InstanceId!,
    state: i.State?.Name ?? 'unknown',
    type: i.InstanceType ?? '',
    market: i.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
    ...(i.SpotInstanceRequestId ? { spotRequestId: i.SpotInstanceRequestId } : {}),
    ...(i.PublicIpAddress ? { publicIp: i.PublicIpAddress } : {}),
    ...(i.PrivateIpAddress ? { privateIp: i.PrivateIpAddress } : {}),
    ...(i.LaunchTime ? { launchedAt: new Date(i.LaunchTime).toISOString() } : {}),
    ...(tags[DEADLINE_TAG] ? { deadline: tags[DEADLINE_TAG] } : {}),
    ...(tags[RUN_TAG] ? { run: tags[RUN_TAG] } : {}),
    tags,
  };
}

export interface LaunchOptions {
  /** Shown as the Name tag. */
  name: string;
  userData?: string;
  /** Extra tags (e.g. the run id). */
  tags?: Record<string, string>;
  now?: Date;
}

export async function launchInstance(
  client: EC2Client,
  s: Ec2Settings,
  o: LaunchOptions,
): Promise<StudioInstance> {
  const deadline = new Date((o.now ?? new Date()).getTime() + s.maxHours * 3600_000).toISOString();
  const tags = { ...s.tags, ...o.tags, Name: o.name, [TAG]: 'true', [DEADLINE_TAG]: deadline };
  const tagList = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  try {
    const r = await client.send(
      new RunInstancesCommand({
        ImageId: s.ami,
        InstanceType: s.instanceType as _InstanceType,
        KeyName: s.keyName,
        MinCount: 1,
        MaxCount: 1,
        ...(s.securityGroupIds.length ? { SecurityGroupIds: s.securityGroupIds } : {}),
        ...(s.subnetId ? { SubnetId: s.subnetId } : {}),
        ...(s.instanceProfile ? { IamInstanceProfile: { Name: s.instanceProfile } } : {}),
        BlockDeviceMappings: [
          {
            DeviceName: '/dev/sda1',
            Ebs: { VolumeSize: s.volumeGb, VolumeType: 'gp3', DeleteOnTermination: true },
          },
        ],
        // The bootstrap's safety power-off then terminates the instance instead of keeping a stopped one.
        InstanceInitiatedShutdownBehavior:
          s.market === 'spot' && s.spotType === 'persistent' ? 'stop' : 'terminate',
        ...(o.userData ? { UserData: Buffer.from(o.userData).toString('base64') } : {}),
        ...(s.market === 'spot'
          ? {
              InstanceMarketOptions: {
                MarketType: 'spot',
                SpotOptions: {
                  SpotInstanceType: s.spotType,
                  // Persistent requests need stop (AWS restarts the same instance when capacity returns).
                  InstanceInterruptionBehavior: s.spotType === 'persistent' ? 'stop' : 'terminate',
                  ...(s.maxPrice ? { MaxPrice: s.maxPrice } : {}),
                },
              },
            }
          : {}),
        TagSpecifications: [
          { ResourceType: 'instance', Tags: tagList },
          { ResourceType: 'volume', Tags: tagList },
        ],
      }),
    );
    return toStudioInstance(r.Instances![0]);
  } catch (e) {
    throw ec2Error(e, `launching a ${s.market} ${s.instanceType} from ${s.ami}`);
  }
}

export async function describeInstance(client: EC2Client, id: string): Promise<StudioInstance | null> {
  try {
    const r = await client.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    const i = r.Reservations?.[0]?.Instances?.[0];
    return i ? toStudioInstance(i) : null;
  } catch (e) {
    if ((e as Error).name === 'InvalidInstanceID.NotFound') return null;
    throw ec2Error(e, `describing ${id}`);
  }
}

/** Studio instances (tag mtl-studio=true), terminated ones excluded unless asked. */
export async function listInstances(
  client: EC2Client,
  o: { includeTerminated?: boolean } = {},
): Promise<StudioInstance[]> {
  const out: StudioInstance[] = [];
  let token: string | undefined;
  try {
    do {
      const r = await client.send(
        new DescribeInstancesCommand({
          Filters: [{ Name: `tag:${TAG}`, Values: ['true'] }],
          NextToken: token,
        }),
      );
      for (const res of r.Reservations ?? [])
        for (const i of res.Instances ?? []) out.push(toStudioInstance(i));
      token = r.NextToken;
    } while (token);
  } catch (e) {
    throw ec2Error(e, 'listing instances');
  }
  return o.includeTerminated ? out : out.filter((i) => i.state !== 'terminated');
}

/** Terminate instances (and cancel their spot requests, so persistent ones do not come back). */
export async function terminateInstances(client: EC2Client, ids: string[]): Promise<void> {
  if (!ids.length) return;
  try {
    const r = await client.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    const requests = (r.Reservations ?? [])
      .flatMap((x) => x.Instances ?? [])
      .map((i) => i.SpotInstanceRequestId)
      .filter((x): x is string => !!x);
    if (requests.length)
      await client.send(new CancelSpotInstanceRequestsCommand({ SpotInstanceRequestIds: requests }));
    await client.send(new TerminateInstancesCommand({ InstanceIds: ids }));
  } catch (e) {
    throw ec2Error(e, `terminating ${ids.join(', ')}`);
  }
}

export async function waitForState(
  client: EC2Client,
  id: string,
  want: string,
  o: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<StudioInstance> {
  const end = Date.now() + (o.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const i = await describeInstance(client, id);
    if (i?.state === want) return i;
    if (i && ['terminated', 'shutting-down'].includes(i.state) && want !== i.state)
      throw new CloudError('ec2', `instance ${id} is ${i.state} while waiting for ${want}`);
    if (Date.now() > end)
      throw new CloudError(
        'timeout',
        `instance ${id} not ${want} after ${(o.timeoutMs ?? 600_000) / 1000} s (now ${i?.state})`,
      );
    await sleep(1000, o.signal);
  }
}

/** Wait until the host answers with an SSH banner (sshd up, cloud-init far enough). */
export async function waitForSsh(
  host: string,
  port: number,
  o: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<void> {
  const end = Date.now() + (o.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect({ host, port, timeout: 3000 });
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.once('data', (d) => done(d.toString().startsWith('SSH-')));
      sock.once('error', () => done(false));
      sock.once('timeout', () => done(false));
    });
    if (ok) return;
    if (Date.now() > end)
      throw new CloudError(
        'timeout',
        `no SSH answer from ${host}:${port} after ${(o.timeoutMs ?? 600_000) / 1000} s`,
      );
    await sleep(1000, o.signal);
  }
}

/** Terminate every studio instance whose deadline tag has passed. Returns their ids. */
export async function sweepExpired(client: EC2Client, now = new Date()): Promise<StudioInstance[]> {
  const expired = (await listInstances(client)).filter(
    (i) => i.deadline && new Date(i.deadline).getTime() <= now.getTime(),
  );
  await terminateInstances(
    client,
    expired.map((i) => i.id),
  );
  return expired;
}
