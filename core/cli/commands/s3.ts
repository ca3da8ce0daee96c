// `mtl-studio s3 …`: bucket setup, resumable transfers, incremental run sync, presigned links, and
// the pusher that runs beside a remote trainer. Settings come from <workspace>/cloud/s3.json
// (written by `s3 setup`, mode 0600, only after the bucket answered) or `--s3-config FILE` (what a
// remote instance is handed). Secrets never come from argv (core/cli/secretInput.ts).
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { setupBucket } from '../../cloud/s3/bucket.ts';
import { downloadFile } from '../../cloud/s3/download.ts';
import { presignGet } from '../../cloud/s3/presign.ts';
import { pushRunLoop } from '../../cloud/s3/pushLoop.ts';
import {
  loadS3Settings,
  makeS3Client,
  parseS3Settings,
  parseS3Uri,
  saveS3Settings,
  type S3Settings,
} from '../../cloud/s3/settings.ts';
import { syncDown, syncUp } from '../../cloud/s3/sync.ts';
import { uploadFile } from '../../cloud/s3/upload.ts';
import { CloudError } from '../../cloud/errors.ts';
import { cloudFiles } from '../../cloud/paths.ts';
import { resolveRun } from '../../runs/store.ts';
import { globalOptions, printResult, progressBar } from '../context.ts';
import { readSecretFromStdin, secretOnCommandLine } from '../secretInput.ts';

interface WithConfig {
  s3Config?: string;
}

function settings(cmd: Command, o: WithConfig): { s: S3Settings; workspace: string } {
  const g = globalOptions(cmd);
  if (o.s3Config) {
    if (!existsSync(o.s3Config)) throw new Error(`--s3-config ${o.s3Config}: no such file`);
    return {
      s: parseS3Settings(JSON.parse(readFileSync(o.s3Config, 'utf8')), o.s3Config),
      workspace: g.workspace,
    };
  }
  return { s: loadS3Settings(g.workspace), workspace: g.workspace };
}

/** Static keys to save: the id from --access-key-id (or AWS_ACCESS_KEY_ID with the stdin flag), the
 * secret from standard input or AWS_SECRET_ACCESS_KEY. None = the SDK's own chain at run time. */
async function staticCredentials(o: {
  accessKeyId?: string;
  secretAccessKeyStdin?: boolean;
}): Promise<{ accessKeyId?: string; secretAccessKey?: string }> {
  const accessKeyId = o.accessKeyId ?? (o.secretAccessKeyStdin ? process.env.AWS_ACCESS_KEY_ID : undefined);
  if (!accessKeyId) {
    if (o.secretAccessKeyStdin)
      throw new Error('--secret-access-key-stdin needs --access-key-id (or AWS_ACCESS_KEY_ID) too');
    return {};
  }
  const secretAccessKey = o.secretAccessKeyStdin
    ? await readSecretFromStdin('secret access key: ')
    : process.env.AWS_SECRET_ACCESS_KEY;
  if (!secretAccessKey)
    throw new Error(
      `--access-key-id ${accessKeyId} needs its secret: set AWS_SECRET_ACCESS_KEY or pass --secret-access-key-stdin`,
    );
  return { accessKeyId, secretAccessKey };
}

const withConfig = (c: Command) =>
  c.option('--s3-config <file>', 'S3 settings file (default <workspace>/cloud/s3.json)');
const bar = (label: string) => {
  let b: ReturnType<typeof progressBar> | null = null;
  return (done: number, total: number) => {
    b ??= progressBar(label, total);
    b.update(done);
    if (done >= total) b.stop();
  };
};

