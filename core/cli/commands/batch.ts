// `mtl-studio batch …`: AWS Batch for sweeps — `setup` / `teardown` of the compute environment, queue,
// job definition and roles; `job`, what each array child runs in its container; `logs` of a child.
import type { Command } from 'commander';
import { loadS3Settings, parseS3Settings, parseS3Uri } from '../../cloud/s3/settings.ts';
import {
  loadBatchSettings,
  parseBatchSettings,
  batchSettingsFile,
  type BatchSettingsInput,
} from '../../cloud/batch/settings.ts';
import { existsSync, readFileSync } from 'node:fs';
import { collect, globalOptions, printResult } from '../context.ts';

const log = (m: string) => process.stderr.write(`${m}\n`);

export function register(program: Command): void {
  const batch = program.command('batch').description('AWS Batch: spot capacity for sweeps (array jobs)');

  batch
    .command('setup')
    .description('create (or adopt) the spot compute environment, job queue, job definition and IAM roles')
    .option('--region <r>', 'AWS region')
    .option('--endpoint <url>', 'API endpoint (emulators only)')
    .option('--instance-type <t>', 'instance type or family (repeatable; default g5)', collect, [])
    .option('--max-vcpus <n>', 'capacity ceiling (the environment scales from 0 to this)')
    .option('--vcpus <n>', 'vCPUs per job (one run)')
    .option('--memory-mib <n>', 'memory per job')
    .option('--gpus <n>', 'GPUs per job')
    .option('--image <uri>', 'container image with Node 20 (stock; default node:20-bookworm from ECR Public)')
    .option('--subnet <id>', 'subnet (repeatable; default: the default VPC)', collect, [])
    .option('--security-group <id>', "security group (repeatable; default: the default VPC's)", collect, [])
    .option('--attempts <n>', 'attempts per run when spot capacity is reclaimed')
    .option('--price-type <t>', 'instance type the cost estimate prices a job at (default g5.xlarge)')
    .option('--push-every <s>', 'seconds between checkpoint pushes to S3')
    .action(async (o: Record<string, string | string[] | undefined>, cmd: Command) => {
      const g = globalOptions(cmd);
      const { setupBatch } = await import('../../cloud/batch/setup.ts');
      const s3 = loadS3Settings(g.workspace);
      const prior = existsSync(batchSettingsFile(g.workspace))
        ? (JSON.parse(readFileSync(batchSettingsFile(g.workspace), 'utf8')) as BatchSettingsInput)
        : {};
      const num = (k: string) => (o[k] !== undefined ? Number(o[k]) : undefined);
      const input: BatchSettingsInput = {
        ...prior,
        ...(o.region ? { region: o.region as string } : { region: prior.region ?? s3.region }),
        ...(o.endpoint ? { endpoint: o.endpoint as string } : {}),
        ...((o.instanceType as string[]).length ? { instanceTypes: o.instanceType as string[] } : {}),
        ...((o.subnet as string[]).length ? { subnets: o.subnet as string[] } : {}),
        ...((o.securityGroup as string[]).length ? { securityGroups: o.securityGroup as string[] } : {}),
        ...(o.image ? { image: o.image as string } : {}),
        ...(o.priceType ? { priceInstanceType: o.priceType as string } : {}),
      };
      for (const [opt, key] of [
        ['maxVcpus', 'maxvCpus'],
        ['vcpus', 'vcpusPerJob'],
        ['memoryMib', 'memoryMiB'],
        ['gpus', 'gpusPerJob'],
        ['attempts', 'attempts'],
        ['pushEvery', 'pushEverySec'],
      ] as const)
        if (num(opt) !== undefined) (input as Record<string, unknown>)[key] = num(opt);
      const r = await setupBatch(g.workspace, parseBatchSettings(input, 'batch setup'), s3, { log });
      printResult(
        g,
        { steps: r.steps, settings: batchSettingsFile(g.workspace) },
        [
          ...r.steps.map((st) => `${st.action}\t${st.kind}\t${st.name}`),
          `compute environment ${r.settings.computeEnvironment}: SPOT, SPOT_CAPACITY_OPTIMIZED, ${r.settings.instanceTypes.join(', ')}, 0..${r.settings.maxvCpus} vCPUs (scales to zero when idle)`,
          `settings saved in ${batchSettingsFile(g.workspace)}; remove with \`mtl-studio batch teardown\``,
        ].join('\n'),
      );
    });

  batch
    .command('teardown')
    .description('delete what `batch setup` created; scale adopted capacity to zero')
    .action(async (_o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const { teardownBatch } = await import('../../cloud/batch/setup.ts');
      const steps = await teardownBatch(g.workspace, loadBatchSettings(g.workspace), { log });
      printResult(
        g,
        { steps },
        steps.map((st) => `${st.action}\t${st.kind}\t${st.name}`).join('\n') || 'nothing to remove',
      );
    });

  batch
    .command('job')
    .description('run one child of a sweep array job (what the container runs; also runs locally)')
    .requiredOption('--manifest <uri>', 's3://BUCKET/PREFIX/sweeps/ID/manifest.json')
    .option('--index <i>', 'manifest index (default: AWS_BATCH_JOB_ARRAY_INDEX, else 0)')
    .option(
      '--push-every <s>',
      'seconds between pushes of the run folder to S3',
      process.env.MTL_PUSH_EVERY ?? '30',
    )
    .action(async (o: { manifest: string; index?: string; pushEvery: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const { arrayIndexFromEnv, runBatchJob } = await import('../../cloud/batch/job.ts');
      const { train } = await import('../../train/loop.ts');
      const { bucket } = parseS3Uri(o.manifest);
      const s3 = parseS3Settings(
        {
          bucket,
          region: process.env.MTL_S3_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
          ...(process.env.MTL_S3_ENDPOINT ? { endpoint: process.env.MTL_S3_ENDPOINT } : {}),
        },
        'batch job S3 settings (MTL_S3_REGION, MTL_S3_ENDPOINT)',
      );
      // TerminateJob / spot interruption notice → SIGTERM: checkpoint, status `stopped`, last push.
      const stop = new AbortController();
      let signals = 0;
      const onSignal = (sig: string) => {
        if (++signals > 1) process.exit(130);
        log(`${sig}: stopping after this step (writing the last checkpoint)…`);
        stop.abort();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      const r = await runBatchJob({
        workspace: g.workspace,
        manifestUri: o.manifest,
        index: o.index !== undefined ? Number(o.index) : arrayIndexFromEnv(),
        s3,
        pushEverySec: Number(o.pushEvery),
        signal: stop.signal,
        log: (m) => log(`${new Date().toISOString()} ${m}`),
        train,
      });
      printResult(g, r, `${r.runId}\nstatus ${r.status} at step ${r.step}${r.resumed ? ' (resumed)' : ''}`);
      if (r.status !== 'completed') process.exitCode = r.status === 'stopped' ? 130 : 1;
    });

  batch
    .command('logs')
    .description("a sweep child's container log from CloudWatch Logs")
    .argument('<sweep>', 'sweep id, prefix or name')
    .argument('<index>', 'run index in the sweep')
    .option('--limit <n>', 'last N lines', '200')
    .action(async (ref: string, index: string, o: { limit: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const { childLogs } = await import('../../cloud/batch/logs.ts');
      const { readLaunch, resolveSweepId } = await import('../../sweep/store.ts');
      const id = resolveSweepId(g.workspace, ref);
      const launch = readLaunch(g.workspace, id);
      if (launch?.executor !== 'batch') throw new Error(`sweep ${id} was not launched on AWS Batch`);
      const lines = await childLogs(
        loadBatchSettings(g.workspace),
        launch.handle,
        Number(index),
        Number(o.limit),
      );
      printResult(g, { lines }, lines.join('\n') || '(no log lines yet)');
    });
}
