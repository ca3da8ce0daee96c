// instances.list / launch / terminate through the studio service against moto's EC2
// (scripts/test-servers, as test/cloud/ec2 uses).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioClient, type StudioClient } from '../../../core/api/client.ts';
import { createDirectTransport } from '../../../core/api/dispatch.ts';
import { makeEc2Client, saveEc2Settings } from '../../../core/cloud/ec2/settings.ts';
import { createNodeStudio } from '../../../core/studio/service.ts';
import { startMoto, type Moto } from '../../cloud/servers.ts';

let moto: Moto;
let ws: string;
let studio: ReturnType<typeof createNodeStudio>;
let client: StudioClient;

beforeAll(async () => {
  moto = startMoto();
  ws = mkdtempSync(join(tmpdir(), 'mtl-studio-ec2-'));
  const creds = { endpoint: moto.endpoint, accessKeyId: 'test', secretAccessKey: 'test' };
  const ami = (await makeEc2Client({ region: 'us-east-1', ...creds }).send(new DescribeImagesCommand({})))
    .Images![0].ImageId!;
  saveEc2Settings(ws, {
    ...creds,
    ami,
    keyName: 'mtl',
    keyFile: '/k',
    instanceType: 'g4dn.xlarge',
    market: 'spot',
  });
  studio = createNodeStudio({ workspace: ws, transport: 'direct', reveal: () => false });
  client = createStudioClient(createDirectTransport(studio));
});
afterAll(() => {
  studio?.close();
  moto?.stop();
  rmSync(ws, { recursive: true, force: true });
});

describe('studio instances over moto EC2', () => {
  it('lists with the settings defaults, launches with overrides, terminates', async () => {
    const empty = await client.instances.list();
    expect(empty).toMatchObject({
      configured: true,
      instances: [],
      defaults: { instanceType: 'g4dn.xlarge', market: 'spot' },
    });

    const i = await client.instances.launch({
      name: 'studio-test',
      instanceType: 'c5.xlarge',
      market: 'on-demand',
      maxHours: 1,
    });
    expect(i).toMatchObject({ type: 'c5.xlarge', market: 'on-demand', name: 'studio-test' });
    expect(i.hourlyUsd).toBe(0.17); // core/cloud's price table
    const deadlineH = (Date.parse(i.deadline!) - Date.now()) / 3600_000;
    expect(deadlineH).toBeGreaterThan(0.9);
    expect(deadlineH).toBeLessThanOrEqual(1);

    const listed = await client.instances.list();
    expect(listed.instances.map((x) => x.id)).toContain(i.id);
    await client.instances.terminate({ id: i.id });
    const after = (await client.instances.list()).instances.find((x) => x.id === i.id);
    expect(after === undefined || ['shutting-down', 'terminated'].includes(after.state)).toBe(true);

    await expect(client.instances.launch({ name: 'x', ami: 'not-an-ami' })).rejects.toMatchObject({
      message: expect.stringMatching(/AMI id/),
    });
  });
});
