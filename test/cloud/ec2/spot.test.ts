// EC2 against moto + the loopback sshd standing in for the instances' SSH: launch a spot instance,
// train on it with checkpoints pushed to S3, then a spot interruption (the instance is terminated
// in EC2 and its "machine" — trainer, pusher and disk — disappears). The run relaunches on a new
// instance and resumes from the S3 checkpoint automatically: same run id, same local mirror.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../../core/api/config/resolve.ts';
import { listCheckpoints } from '../../../core/runs/checkpoints.ts';
import {
  DescribeImagesCommand,
  DescribeInstanceAttributeCommand,
  ImportKeyPairCommand,
} from '@aws-sdk/client-ec2';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../core/api/events.ts';
import { runOnEc2 } from '../../../core/cloud/ec2/ec2Run.ts';
import {
  describeInstance,
  launchInstance,
  listInstances,
  sweepExpired,
  terminateInstances,
} from '../../../core/cloud/ec2/instances.ts';
import { costUsd } from '../../../core/cloud/ec2/prices.ts';
import { makeEc2Client, parseEc2Settings, type Ec2Settings } from '../../../core/cloud/ec2/settings.ts';
import { bootstrapScript } from '../../../core/cloud/ec2/userData.ts';
import { setupBucket } from '../../../core/cloud/s3/bucket.ts';
import { makeS3Client, parseS3Settings, type S3Settings } from '../../../core/cloud/s3/settings.ts';
import { listObjects, syncUp } from '../../../core/cloud/s3/sync.ts';
import { openTarget } from '../../../core/cloud/ssh/connect.ts';
import { prepareRemote, remoteDataset, writeRemoteS3Config } from '../../../core/cloud/ssh/remoteRun.ts';
import { saveTarget } from '../../../core/cloud/ssh/target.ts';
import { trustHostKey } from '../../../core/cloud/ssh/trust.ts';
import { readRemoteState } from '../../../core/cloud/ssh/remoteState.ts';
import { addHostKey, checkHostKey, fingerprint, removeHostKeys } from '../../../core/cloud/ssh/knownHosts.ts';
import { cloudFiles } from '../../../core/cloud/paths.ts';
import type { StudioInstance } from '../../../core/cloud/ec2/instances.ts';
import {
  fakeEngine,
  loopbackTarget,
  removeSshd,
  startMoto,
  startSshd,
  type Moto,
  type Sshd,
} from '../servers.ts';

let moto: Moto;
let sshd: Sshd;
let ws: string;
let ec2s: Ec2Settings;
let s3s: S3Settings;

