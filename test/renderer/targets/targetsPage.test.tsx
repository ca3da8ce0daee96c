// @vitest-environment jsdom
// Targets page, instances panel and the remote sync card against a scripted studio.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { SystemInfo, TargetStatus } from '../../../core/api/studio.ts';
import { TargetsPage } from '../../../renderer/src/targets/TargetsPage.tsx';
import { RemoteSyncCard } from '../../../renderer/src/runview/RemoteSyncCard.tsx';
import { NewRunPage } from '../../../renderer/src/newrun/NewRunPage.tsx';
import { createFakeStudio } from '../fakeApi.ts';
import { renderStudio } from '../renderStudio.tsx';

afterEach(cleanup);

const LOCAL: TargetStatus = { id: 'local', label: 'This machine', kind: 'local', available: true };
const system = (targets: SystemInfo['targets']): SystemInfo => ({
  app: 'MTL Studio',
  version: '0.1.0',
  transport: 'http',
  versions: {},
  platform: 'linux',
  arch: 'x64',
  cpus: 2,
  memoryMb: 4096,
  workspace: '/ws',
  backends: ['cpu'],
  defaultPreset: 'quick-cpu',
  firstStart: false,
  targets,
});
const FP = 'SHA256:abcDEF123';

/** A fake engine holding a list of targets; add asks for trust first, test fails per target. */
function targetsStudio(instances = { configured: false, instances: [] as unknown[] }) {
  let targets: TargetStatus[] = [LOCAL];
  const f = createFakeStudio({
    'targets.list': () => ({ targets }),
    'system.info': () =>
      system(targets.map(({ id, label, kind, available }) => ({ id, label, kind, available }))),
    'targets.add': (req: {
      name: string;
      host: string;
      port: number;
      user: string;
      keyFile: string;
      trustFingerprint?: string;
    }) => {
      if (req.host === 'nowhere') throw new Error('connect ECONNREFUSED nowhere:22');
      if (!req.trustFingerprint)
        return {
          ok: false,
          hostKey: { fingerprint: FP, keyType: 'ssh-ed25519', knownHosts: '/ws/cloud/known_hosts' },
        };
      const t: TargetStatus = {
        id: req.name,
        label: `${req.user}@${req.host}`,
        kind: 'ssh',
        available: true,
        host: req.host,
        port: req.port,
        user: req.user,
        keyFile: req.keyFile,
      };
      targets = [...targets, t];
      return { ok: true, target: t };
    },
    'targets.test': ({ id }: { id: string }) => {
      const t = targets.find((x) => x.id === id)!;
      const check =
        id === 'gpu'
          ? {
              ok: false,
              reachable: false,
              at: Date.now(),
              code: 'auth-failed',
              error: 'all configured authentication methods failed',
            }
          : { ok: true, reachable: true, at: Date.now(), engine: '0.1.0', freeMb: 52000 };
      targets = targets.map((x) => (x.id === id ? { ...t, check } : x));
      return targets.find((x) => x.id === id);
    },
    'targets.remove': ({ id }: { id: string }) => {
      targets = targets.filter((x) => x.id !== id);
      return { removed: true };
    },
    'instances.list': () => instances,
    'instances.launch': (req: unknown) => ({
      id: 'i-0abc',
      state: 'pending',
      type: (req as { instanceType: string }).instanceType,
      market: 'spot',
      hourlyUsd: 0.526,
    }),
    'instances.terminate': () => ({ ok: true }),
  });
  return f;
}

const fill = (key: string, value: string) =>
  fireEvent.change(screen.getByTestId(`target-${key}`), { target: { value } });

