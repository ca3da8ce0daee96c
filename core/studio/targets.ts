// The targets / instances / sync screens over core/cloud: list, add (with trust-on-first-use of the
// host key), test and remove SSH targets; list, launch and terminate studio EC2 instances; the sync
// state of mirrored runs. core/cloud is imported lazily so a studio without targets starts fast.
import { join } from 'node:path';
import type { CallParsed, CallResponse, InstanceInfo, SyncStatus, TargetStatus } from '../api/studio.ts';
import { runsDir } from '../runs/paths.ts';
import type { RemoteBridge } from './remote.ts';

type Check = NonNullable<TargetStatus['check']>;
const cloud = () => import('../cloud/index.ts');
const ssh = () => import('../cloud/ssh/session.ts');
const hosts = () => import('../cloud/ssh/knownHosts.ts');

export class TargetsBridge {
  /** Last `targets.test` result per target name (this session). */
  private readonly checks = new Map<string, Check>();

  constructor(
    private readonly workspace: string,
    private readonly remote: RemoteBridge,
  ) {}

  async list(): Promise<TargetStatus[]> {
    const infos = await this.remote.targets();
    const c = await cloud();
    let saved: Awaited<ReturnType<typeof c.loadTargets>> = [];
    try {
      saved = c.loadTargets(this.workspace);
    } catch {
      saved = []; // remote.targets() already fell back to this machine only
    }
    return infos.map((t) => {
      const s = saved.find((x) => x.name === t.id);
      return {
        ...t,
        ...(s
          ? {
              host: s.host,
              port: s.port,
              user: s.user,
              keyFile: s.keyFile,
              knownHosts: c.cloudFiles(this.workspace).knownHosts === s.knownHosts ? undefined : s.knownHosts,
              instanceId: s.instanceId,
            }
          : {}),
        ...(this.checks.has(t.id) ? { check: this.checks.get(t.id) } : {}),
      };
    });
  }

  async add(req: CallParsed<'targets.add'>): Promise<CallResponse<'targets.add'>> {
    const c = await cloud();
    const { trustFingerprint, name, ...rest } = req;
    if (name === 'local') throw new c.CloudError('bad-config', 'target name "local" means this machine');
    // Validated by core/cloud's own target schema (names the key on error); saved only once trusted.
    const { parseTarget, knownHostsFile } = await import('../cloud/ssh/target.ts');
    const target = parseTarget({ name, ...rest }, `target ${name}`);
    const file = knownHostsFile(this.workspace, target);
    let trusted: { fingerprint: string; keyType: string; knownHosts: string } | undefined;
    if (trustFingerprint) {
      const r = await c.trustHostKey(this.workspace, target, { expectFingerprint: trustFingerprint });
      trusted = { fingerprint: r.fingerprint, keyType: r.keyType, knownHosts: r.knownHosts };
    } else {
      const key = await presentedHostKey(target, file);
      const k = await hosts();
      const check = k.checkHostKey(file, target.host, target.port, key);
      if (check.status === 'changed')
        throw new c.CloudError(
          'host-key-changed',
          `${target.host}:${target.port} presents ${k.fingerprint(key)}, which differs from ${file} line ${check.line}; remove that line if the server was reinstalled`,
        );
      if (check.status === 'unknown')
        return {
          ok: false,
          hostKey: { fingerprint: k.fingerprint(key), keyType: k.keyType(key), knownHosts: file },
        };
    }
    c.saveTarget(this.workspace, { name, ...rest });
    this.checks.delete(name);
    const status = (await this.list()).find((t) => t.id === name)!;
    return { ok: true, target: status, ...(trusted ? { trusted } : {}) };
  }

  /** Connect (host key, login), then check the engine and free disk like `remote check`. */
  async test(id: string): Promise<TargetStatus> {
    const c = await cloud();
    const target = c.getTarget(this.workspace, id);
    const at = Date.now();
    let check: Check;
    try {
      const s = await c.openTarget(this.workspace, target);
      try {
        const layout = await c.prepareRemote(this.workspace, s);
        const { freeBytes } = await import('../cloud/ssh/remoteFs.ts');
        const engine = await c.checkEngine(s, layout.engine);
        check = {
          ok: true,
          reachable: true,
          at,
          engine,
          freeMb: Math.round((await freeBytes(s, layout.root)) / 1e6),
        };
      } catch (e) {
        check = { reachable: true, ...failure(e, at) };
      } finally {
        s.close();
      }
    } catch (e) {
      check = { reachable: false, ...failure(e, at) };
    }
    this.checks.set(id, check);
    return (await this.list()).find((t) => t.id === id)!;
  }

