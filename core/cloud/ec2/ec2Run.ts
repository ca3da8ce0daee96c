// A run on EC2 that survives spot interruptions: launch an instance (user-data bootstrap), wait for
// SSH, install/check the engine, start training with a pusher that syncs the run to S3, follow it
// live into the local run store, and watch the instance. If the instance goes away (spot
// interruption, termination), launch another, restore the run folder from S3 and `resume` it from
// its last pushed checkpoint — same run id, same local mirror, the log continuing where it stopped.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent } from '../../api/events.ts';
import { runFiles } from '../../runs/paths.ts';
import type { NewRun } from '../../runs/store.ts';
import { CloudError, errorMessage } from '../errors.ts';
import { cloudFiles } from '../paths.ts';
import { assertRunId } from '../safePath.ts';
import { presignGet } from '../s3/presign.ts';
import { makeS3Client, type S3Settings } from '../s3/settings.ts';
import { uploadFile } from '../s3/upload.ts';
import { cachedPackage, localVersion, packageRoot, packEngine } from '../ssh/engine.ts';
import { connectWithRetry, sleep } from '../ssh/connect.ts';
import { followRemoteRun, type FollowResult } from '../ssh/follow.ts';
import {
  launchDetached,
  prepareRemote,
  startRemoteRun,
  writeRemoteS3Config,
  type RemoteLayout,
} from '../ssh/remoteRun.ts';
import { readRemoteState, writeRemoteState } from '../ssh/remoteState.ts';
import { sq, type SshSession } from '../ssh/session.ts';
import { saveTarget, type SshTargetInput } from '../ssh/target.ts';
import {
  forgetInstanceHostKeys,
  readConsoleOutput,
  trustInstanceHostKey,
  type InstanceTrust,
} from './hostKeys.ts';
import {
  describeInstance,
  launchInstance,
  terminateInstances,
  waitForSsh,
  waitForState,
  RUN_TAG,
  type StudioInstance,
} from './instances.ts';
import { costUsd, hourlyPrice } from './prices.ts';
import { makeEc2Client, type Ec2Settings } from './settings.ts';
import { bootstrapScript } from './userData.ts';

export interface Ec2RunOptions {
  workspace: string;
  ec2: Ec2Settings;
  s3: S3Settings;
  /** The new run (its config resolved by the caller); unused with `resumeRunId`. */
  run?: NewRun;
  /** Resume this run (already mirrored locally and pushed to S3) instead of starting a new one. */
  resumeRunId?: string;
  /** How SSH reaches an instance; default: its public IP, port 22, settings' user and key. */
  sshFor?: (i: StudioInstance) => Partial<SshTargetInput>;
  /** Ship the engine in the user-data bootstrap (tarball via a presigned S3 link) instead of
   * installing it over SSH after boot (default true). */
  engineInUserData?: boolean;
  /** Seconds between pushes of the run folder to S3 by the remote pusher. */
  pushEverySec?: number;
  pollInstanceMs?: number;
  maxRelaunches?: number;
  /** Terminate the instance once the run ended (default true). */
  terminateWhenDone?: boolean;
  signal?: AbortSignal;
  log?: (m: string) => void;
  onEvent?: (e: RunEvent) => void;
  /** Called with each instance once it runs (the studio's instances panel). */
  onInstance?: (i: StudioInstance) => void;
  /** An instance's console output, where it publishes its SSH host key fingerprints (default: EC2
   * GetConsoleOutput; tests stand in for it, moto's console output being fixed text). */
  readConsole?: (instanceId: string) => Promise<string>;
  /** How long to wait for those fingerprints before going on unverified (default 5 min). */
  hostKeyTimeoutMs?: number;
}

export interface Ec2RunResult {
  runId: string;
  localDir: string;
  instances: string[];
  relaunches: number;
  follow: FollowResult;
  costUsd: number | null;
}

const GONE = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);

