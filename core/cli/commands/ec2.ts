// `mtl-studio ec2 …`: EC2 settings, instances (launch, list, terminate, sweep of forgotten ones),
// prices, and spot-resilient training (relaunch + resume from the S3 checkpoint).
import type { Command } from 'commander';
import { loadConfig } from '../../config/load.ts';
import { runOnEc2 } from '../../cloud/ec2/ec2Run.ts';
import { forgetInstanceHostKeys } from '../../cloud/ec2/hostKeys.ts';
import {
  launchInstance,
  listInstances,
  sweepExpired,
  terminateInstances,
  type StudioInstance,
} from '../../cloud/ec2/instances.ts';
import { ON_DEMAND_USD_PER_HOUR } from '../../cloud/ec2/prices.ts';
import { loadEc2Settings, makeEc2Client, saveEc2Settings } from '../../cloud/ec2/settings.ts';
import { bootstrapScript } from '../../cloud/ec2/userData.ts';
import { loadS3Settings } from '../../cloud/s3/settings.ts';
import { collect, globalOptions, printResult } from '../context.ts';

const row = (i: StudioInstance) =>
  `${i.id}\t${i.state}\t${i.type}\t${i.market}\t${i.publicIp ?? '-'}\tdeadline ${i.deadline ?? '-'}${i.run ? `\trun ${i.run}` : ''}`;