export function register(program: Command): void {
  const s3 = program.command('s3').description('S3 storage: setup, transfers, run sync, presigned links');

  s3.command('setup')
    .description('check (or create) the bucket, public access blocked; then save the S3 settings')
    .requiredOption('--bucket <name>', 'bucket name')
    .option('--region <region>', 'region', 'us-east-1')
    .option('--endpoint <url>', 'self-hosted S3 URL (MinIO, Ceph RGW, …)')
    .option('--path-style', 'path-style URLs (default on with --endpoint)')
    .option(
      '--access-key-id <id>',
      'static credentials, saved in cloud/s3.json (mode 0600); the secret comes from ' +
        'AWS_SECRET_ACCESS_KEY or --secret-access-key-stdin (default: the AWS SDK chain, nothing saved)',
    )
    .option('--secret-access-key-stdin', 'read the secret access key from standard input')
    .option('--secret-access-key <secret>', 'refused (visible in `ps`): see --secret-access-key-stdin')
    .option('--prefix <prefix>', 'key prefix for runs, archives, datasets', 'mtl-studio')
    .action(
      async (
        o: {
          bucket: string;
          region: string;
          endpoint?: string;
          pathStyle?: boolean;
          accessKeyId?: string;
          secretAccessKey?: string;
          secretAccessKeyStdin?: boolean;
          prefix: string;
        },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        if (o.secretAccessKey !== undefined)
          throw secretOnCommandLine('--secret-access-key', 'AWS_SECRET_ACCESS_KEY');
        const s = parseS3Settings({
          bucket: o.bucket,
          region: o.region,
          prefix: o.prefix,
          ...(o.endpoint ? { endpoint: o.endpoint } : {}),
          ...(o.pathStyle ? { forcePathStyle: true } : {}),
          ...(await staticCredentials(o)),
        });
        // Saved only once the bucket answers: a typo'd endpoint or a refused key leaves no secret behind.
        let r;
        try {
          r = await setupBucket(makeS3Client(s), s.bucket, s.region);
        } catch (e) {
          if (e instanceof CloudError)
            throw new CloudError(e.code, `${e.message} (S3 settings not saved)`, { cause: e });
          throw e;
        }
        saveS3Settings(g.workspace, s);
        printResult(
          g,
          { bucket: s.bucket, created: r.created, publicAccessBlocked: true },
          `bucket ${s.bucket} ${r.created ? 'created' : 'exists'}; public access blocked; settings saved`,
        );
      },
    );

  withConfig(
    s3
      .command('upload')
      .description('resumable upload of a file (re-run to resume)')
      .argument('<file>')
      .argument('[uri]', 's3://bucket/key (default: <prefix>/archives/<file name>)'),
  )
    .option('--presign [seconds]', 'print a presigned download link (default 7 days)')
    .action(
      async (
        file: string,
        uri: string | undefined,
        o: WithConfig & { presign?: string | boolean },
        cmd: Command,
      ) => {
        const { s, workspace } = settings(cmd, o);
        const { bucket, key } = uri
          ? parseS3Uri(uri)
          : { bucket: s.bucket, key: `${s.prefix}/archives/${basename(file)}` };
        const client = makeS3Client(s);
        const r = await uploadFile(client, {
          bucket,
          key,
          file,
          stateDir: cloudFiles(workspace).uploads,
          partSize: s.partSizeMb << 20,
          onProgress: bar('upload'),
        });
        const url = o.presign
          ? await presignGet(
              client,
              bucket,
              key,
              typeof o.presign === 'string' ? Number(o.presign) : undefined,
            )
          : undefined;
        printResult(
          globalOptions(cmd),
          { uri: `s3://${bucket}/${key}`, ...r, ...(url ? { url } : {}) },
          url ?? `s3://${bucket}/${key}`,
        );
      },
    );

  withConfig(
    s3
      .command('download')
      .description('resumable download of an object')
      .argument('<uri>')
      .argument('<file>'),
  ).action(async (uri: string, file: string, o: WithConfig, cmd: Command) => {
    const { s } = settings(cmd, o);
    const r = await downloadFile(makeS3Client(s), { ...parseS3Uri(uri), file, onProgress: bar('download') });
    printResult(globalOptions(cmd), { file, ...r }, file);
  });

  withConfig(s3.command('presign').description('presigned GET link of an object').argument('<uri>'))
    .option('--expires <seconds>', 'validity in seconds', '604800')
    .action(async (uri: string, o: WithConfig & { expires: string }, cmd: Command) => {
      const { s } = settings(cmd, o);
      const { bucket, key } = parseS3Uri(uri);
      const url = await presignGet(makeS3Client(s), bucket, key, Number(o.expires));
      printResult(globalOptions(cmd), { url }, url);
    });

  withConfig(
    s3
      .command('push')
      .description('sync a local folder up (only new or changed files)')
      .argument('<dir>')
      .argument('<uri>'),
  ).action(async (dir: string, uri: string, o: WithConfig, cmd: Command) => {
    const { s, workspace } = settings(cmd, o);
    const { bucket, key } = parseS3Uri(uri);
    const r = await syncUp(makeS3Client(s), {
      bucket,
      prefix: key,
      dir,
      partSize: s.partSizeMb << 20,
      stateDir: cloudFiles(workspace).uploads,
    });
    printResult(globalOptions(cmd), r, `${r.transferred.length} sent, ${r.unchanged} unchanged`);
  });

  withConfig(
    s3
      .command('pull')
      .description('sync an S3 prefix down into a folder (only new or changed files)')
      .argument('<uri>')
      .argument('<dir>'),
  ).action(async (uri: string, dir: string, o: WithConfig, cmd: Command) => {
    const { s, workspace } = settings(cmd, o);
    const { bucket, key } = parseS3Uri(uri);
    const r = await syncDown(makeS3Client(s), {
      bucket,
      prefix: key,
      dir,
      partSize: s.partSizeMb << 20,
      stateDir: cloudFiles(workspace).uploads,
    });
    printResult(globalOptions(cmd), r, `${r.transferred.length} fetched, ${r.unchanged} unchanged`);
  });

  withConfig(
    s3
      .command('sync-run')
      .description('sync a run folder to <prefix>/runs/<id> (incremental, idempotent)')
      .argument('<run>'),
  ).action(async (ref: string, o: WithConfig, cmd: Command) => {
    const { s, workspace } = settings(cmd, o);
    const dir = resolveRun(workspace, ref);
    const prefix = `${s.prefix}/runs/${basename(dir)}`;
    const r = await syncUp(makeS3Client(s), {
      bucket: s.bucket,
      prefix,
      dir,
      partSize: s.partSizeMb << 20,
      stateDir: cloudFiles(workspace).uploads,
    });
    printResult(
      globalOptions(cmd),
      { uri: `s3://${s.bucket}/${prefix}`, ...r },
      `${r.transferred.length} sent, ${r.unchanged} unchanged → s3://${s.bucket}/${prefix}`,
    );
  });

  withConfig(
    s3
      .command('push-run')
      .description('keep a run folder synced to S3 while its trainer lives (runs beside remote trainers)')
      .argument('<dir>'),
  )
    .requiredOption('--to <uri>', 's3://bucket/prefix of the run')
    .option('--every <seconds>', 'seconds between pushes', '30')
    .option('--while-pid <pid>', 'push until this process ends, then once more')
    .action(
      async (dir: string, o: WithConfig & { to: string; every: string; whilePid?: string }, cmd: Command) => {
        const { s, workspace } = settings(cmd, o);
        const { bucket, key } = parseS3Uri(o.to);
        const r = await pushRunLoop(makeS3Client(s), {
          dir,
          bucket,
          prefix: key,
          partSize: s.partSizeMb << 20,
          stateDir: join(cloudFiles(workspace).uploads),
          everySec: Number(o.every),
          ...(o.whilePid ? { whilePid: Number(o.whilePid) } : {}),
          log: (m) => process.stderr.write(`${new Date().toISOString()} ${m}\n`),
        });
        printResult(globalOptions(cmd), r, `${r.rounds} rounds, ${r.files} files pushed`);
      },
    );
}