/** Put the longer of the two event logs on the remote when one is a prefix of the other, so the
 * local mirror's offset stays valid: S3 may lag the mirror (pushed every N s) or lead it. */
async function reconcileEvents(s: SshSession, remoteRunDir: string, localDir: string): Promise<void> {
  const localPath = runFiles(localDir).events;
  let local: Buffer;
  try {
    local = readFileSync(localPath);
  } catch {
    return;
  }
  const st = await s.stat(`${remoteRunDir}/events.jsonl`);
  const remote = st ? await s.readRange(`${remoteRunDir}/events.jsonl`, 0, st.size) : Buffer.alloc(0);
  if (remote.length >= local.length && remote.subarray(0, local.length).equals(local)) return;
  // Local is longer (or they diverged): the local copy is what the user saw; it wins.
  await s.putFile(localPath, `${remoteRunDir}/events.jsonl`);
}

export async function runOnEc2(o: Ec2RunOptions): Promise<Ec2RunResult> {
  const log = o.log ?? (() => {});
  const ec2 = makeEc2Client(o.ec2);
  const s3uri = (runId: string) => `s3://${o.s3.bucket}/${o.s3.prefix}/runs/${runId}`;
  const instances: string[] = [];
  let runId = o.resumeRunId && assertRunId(o.resumeRunId, 'resume');
  let localDir = runId ? join(o.workspace, 'runs', runId) : '';
  let relaunches = 0;
  let seconds = 0;
  const engine = (o.engineInUserData ?? true) ? await engineForBootstrap(o.workspace, o.s3) : undefined;
  for (;;) {
    const startedAt = Date.now();
    const inst = await launchInstance(ec2, o.ec2, {
      name: `mtl-studio ${runId ?? 'run'}`,
      userData: bootstrapScript({
        user: o.ec2.sshUser,
        remoteRoot: '.mtl-studio',
        shutdownAfterMin: o.ec2.maxHours * 60,
        engine,
      }),
      tags: runId ? { [RUN_TAG]: runId } : {},
    });
    instances.push(inst.id);
    log(`launched ${inst.market} ${inst.type} ${inst.id}`);
    let follow: FollowResult | null = null;
    let session: SshSession | null = null;
    try {
      const current = await waitForState(ec2, inst.id, 'running', { signal: o.signal });
      o.onInstance?.(current);
      const target = saveTarget(o.workspace, {
        name: `ec2-${inst.id}`,
        host: current.publicIp ?? current.privateIp ?? '',
        port: 22,
        user: o.ec2.sshUser,
        keyFile: o.ec2.keyFile,
        instanceId: inst.id,
        ...o.sshFor?.(current),
      });
      await waitForSsh(target.host, target.port, { signal: o.signal });
      // The key sshd presents must be one the instance published on its console (EC2 API, which a
      // network attacker cannot forge); S3 credentials go only to a verified host.
      let s3ForInstance: S3Settings;
      try {
        const trust = await trustInstanceHostKey(
          o.workspace,
          target,
          () => (o.readConsole ?? ((id) => readConsoleOutput(ec2, id)))(inst.id),
          { timeoutMs: o.hostKeyTimeoutMs, signal: o.signal },
        );
        if (trust.replaced)
          log(`${target.host}: replaced a stale known_hosts entry (an earlier machine at that address)`);
        s3ForInstance = s3SettingsFor(o, inst.id, trust, log);
      } catch (e) {
        if (e instanceof CloudError && e.code.startsWith('host-key')) {
          log(`terminating ${inst.id}: ${e.message}`);
          await terminateInstances(ec2, [inst.id]).catch((t) =>
            log(`terminate ${inst.id}: ${errorMessage(t)}`),
          );
          forgetInstanceHostKeys(o.workspace, [inst.id]);
        }
        throw e;
      }
      session = await connectWithRetry(o.workspace, target, { signal: o.signal, maxOfflineMs: 120_000 });
      // Let the bootstrap finish (it may be installing Node and the engine) before checking them.
      await session.exec('command -v cloud-init >/dev/null && cloud-init status --wait >/dev/null; true', {
        timeoutMs: 30 * 60_000,
      });
      const layout = await prepareRemote(o.workspace, session, { install: true, log });
      const s3Config = await writeRemoteS3Config(session, layout, s3ForInstance);
      const started = runId
        ? await restoreAndResume(o.workspace, session, layout, runId, s3uri(runId), s3Config, localDir)
        : await startRemoteRun(o.workspace, session, layout, { command: 'train', run: newRun(o) });
      runId = started.runId;
      localDir = started.localDir;
      const state = readRemoteState(localDir)!;
      const pusher = await launchDetached(session, layout, [
        's3',
        'push-run',
        state.remoteRunDir,
        '--to',
        s3uri(runId),
        '--every',
        String(o.pushEverySec ?? 30),
        '--while-pid',
        String(state.pid),
        '--s3-config',
        s3Config,
      ]);
      writeRemoteState(localDir, {
        ...state,
        instanceId: inst.id,
        s3Prefix: s3uri(runId),
        pusherPid: pusher.pid,
      });
      session.close();
      session = null;
      log(`run ${runId} on ${inst.id}; checkpoints pushed to ${s3uri(runId)}`);

      // Follow the run while watching the instance; an instance that goes away aborts the follow.
      const ac = new AbortController();
      const stopWatch = new AbortController();
      o.signal?.addEventListener('abort', () => ac.abort(), { once: true });
      const watch = (async () => {
        while (!stopWatch.signal.aborted) {
          await sleep(o.pollInstanceMs ?? 5000, stopWatch.signal).catch(() => {});
          if (stopWatch.signal.aborted) return;
          const now = await describeInstance(ec2, inst.id).catch(() => null);
          if (!now || GONE.has(now.state)) {
            log(`instance ${inst.id} is ${now?.state ?? 'gone'}: spot interruption or termination`);
            ac.abort();
            return;
          }
        }
      })();
      try {
        follow = await followRemoteRun(o.workspace, localDir, {
          signal: ac.signal,
          onEvent: o.onEvent,
          maxOfflineMs: 30 * 60_000,
        });
      } catch (e) {
        if (!(e instanceof CloudError && e.code === 'aborted') || o.signal?.aborted) throw e;
      } finally {
        stopWatch.abort();
        await watch;
      }
    } finally {
      session?.close();
      seconds += (Date.now() - startedAt) / 1000;
      if (localDir) {
        const st = readRemoteState(localDir);
        const hourly = hourlyPrice(o.ec2.instanceType, o.ec2.prices);
        if (st && hourly !== null)
          writeRemoteState(localDir, {
            ...st,
            cost: {
              hourlyUsd: hourly,
              seconds: Math.round(seconds),
              usd: costUsd(o.ec2.instanceType, seconds, o.ec2.prices)!,
            },
          });
      }
    }
    const still = await describeInstance(ec2, inst.id);
    const interrupted = !follow || (follow.phase === 'lost' && (!still || GONE.has(still.state)));
    if (!interrupted) {
      if (o.terminateWhenDone ?? true) {
        await terminateInstances(ec2, [inst.id]);
        forgetInstanceHostKeys(o.workspace, [inst.id]);
      }
      return {
        runId: runId!,
        localDir,
        instances,
        relaunches,
        follow: follow!,
        costUsd: costUsd(o.ec2.instanceType, seconds, o.ec2.prices),
      };
    }
    if (!runId) throw new CloudError('ec2', `instance ${inst.id} went away before the run started`);
    if (++relaunches > (o.maxRelaunches ?? 5))
      throw new CloudError('ec2', `run ${runId}: gave up after ${relaunches - 1} relaunches`);
    await terminateInstances(ec2, [inst.id]).catch((e) => log(`terminate ${inst.id}: ${errorMessage(e)}`));
    forgetInstanceHostKeys(o.workspace, [inst.id]);
    log(`relaunching to resume ${runId} from its last checkpoint in S3 (relaunch ${relaunches})`);
  }
}