export function register(program: Command): void {
  const ec2 = program.command('ec2').description('EC2 instances (on-demand or spot) for training');

  ec2
    .command('setup')
    .description('save EC2 launch settings')
    .requiredOption('--ami <id>', 'AMI id')
    .requiredOption('--key-name <name>', 'EC2 key pair name')
    .requiredOption('--key-file <file>', 'matching private key file here')
    .option('--type <type>', 'instance type', 'g4dn.xlarge')
    .option('--market <m>', 'spot | on-demand', 'spot')
    .option('--spot-type <t>', 'one-time | persistent', 'one-time')
    .option('--max-price <usd>', 'highest spot price per hour')
    .option('--sg <id>', 'security group id (repeatable)', collect, [])
    .option('--subnet <id>', 'subnet id')
    .option('--profile <name>', 'instance profile (S3 access without keys)')
    .option('--volume-gb <n>', 'root volume size', '100')
    .option('--user <name>', 'SSH login of the AMI', 'ubuntu')
    .option('--max-hours <h>', 'safety timeout: power off and sweep after this many hours', '24')
    .option('--region <r>', 'region', 'us-east-1')
    .option('--endpoint <url>', 'EC2 API endpoint (tests)')
    .option('--tag <k=v>', 'extra tag (repeatable)', collect, [])
    .option('--price <type=usd>', 'hourly price of a type, for cost per run (repeatable)', collect, [])
    .action((o: Record<string, string & string[]>, cmd: Command) => {
      const g = globalOptions(cmd);
      const kv = (list: string[]) => Object.fromEntries(list.map((x) => x.split('=') as [string, string]));
      const s = saveEc2Settings(g.workspace, {
        ami: o.ami,
        keyName: o.keyName,
        keyFile: o.keyFile,
        instanceType: o.type,
        market: o.market as 'spot',
        spotType: o.spotType as 'one-time',
        ...(o.maxPrice ? { maxPrice: o.maxPrice } : {}),
        securityGroupIds: o.sg,
        ...(o.subnet ? { subnetId: o.subnet } : {}),
        ...(o.profile ? { instanceProfile: o.profile } : {}),
        volumeGb: Number(o.volumeGb),
        sshUser: o.user,
        maxHours: Number(o.maxHours),
        region: o.region,
        ...(o.endpoint ? { endpoint: o.endpoint } : {}),
        tags: kv(o.tag),
        prices: Object.fromEntries(Object.entries(kv(o.price)).map(([k, v]) => [k, Number(v)])),
      });
      printResult(g, s, `saved: ${s.market} ${s.instanceType} from ${s.ami}, safety timeout ${s.maxHours} h`);
    });

  ec2
    .command('launch')
    .description('launch one instance with the bootstrap (Node 20, safety power-off)')
    .option('--name <name>', 'Name tag', 'mtl-studio')
    .action(async (o: { name: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const s = loadEc2Settings(g.workspace);
      const i = await launchInstance(makeEc2Client(s), s, {
        name: o.name,
        userData: bootstrapScript({
          user: s.sshUser,
          remoteRoot: '.mtl-studio',
          shutdownAfterMin: s.maxHours * 60,
        }),
      });
      printResult(g, i, row(i));
    });

  ec2
    .command('list')
    .description('studio instances')
    .option('--all', 'include terminated')
    .action(async (o: { all?: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const list = await listInstances(makeEc2Client(loadEc2Settings(g.workspace)), {
        includeTerminated: o.all,
      });
      printResult(g, { instances: list }, list.map(row).join('\n') || '(no instances)');
    });

  ec2
    .command('terminate')
    .argument('<ids...>')
    .action(async (ids: string[], _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      await terminateInstances(makeEc2Client(loadEc2Settings(g.workspace)), ids);
      // Their addresses go back to AWS's pool: the next machine there has another host key.
      forgetInstanceHostKeys(g.workspace, ids);
      printResult(g, { terminated: ids }, `terminated ${ids.join(', ')}`);
    });

  ec2
    .command('sweep')
    .description('terminate studio instances past their deadline tag (run it from cron)')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const gone = await sweepExpired(makeEc2Client(loadEc2Settings(g.workspace)));
      forgetInstanceHostKeys(
        g.workspace,
        gone.map((i) => i.id),
      );
      printResult(
        g,
        { terminated: gone.map((i) => i.id) },
        gone.length ? `terminated ${gone.map((i) => i.id).join(', ')}` : 'nothing past its deadline',
      );
    });

  ec2
    .command('prices')
    .description('the hourly price table used for cost per run')
    .action((_o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      let overrides: Record<string, number> = {};
      try {
        overrides = loadEc2Settings(g.workspace).prices;
      } catch {
        /* no settings yet: built-in table only */
      }
      const prices = { ...ON_DEMAND_USD_PER_HOUR, ...overrides };
      printResult(
        g,
        { usdPerHour: prices },
        Object.entries(prices)
          .map(([t, p]) => `${t}\t$${p}/h`)
          .join('\n'),
      );
    });

  ec2
    .command('train')
    .description('train on a new instance; a spot interruption relaunches and resumes from the S3 checkpoint')
    .option('--preset <name>', 'named preset')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--name <name>', 'run name')
    .option('--resume <run>', 'resume this run (pushed to S3 earlier) on a new instance')
    .option('--push-every <s>', 'seconds between checkpoint pushes to S3', '60')
    .option('--keep', 'keep the instance after the run')
    .action(
      async (
        o: {
          preset?: string;
          set: string[];
          name?: string;
          resume?: string;
          pushEvery: string;
          keep?: boolean;
        },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        const r = await runOnEc2({
          workspace: g.workspace,
          ec2: loadEc2Settings(g.workspace),
          s3: loadS3Settings(g.workspace),
          // The config is resolved here, where the user typed it; the instance trains exactly it.
          ...(o.resume
            ? {}
            : {
                run: {
                  config: loadConfig({ preset: o.preset, sets: o.set }),
                  preset: o.preset,
                  name: o.name,
                },
              }),
          ...(o.resume ? { resumeRunId: o.resume } : {}),
          pushEverySec: Number(o.pushEvery),
          terminateWhenDone: !o.keep,
          log: (m) => process.stderr.write(`${m}\n`),
          onEvent: (e) => e.type === 'status' && process.stderr.write(`status: ${e.status}\n`),
        });
        printResult(
          g,
          r,
          `${r.runId}: ${r.follow.status ?? r.follow.phase} on ${r.instances.join(' → ')}${r.costUsd !== null ? `, ~$${r.costUsd}` : ''}`,
        );
      },
    );
}