beforeAll(async () => {
  moto = startMoto();
  sshd = startSshd();
  ws = mkdtempSync(join(tmpdir(), 'mtl-ws-'));
  const creds = { endpoint: moto.endpoint, accessKeyId: 'test', secretAccessKey: 'test' };
  s3s = parseS3Settings({ bucket: 'mtl-spot', partSizeMb: 5, ...creds });
  await setupBucket(makeS3Client(s3s), s3s.bucket, 'us-east-1');
  const client = makeEc2Client({ region: 'us-east-1', ...creds });
  const ami = (await client.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
  await client.send(
    new ImportKeyPairCommand({ KeyName: 'mtl', PublicKeyMaterial: readFileSync(`${sshd.key}.pub`) }),
  );
  ec2s = parseEc2Settings({
    ...creds,
    ami,
    keyName: 'mtl',
    keyFile: sshd.key,
    instanceType: 'p2.xlarge',
    market: 'spot',
    volumeGb: 50,
    maxHours: 2,
    tags: { project: 'test' },
  });
});
afterAll(() => {
  moto.stop();
  removeSshd(sshd);
  rmSync(ws, { recursive: true, force: true });
});

/** What an instance's console shows once cloud-init ran (the AWS layout): the fingerprint of the
 * key in `pubFile`'s format (`type base64 comment`). moto's own console output is fixed text. */
const consoleShowing = (publicKey: string) =>
  [
    '[    0.000000] Linux version 6.8.0-1015-aws',
    'ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----',
    `ec2: 256 ${fingerprint(Buffer.from(publicKey.split(' ')[1], 'base64'))} root@ip-10-0-0-5 (ED25519)`,
    'ec2: -----END SSH HOST KEY FINGERPRINTS-----',
  ].join('\n');
const sshdConsole = () => Promise.resolve(consoleShowing(readFileSync(sshd.hostKey, 'utf8')));
const sshdHostKey = () => Buffer.from(readFileSync(sshd.hostKey, 'utf8').split(' ')[1], 'base64');
/** Every instance reached through the loopback sshd, each with its own disk (remote root). */
const viaLoopback = (engine: string) => (i: StudioInstance) => ({
  host: sshd.host,
  port: sshd.port,
  user: sshd.user,
  keyFile: sshd.key,
  remoteRoot: `${sshd.remoteRoot}/${i.id}`,
  enginePath: engine,
  keepaliveIntervalMs: 500,
});

describe('datasets from S3 (moto)', () => {
  it('the remote fetches a dataset from S3 itself', async () => {
    const local = join(ws, 'tiny');
    mkdirSync(join(local, 'train/rgb'), { recursive: true });
    writeFileSync(join(local, 'train/rgb/0.jpg'), randomBytes(3000));
    await syncUp(makeS3Client(s3s), {
      bucket: s3s.bucket,
      prefix: 'datasets/tiny',
      dir: local,
      partSize: 5 << 20,
      stateDir: join(ws, 'up'),
    });
    const target = saveTarget(ws, loopbackTarget(sshd, { enginePath: fakeEngine(sshd) }));
    await trustHostKey(ws, target);
    const s = await openTarget(ws, target);
    const layout = await prepareRemote(ws, s);
    // An older, world-readable copy is narrowed too (SFTP sets the mode only on create).
    writeFileSync(join(sshd.remoteRoot, 's3.json'), '{}');
    chmodSync(join(sshd.remoteRoot, 's3.json'), 0o644);
    execFileSync('chown', [sshd.user, join(sshd.remoteRoot, 's3.json')]);
    const s3Config = await writeRemoteS3Config(s, layout, s3s);
    expect(statSync(s3Config).mode & 0o777).toBe(0o600);
    const dest = await remoteDataset(s, layout, {
      kind: 's3',
      uri: `s3://${s3s.bucket}/datasets/tiny`,
      name: 'tiny',
      s3Config,
    });
    s.close();
    expect(dest).toBe(`${sshd.remoteRoot}/ws/datasets/tiny`);
    expect(
      readFileSync(join(dest, 'train/rgb/0.jpg')).equals(readFileSync(join(local, 'train/rgb/0.jpg'))),
    ).toBe(true);
  });
});

describe('EC2 (moto)', () => {
  it('launches tagged spot/on-demand instances with the bootstrap, lists, sweeps and terminates them', async () => {
    const client = makeEc2Client(ec2s);
    const spot = await launchInstance(client, ec2s, {
      name: 'a',
      userData: bootstrapScript({ user: 'ubuntu', remoteRoot: '.mtl-studio', shutdownAfterMin: 120 }),
    });
    expect(spot).toMatchObject({
      market: 'spot',
      type: 'p2.xlarge',
      tags: { project: 'test', Name: 'a', 'mtl-studio': 'true' },
    });
    const ud = await client.send(
      new DescribeInstanceAttributeCommand({ InstanceId: spot.id, Attribute: 'userData' }),
    );
    const script = Buffer.from(ud.UserData!.Value!, 'base64').toString();
    expect(script).toContain('shutdown -h +120');
    expect(script).toMatch(/nodesource\.com\/setup_20\.x/);
    const od = await launchInstance(
      client,
      { ...ec2s, market: 'on-demand', maxHours: 1 },
      { name: 'b', now: new Date(Date.now() - 2 * 3600_000) },
    );
    expect(od.market).toBe('on-demand');
    expect((await listInstances(client)).map((i) => i.id).sort()).toEqual([spot.id, od.id].sort());
    // The forgotten one (deadline an hour ago) is swept; the other is not.
    expect((await sweepExpired(client)).map((i) => i.id)).toEqual([od.id]);
    expect((await describeInstance(client, od.id))?.state).toBe('terminated');
    await terminateInstances(client, [spot.id]);
    expect(await listInstances(client)).toEqual([]);
    expect(costUsd('p2.xlarge', 1800)).toBe(0.45);
    expect(costUsd('unknown.type', 1800)).toBeNull();
  });

  it('resumes a run from its S3 checkpoint after a spot interruption, on a relaunched instance', async () => {
    const engine = fakeEngine(sshd);
    const seen: RunEvent[] = [];
    const logs: string[] = [];
    const run = runOnEc2({
      workspace: ws,
      ec2: ec2s,
      s3: s3s,
      run: {
        // The first instance trains until it is interrupted; the resumed run finishes 20 steps later.
        config: resolveConfig({ sets: ['train.epochs=1', 'train.stepsPerEpoch=100000'] }),
        name: 'spot',
        tags: ['fake.stepMs=100', 'fake.resumeSteps=20', 'fake.resumeStepMs=20'],
      },
      engineInUserData: false,
      // Every "instance" is reached through the loopback sshd, each with its own disk (remote root),
      // and shows that sshd's host key on its console.
      sshFor: viaLoopback(engine),
      readConsole: sshdConsole,
      pushEverySec: 1,
      pollInstanceMs: 300,
      onEvent: (e) => seen.push(e),
      log: (m) => logs.push(m),
    });
    const client = makeEc2Client(ec2s);
    const s3 = makeS3Client(s3s);
    // Wait until training is under way and a checkpoint has reached S3.
    let first = '';
    for (let i = 0; ; i++) {
      expect(i, 'a checkpoint should reach S3 while the first instance trains').toBeLessThan(600);
      const running = (await listInstances(client)).find((x) => x.state === 'running');
      if (running) first = running.id;
      const runDir = join(ws, 'runs');
      const state = (() => {
        try {
          const id = execFileSync('ls', [runDir]).toString().trim().split('\n')[0];
          return id ? readRemoteState(join(runDir, id)) : null;
        } catch {
          return null;
        }
      })();
      const objects = state?.s3Prefix
        ? await listObjects(s3, s3s.bucket, `${s3s.prefix}/runs/${state.runId}/checkpoints/`)
        : new Map();
      if (objects.size && seen.filter((e) => e.type === 'step').length >= 15) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = readRemoteState(
      join(
        ws,
        'runs',
        execFileSync('ls', [join(ws, 'runs')])
          .toString()
          .trim(),
      ),
    )!;
    // Spot interruption: EC2 terminates the instance; its processes and disk are gone.
    await terminateInstances(client, [first]);
    execFileSync('kill', ['-9', String(before.pid), String(before.pusherPid)]);
    rmSync(join(sshd.remoteRoot, first), { recursive: true, force: true });

    const result = await run;
    expect(result.relaunches).toBe(1);
    expect(result.instances).toHaveLength(2);
    expect(result.instances[0]).toBe(first);
    expect(result.runId).toBe(before.runId);
    expect(result.follow).toMatchObject({ phase: 'done', status: 'completed' });
    expect(logs.join('\n')).toMatch(/relaunching to resume/);

    // The local log: everything seen before the interruption, then a resume from the S3
    // checkpoint's step, then the 20 steps that finish it; nothing duplicated byte-wise.
    const lines = readFileSync(join(result.localDir, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RunEvent);
    const resume = lines.find((e) => e.type === 'resume') as Extract<RunEvent, { type: 'resume' }>;
    const stepsBefore = lines.slice(0, lines.indexOf(resume)).filter((e) => e.type === 'step');
    expect(stepsBefore.map((e) => e.step)).toEqual(stepsBefore.map((_, i) => i + 1));
    expect(resume.supersedesAfterStep).toBeGreaterThan(0);
    expect(resume.supersedesAfterStep).toBeLessThanOrEqual(stepsBefore.length);
    const afterResume = lines
      .slice(lines.indexOf(resume))
      .filter((e) => e.type === 'step')
      .map((e) => e.step);
    expect(afterResume).toEqual(Array.from({ length: 20 }, (_, i) => resume.supersedesAfterStep + i + 1));
    expect(listCheckpoints(result.localDir)).toMatchObject([
      { kind: 'last', step: resume.supersedesAfterStep + 20 },
    ]);
    // Both instances end terminated; cost is known from the price table.
    for (const id of result.instances) expect((await describeInstance(client, id))?.state).toBe('terminated');
    expect(readRemoteState(result.localDir)).toMatchObject({
      instanceId: result.instances[1],
      cost: { hourlyUsd: 0.9 },
    });
    expect(result.costUsd).not.toBeNull();
  }, 300000);
});

describe('EC2 host keys (moto + sshd)', () => {
  const quickRun = {
    run: {
      config: resolveConfig({ sets: ['train.epochs=1', 'train.stepsPerEpoch=3'] }),
      tags: ['fake.stepMs=20'],
    },
    engineInUserData: false,
  };
  const gone = async (id: string) =>
    expect((await describeInstance(makeEc2Client(ec2s), id))?.state).toMatch(/terminated|shutting-down/);

  it('refuses a host whose key is not the one its console published: nothing trusted, nothing sent', async () => {
    const other = ssh2.utils.generateKeyPairSync('ed25519').public;
    const logs: string[] = [];
    let id = '';
    await expect(
      runOnEc2({
        workspace: ws,
        ec2: ec2s,
        s3: s3s,
        ...quickRun,
        sshFor: viaLoopback(fakeEngine(sshd)),
        readConsole: () => Promise.resolve(consoleShowing(other)),
        onInstance: (i) => (id = i.id),
        log: (m) => logs.push(m),
      }),
    ).rejects.toMatchObject({
      code: 'host-key-changed',
      message: expect.stringMatching(/man-in-the-middle/),
    });
    expect(checkHostKey(cloudFiles(ws).knownHosts, sshd.host, sshd.port, sshdHostKey()).status).toBe(
      'unknown',
    );
    expect(existsSync(join(sshd.remoteRoot, id, 's3.json'))).toBe(false);
    expect(logs.join('\n')).toMatch(/terminating i-/);
    await gone(id);
  });

  it('never sends S3 keys to a host it could not verify (moto prints no fingerprints)', async () => {
    let id = '';
    await expect(
      runOnEc2({
        workspace: ws,
        ec2: ec2s,
        s3: s3s,
        ...quickRun,
        sshFor: viaLoopback(fakeEngine(sshd)),
        hostKeyTimeoutMs: 1500, // the real GetConsoleOutput of moto: fixed text, no fingerprints
        onInstance: (i) => (id = i.id),
      }),
    ).rejects.toMatchObject({
      code: 'host-key-unknown',
      message: expect.stringMatching(/could not be verified.*refusing to send it the S3 keys/),
    });
    expect(existsSync(join(sshd.remoteRoot, id, 's3.json'))).toBe(false);
    await gone(id);

    // Without static keys there is nothing to withhold: the run goes on, said so in the log.
    const logs: string[] = [];
    const { accessKeyId: _k, secretAccessKey: _s, ...keyless } = s3s;
    const r = await runOnEc2({
      workspace: ws,
      ec2: ec2s,
      s3: keyless,
      ...quickRun,
      sshFor: viaLoopback(fakeEngine(sshd)),
      hostKeyTimeoutMs: 1000,
      log: (m) => logs.push(m),
    });
    expect(r.follow).toMatchObject({ phase: 'done', status: 'completed' });
    expect(logs.join('\n')).toMatch(/NOT verified .*S3 credentials are not sent/);
    const handed = JSON.parse(readFileSync(join(sshd.remoteRoot, r.instances[0], 's3.json'), 'utf8'));
    expect(handed).not.toHaveProperty('secretAccessKey');
  }, 180000);

  it('says why when the console cannot be read (a missing ec2:GetConsoleOutput permission)', async () => {
    let id = '';
    await expect(
      runOnEc2({
        workspace: ws,
        ec2: ec2s,
        s3: s3s,
        ...quickRun,
        sshFor: viaLoopback(fakeEngine(sshd)),
        readConsole: () => Promise.reject(new Error('UnauthorizedOperation: not allowed')),
        hostKeyTimeoutMs: 500,
        onInstance: (i) => (id = i.id),
      }),
    ).rejects.toMatchObject({
      code: 'host-key-unknown',
      message: expect.stringMatching(
        /console output could not be read \(UnauthorizedOperation: not allowed\)/,
      ),
    });
    await gone(id);
  });

  it('replaces a stale key of a reused address once the new one is verified, and forgets it at termination', async () => {
    // An earlier instance had this address (and another key); only its entry is on file.
    removeHostKeys(cloudFiles(ws).knownHosts, sshd.host, sshd.port);
    const old = ssh2.utils.generateKeyPairSync('ed25519').public;
    addHostKey(cloudFiles(ws).knownHosts, sshd.host, sshd.port, Buffer.from(old.split(' ')[1], 'base64'));
    const logs: string[] = [];
    const r = await runOnEc2({
      workspace: ws,
      ec2: ec2s,
      s3: s3s,
      ...quickRun,
      sshFor: viaLoopback(fakeEngine(sshd)),
      readConsole: sshdConsole,
      log: (m) => logs.push(m),
    });
    expect(r.follow).toMatchObject({ phase: 'done', status: 'completed' });
    expect(logs.join('\n')).toMatch(/replaced a stale known_hosts entry/);
    expect(logs.join('\n')).toMatch(/host key of i-\w+ verified against its console output \(SHA256:/);
    // The verified host got the keys; once it is terminated its address is forgotten.
    expect(JSON.parse(readFileSync(join(sshd.remoteRoot, r.instances[0], 's3.json'), 'utf8'))).toMatchObject({
      secretAccessKey: 'test',
    });
    await gone(r.instances[0]);
    expect(readFileSync(cloudFiles(ws).knownHosts, 'utf8')).not.toContain(`[${sshd.host}]:${sshd.port}`);
  }, 180000);
});