/** The S3 settings handed to an instance: with their static keys only when its host key was
 * verified. Unverified, the instance must get S3 access from its instance profile; when the keys
 * would be needed (static keys, no profile) the run is refused rather than the keys sent. */
function s3SettingsFor(
  o: Ec2RunOptions,
  id: string,
  trust: InstanceTrust,
  log: (m: string) => void,
): S3Settings {
  if (trust.verified) {
    log(`host key of ${id} verified against its console output (${trust.fingerprint})`);
    return o.s3;
  }
  const why = trust.consoleError
    ? `its console output could not be read (${trust.consoleError})`
    : 'its console output published no SSH host key fingerprints in time';
  const { accessKeyId, secretAccessKey, ...keyless } = o.s3;
  if ((accessKeyId || secretAccessKey) && !o.ec2.instanceProfile)
    throw new CloudError(
      'host-key-unknown',
      `host key of ${id} (${trust.fingerprint}) could not be verified: ${why}; ` +
        `refusing to send it the S3 keys of cloud/s3.json. Give instances an instance profile ` +
        `(\`ec2 setup --profile NAME\`) or retry (console output can lag behind the boot)`,
    );
  log(
    `host key of ${id} (${trust.fingerprint}) NOT verified (${why}): ` +
      `S3 credentials are not sent to it; it uses ${o.ec2.instanceProfile ? `its instance profile ${o.ec2.instanceProfile}` : 'its own credentials'}`,
  );
  return keyless;
}