describe('Targets page', () => {
  it('adds an SSH target only after the host key fingerprint is confirmed, then tests it', async () => {
    const f = targetsStudio();
    renderStudio(<TargetsPage />, f);
    await waitFor(() => expect(screen.getAllByTestId('target-row')).toHaveLength(1));
    fill('name', 'gpu');
    fill('host', '10.0.0.5');
    fill('user', 'ubuntu');
    fill('keyFile', '/keys/id');
    fireEvent.click(screen.getByTestId('target-add'));
    expect(await screen.findByTestId('host-key-fingerprint')).toHaveProperty('textContent', FP);
    expect(screen.getAllByTestId('target-row')).toHaveLength(1); // nothing saved yet
    const adds = () => f.calls.filter((c) => c.channel === 'targets.add');
    expect(adds()[0].payload).not.toHaveProperty('trustFingerprint');

    fireEvent.click(screen.getByTestId('host-key-trust'));
    await waitFor(() => expect(screen.getAllByTestId('target-row')).toHaveLength(2));
    expect(adds()[1].payload).toMatchObject({ name: 'gpu', port: 22, trustFingerprint: FP });
    // added targets are tested at once; this one has wrong credentials
    const row = () => document.querySelector('[data-target="gpu"]') as HTMLElement;
    await waitFor(() =>
      expect(within(row()).getByTestId('target-status').textContent).toMatch(/login refused/),
    );
    expect(within(row()).getByTestId('target-error').textContent).toMatch(
      /Wrong credentials.*authentication methods failed/,
    );
    // the new-run picker reads system.info, refreshed after the add
    await waitFor(() =>
      expect(f.store.getState().system?.targets.map((t) => t.id)).toEqual(['local', 'gpu']),
    );
  });

  it('explains an unreachable host when adding, and removes a target', async () => {
    const f = targetsStudio();
    renderStudio(<TargetsPage />, f);
    fill('name', 'x');
    fill('host', 'nowhere');
    fill('user', 'u');
    fill('keyFile', '/k');
    fireEvent.click(screen.getByTestId('target-add'));
    expect((await screen.findByTestId('add-target-error')).textContent).toMatch(
      /Unreachable: check host, port.*ECONNREFUSED/,
    );

    fill('host', 'lab');
    fill('name', 'lab');
    fireEvent.click(screen.getByTestId('target-add'));
    fireEvent.click(await screen.findByTestId('host-key-trust'));
    const row = async () =>
      (await screen.findAllByTestId('target-row')).find((r) => r.dataset.target === 'lab')!;
    await waitFor(async () => expect((await row()).textContent).toMatch(/ready/));
    expect((await row()).textContent).toMatch(/0\.1\.0.*52\.0 GB free/);
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    fireEvent.click(within(await row()).getByTestId('target-remove'));
    await waitFor(() => expect(screen.getAllByTestId('target-row')).toHaveLength(1));
  });

  it('shows EC2 instances with price, launches with the form values and terminates', async () => {
    const f = targetsStudio({
      configured: true,
      instances: [
        {
          id: 'i-0123',
          state: 'running',
          type: 'g4dn.xlarge',
          market: 'spot',
          publicIp: '1.2.3.4',
          hourlyUsd: 0.526,
          name: 'mtl-gpu',
        },
        { id: 'i-0456', state: 'running', type: 'x9.weird', market: 'on-demand', hourlyUsd: null },
      ],
      defaults: {
        instanceType: 'g4dn.xlarge',
        ami: 'ami-0abc',
        keyName: 'kp',
        securityGroupIds: ['sg-1'],
        volumeGb: 100,
        market: 'spot',
        maxHours: 24,
      },
    } as never);
    renderStudio(<TargetsPage />, f);
    const rows = await screen.findAllByTestId('instance-row');
    expect(rows[0].textContent).toMatch(/\$0\.526/);
    expect(rows[1].textContent).toMatch(/unknown/);
    fireEvent.change(screen.getByTestId('instance-instanceType'), { target: { value: 'g5.xlarge' } });
    fireEvent.change(screen.getByTestId('instance-market'), { target: { value: 'on-demand' } });
    fireEvent.click(screen.getByTestId('instance-launch'));
    await waitFor(() => expect(f.calls.some((c) => c.channel === 'instances.launch')).toBe(true));
    expect(f.calls.find((c) => c.channel === 'instances.launch')!.payload).toMatchObject({
      instanceType: 'g5.xlarge',
      market: 'on-demand',
      ami: 'ami-0abc',
      securityGroupIds: ['sg-1'],
      volumeGb: 100,
      maxHours: 24,
    });
    fireEvent.click(within(rows[0]).getByTestId('instance-terminate'));
    await waitFor(() =>
      expect(f.calls.find((c) => c.channel === 'instances.terminate')?.payload).toEqual({ id: 'i-0123' }),
    );
  });

  it('hides the instances panel without EC2 settings', async () => {
    renderStudio(<TargetsPage />, targetsStudio());
    await screen.findAllByTestId('target-row');
    expect(screen.queryByTestId('instances-panel')).toBeNull();
  });

  it('the new-run target picker lists the configured SSH targets', async () => {
    const f = targetsStudio();
    f.store.getState().update({
      system: system([
        { id: 'local', label: 'This machine', kind: 'local', available: true },
        { id: 'gpu', label: 'ubuntu@10.0.0.5', kind: 'ssh', available: true },
      ]),
    });
    renderStudio(<NewRunPage />, f);
    const opts = [...(screen.getByTestId('target-select') as HTMLSelectElement).options].map((o) => o.value);
    expect(opts).toEqual(['local', 'gpu']);
  });
});

describe('remote sync card', () => {
  it('shows offset, last contact and S3 state of a mirrored run; nothing for a local run', async () => {
    const f = createFakeStudio({
      'sync.status': ({ id }: { id: string }) =>
        id === 'local-run'
          ? { remote: false }
          : {
              remote: true,
              target: 'gpu',
              host: '10.0.0.5',
              phase: 'lost',
              message: 'link down',
              eventsOffset: 123456,
              lastContact: Date.now() - 60_000,
              filesMirrored: 7,
              following: false,
              s3Prefix: 's3://b/runs/r',
              s3Pusher: true,
            },
      'sync.now': () => ({
        remote: true,
        target: 'gpu',
        phase: 'reconnecting',
        following: true,
        eventsOffset: 123456,
      }),
    });
    const { unmount } = renderStudio(<RemoteSyncCard runId="local-run" />, f);
    await waitFor(() => expect(f.calls.length).toBe(1));
    expect(screen.queryByTestId('remote-sync')).toBeNull();
    unmount();
    renderStudio(<RemoteSyncCard runId="r" />, f);
    expect((await screen.findByTestId('sync-offset')).textContent).toMatch(/123,456 bytes · 7 files/);
    expect(screen.getByTestId('sync-phase').textContent).toMatch(/lost.*link down/);
    expect(screen.getByTestId('sync-contact').textContent).toMatch(/1m ago/);
    expect(screen.getByTestId('sync-s3').textContent).toMatch(/pushing checkpoints to s3:\/\/b\/runs\/r/);
    fireEvent.click(screen.getByTestId('sync-now'));
    await waitFor(() =>
      expect(screen.getByTestId('sync-phase').textContent).toMatch(/reconnecting · followed/),
    );
  });
});