  async remove(id: string): Promise<boolean> {
    this.checks.delete(id);
    return (await cloud()).removeTarget(this.workspace, id);
  }

  async instances(): Promise<CallResponse<'instances.list'>> {
    const c = await cloud();
    let settings;
    try {
      settings = c.loadEc2Settings(this.workspace);
    } catch {
      return { configured: false, instances: [] };
    }
    const list = await c.listInstances(c.makeEc2Client(settings));
    return {
      configured: true,
      instances: list.map((i) => instanceInfo(i, c.hourlyPrice(i.type, settings.prices))),
      defaults: {
        instanceType: settings.instanceType,
        ami: settings.ami,
        keyName: settings.keyName,
        securityGroupIds: settings.securityGroupIds,
        volumeGb: settings.volumeGb,
        market: settings.market,
        maxHours: settings.maxHours,
      },
    };
  }

  async launch(req: CallParsed<'instances.launch'>): Promise<InstanceInfo> {
    const c = await cloud();
    const { parseEc2Settings } = await import('../cloud/ec2/settings.ts');
    const { name, ...overrides } = req;
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    const settings = parseEc2Settings({ ...c.loadEc2Settings(this.workspace), ...defined }, 'launch');
    const i = await c.launchInstance(c.makeEc2Client(settings), settings, { name });
    return instanceInfo(i, c.hourlyPrice(i.type, settings.prices));
  }

  async terminate(id: string): Promise<void> {
    await (await cloud()).terminateInstance(this.workspace, id);
  }

  async sync(runId: string): Promise<SyncStatus> {
    const { readRemoteState } = await cloud();
    const st = readRemoteState(join(runsDir(this.workspace), runId));
    if (!st) return { remote: false };
    return {
      remote: true,
      target: st.target,
      host: st.host,
      phase: st.phase,
      ...(st.message ? { message: st.message } : {}),
      eventsOffset: st.eventsOffset,
      ...(st.lastContact ? { lastContact: st.lastContact } : {}),
      filesMirrored: Object.keys(st.files ?? {}).length,
      following: this.remote.isFollowing(runId),
      ...(st.instanceId ? { instanceId: st.instanceId } : {}),
      ...(st.s3Prefix ? { s3Prefix: st.s3Prefix, s3Pusher: st.pusherPid !== undefined } : {}),
      ...(st.cost ? { cost: st.cost } : {}),
    };
  }

  async syncNow(runId: string): Promise<SyncStatus> {
    if (this.remote.isRemote(runId)) await this.remote.follow(runId);
    return this.sync(runId);
  }
}

/** The host key a server presents, without trusting it (authentication may fail: the key comes first). */
async function presentedHostKey(
  target: import('../cloud/ssh/target.ts').SshTarget,
  file: string,
): Promise<Buffer> {
  const { SshSession } = await ssh();
  let key: Buffer | null = null;
  await SshSession.open(target, { knownHosts: file, acceptAnyHostKey: true, onHostKey: (k) => (key = k) })
    .then((s) => s.close())
    .catch((e: unknown) => {
      if (!key) throw e;
    });
  if (!key) throw new Error(`${target.host}:${target.port} presented no host key`);
  return key;
}

function failure(e: unknown, at: number): Omit<Check, 'reachable'> {
  const code = (e as { code?: unknown }).code;
  return {
    ok: false,
    at,
    ...(typeof code === 'string' ? { code } : {}),
    error: e instanceof Error ? e.message : String(e),
  };
}

function instanceInfo(
  i: Awaited<ReturnType<Awaited<ReturnType<typeof cloud>>['listInstances']>>[number],
  hourlyUsd: number | null,
): InstanceInfo {
  return {
    id: i.id,
    state: i.state,
    type: i.type,
    market: i.market,
    ...(i.publicIp ? { publicIp: i.publicIp } : {}),
    ...(i.launchedAt ? { launchedAt: i.launchedAt } : {}),
    ...(i.deadline ? { deadline: i.deadline } : {}),
    ...(i.run ? { run: i.run } : {}),
    ...(i.tags.Name ? { name: i.tags.Name } : {}),
    hourlyUsd,
  };
}