/** On a fresh instance: pull the run folder from S3, make its event log agree with the local
 * mirror, and `resume` it. */
async function restoreAndResume(
  workspace: string,
  s: SshSession,
  layout: RemoteLayout,
  runId: string,
  uri: string,
  s3Config: string,
  localDir: string,
) {
  const remoteRunDir = `${layout.workspace}/runs/${runId}`;
  await s.run(
    `${layout.cli} s3 pull ${sq(uri)} ${sq(remoteRunDir)} --s3-config ${sq(s3Config)}`,
    `restoring ${runId} from ${uri}`,
    { timeoutMs: 60 * 60_000 },
  );
  await reconcileEvents(s, remoteRunDir, localDir);
  return startRemoteRun(workspace, s, layout, { command: 'resume', runId });
}

/** Upload the packed engine (and lockfile) to S3 and presign links for the bootstrap to fetch. */
async function engineForBootstrap(workspace: string, s3: S3Settings) {
  const dir = cloudFiles(workspace).engine;
  const cached = cachedPackage(dir);
  const pkg = cached
    ? { tarball: cached, version: localVersion(), sha256: sha256File(cached) }
    : packEngine(dir);
  const client = makeS3Client(s3);
  const key = `${s3.prefix}/engine/${pkg.version}-${pkg.sha256.slice(0, 8)}`;
  const stateDir = cloudFiles(workspace).uploads;
  await uploadFile(client, { bucket: s3.bucket, key: `${key}.tgz`, file: pkg.tarball, stateDir });
  await uploadFile(client, {
    bucket: s3.bucket,
    key: `${key}.lock.json`,
    file: join(packageRoot(), 'package-lock.json'),
    stateDir,
  });
  return {
    tarballUrl: await presignGet(client, s3.bucket, `${key}.tgz`),
    lockUrl: await presignGet(client, s3.bucket, `${key}.lock.json`),
    folder: `${pkg.version}-${pkg.sha256.slice(0, 8)}`,
    sha256: pkg.sha256,
    version: pkg.version,
  };
}

const sha256File = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');

function newRun(o: Ec2RunOptions): NewRun {
  if (!o.run) throw new CloudError('bad-config', 'runOnEc2: give the new run, or resumeRunId');
  return o.run;
}
