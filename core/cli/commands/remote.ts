// `mtl-studio remote …`: SSH targets — add/trust/check, engine install, and runs on a target
// (train, follow, stop, resume, fork, archive, datasets), mirrored live into the local run store.
import { basename } from 'node:path';
import type { Command } from 'commander';
import { deepMerge, overridesFromSetArgs, validateConfig } from '../../api/config/resolve.ts';
import {
  CloudError,
  RemoteRuns,
  followRemoteRun,
  freeBytes,
  getTarget,
  loadS3Settings,
  loadTargets,
  openTarget,
  prepareRemote,
  readRemoteState,
  remoteArchive,
  remoteDataset,
  removeTarget,
  safeSegment,
  saveTarget,
  stopRemoteRun,
  trustHostKey,
  writeRemoteS3Config,
  type SshSession,
  type StartedRemoteRun,
} from '../../cloud/index.ts';
import { loadConfig } from '../../config/load.ts';
import { readRunDir, resolveRun } from '../../runs/store.ts';
import { collect, globalOptions, printResult, type GlobalOptions } from '../context.ts';

async function withSession<T>(g: GlobalOptions, name: string, fn: (s: SshSession) => Promise<T>): Promise<T> {
  const s = await openTarget(g.workspace, getTarget(g.workspace, name));
  try {
    return await fn(s);
  } finally {
    s.close();
  }
}

/** Follow a mirrored run to its end, printing link changes and progress to stderr. */
async function follow(g: GlobalOptions, runDir: string): Promise<void> {
  let steps = 0;
  const r = await followRemoteRun(g.workspace, runDir, {
    onLink: (phase, detail) => process.stderr.write(`link: ${phase}${detail ? ` (${detail})` : ''}\n`),
    onEvent: (e) => {
      if (e.type === 'step' && ++steps % 10 === 0)
        process.stderr.write(`step ${e.step} loss ${e.loss.total.toFixed(4)}\n`);
      if (e.type === 'val')
        process.stderr.write(`val step ${e.step}: multitask ${e.metrics.multitask.toFixed(2)}\n`);
      if (e.type === 'status')
        process.stderr.write(`status: ${e.status}${e.message ? ` (${e.message})` : ''}\n`);
    },
  });
  printResult(
    g,
    { run: basename(runDir), ...r },
    `${basename(runDir)}: ${r.phase}${r.status ? ` (${r.status})` : ''}, ${r.events} events, ${r.reconnects} reconnects`,
  );
}

const trainOptions = (c: Command) =>
  c
    .option('--config <file>', 'config file (JSON or YAML, read here)')
    .option('--preset <name>', 'named preset')
    .option('--set <key=value>', 'override a config key (repeatable)', collect, [])
    .option('--name <name>', 'run name')
    .option('--detach', 'start and return; follow later with `remote follow RUN`');

export function register(program: Command): void {
  const remote = program
    .command('remote')
    .description('SSH targets: train on another machine, mirrored live here');

  remote
    .command('add')
    .description('save an SSH target')
    .argument('<name>')
    .requiredOption('--host <host>')
    .requiredOption('--user <user>')
    .requiredOption('--key <file>', 'private key file')
    .option('--port <n>', 'SSH port', '22')
    .option('--remote-root <dir>', 'remote folder for engine and runs (relative = under home)')
    .option('--engine-path <dir>', 'use an engine already installed there')
    .option('--node <bin>', 'node binary on the remote')
    .option('--known-hosts <file>', 'known_hosts file (default <workspace>/cloud/known_hosts)')
    .option('--install-command <cmd>', 'dependency install command in the engine folder')
    .action((name: string, o: Record<string, string | undefined>, cmd: Command) => {
      const g = globalOptions(cmd);
      const t = saveTarget(g.workspace, {
        name,
        host: o.host!,
        user: o.user!,
        keyFile: o.key!,
        port: Number(o.port),
        ...(o.remoteRoot ? { remoteRoot: o.remoteRoot } : {}),
        ...(o.enginePath ? { enginePath: o.enginePath } : {}),
        ...(o.node ? { node: o.node } : {}),
        ...(o.knownHosts ? { knownHosts: o.knownHosts } : {}),
        ...(o.installCommand ? { installCommand: o.installCommand } : {}),
      });
      printResult(
        g,
        t,
        `target ${t.name}: ${t.user}@${t.host}:${t.port} (next: \`mtl-studio remote trust ${t.name}\`)`,
      );
    });

  remote
    .command('list')
    .description('saved SSH targets')
    .action((_o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const ts = loadTargets(g.workspace);
      printResult(
        g,
        { targets: ts },
        ts
          .map((t) => `${t.name}\t${t.user}@${t.host}:${t.port}${t.instanceId ? `\t${t.instanceId}` : ''}`)
          .join('\n') || '(no targets)',
      );
    });

  remote
    .command('remove')
    .argument('<name>')
    .action((name: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      if (!removeTarget(g.workspace, name))
        throw new CloudError('not-found', `no SSH target named "${name}"`);
      printResult(g, { removed: name }, `removed ${name}`);
    });

  remote
    .command('trust')
    .description("add the target's host key to known_hosts (compare the fingerprint with the server's first)")
    .argument('<name>')
    .option('--fingerprint <sha256>', 'only trust a key with this fingerprint (SHA256:…)')
    .action(async (name: string, o: { fingerprint?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const r = await trustHostKey(g.workspace, getTarget(g.workspace, name), {
        expectFingerprint: o.fingerprint,
      });
      printResult(
        g,
        r,
        `${r.added ? 'trusted' : 'already trusted'}: ${r.keyType} ${r.fingerprint} (${r.knownHosts})`,
      );
    });

  remote
    .command('check')
    .description('connect, check the engine version and free disk')
    .argument('<name>')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const r = await withSession(g, name, async (s) => {
        const layout = await prepareRemote(g.workspace, s);
        return {
          engine: layout.engine,
          workspace: layout.workspace,
          freeMb: Math.round((await freeBytes(s, layout.root)) / 1e6),
        };
      });
      printResult(g, r, `ok: engine ${r.engine}, ${r.freeMb} MB free`);
    });

  remote
    .command('install')
    .description('install/update the engine (npm pack → SFTP → npm ci)')
    .argument('<name>')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const layout = await withSession(g, name, (s) =>
        prepareRemote(g.workspace, s, { install: true, log: (m) => process.stderr.write(`${m}\n`) }),
      );
      printResult(g, { engine: layout.engine }, `engine at ${layout.engine}`);
    });

  trainOptions(
    remote
      .command('train')
      .description('train on the target; the run is mirrored live into the local run store')
      .argument('<name>'),
  )
    .option('--install', 'install/update the engine first')
    .action(
      async (
        name: string,
        o: {
          config?: string;
          preset?: string;
          set: string[];
          name?: string;
          detach?: boolean;
          install?: boolean;
        },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        // Resolved here, where the user typed it; the target trains exactly this config.
        const config = loadConfig({ configPath: o.config, preset: o.preset, sets: o.set });
        const run = await new RemoteRuns(g.workspace).startOn(
          name,
          { command: 'train', run: { config, preset: o.preset, name: o.name } },
          o.install,
        );
        await started(g, run, o.detach);
      },
    );

  remote
    .command('follow')
    .description('re-attach to a remote run and mirror it to its end')
    .argument('<run>')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      await follow(g, resolveRun(g.workspace, ref));
    });

  remote
    .command('stop')
    .description('stop a remote run (it writes its last checkpoint)')
    .argument('<run>')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const g = globalOptions(cmd);
      const dir = resolveRun(g.workspace, ref);
      const st = remoteStateOf(dir);
      const stopped = await withSession(g, st.target, (s) => stopRemoteRun(s, st));
      printResult(g, { run: basename(dir), stopped }, stopped ? 'stop requested' : 'not running');
    });

  const relaunch =
    (command: 'resume' | 'fork') =>
    async (
      ref: string,
      o: { set?: string[]; checkpoint?: string; name?: string; detach?: boolean },
      cmd: Command,
    ) => {
      const g = globalOptions(cmd);
      const dir = resolveRun(g.workspace, ref);
      const st = remoteStateOf(dir);
      const runs = new RemoteRuns(g.workspace);
      const run =
        command === 'resume'
          ? await runs.startOn(st.target, { command, runId: st.runId })
          : await runs.startFork(basename(dir), {
              checkpoint: o.checkpoint ?? 'last',
              config: validateConfig(
                deepMerge(readRunDir(dir).config, overridesFromSetArgs(o.set ?? [])),
                '--set',
              ),
              name: o.name,
            });
      await started(g, run, o.detach);
    };
  remote
    .command('resume')
    .description('resume a remote run from its last checkpoint')
    .argument('<run>')
    .option('--detach')
    .action(relaunch('resume'));
  remote
    .command('fork')
    .description('fork a remote run on its target')
    .argument('<run>')
    .option('--checkpoint <name>', 'checkpoint of the parent: best, last, …', 'last')
    .option('--set <key=value>', 'override (repeatable)', collect, [])
    .option('--name <name>', 'name of the new run')
    .option('--detach')
    .action(relaunch('fork'));

  remote
    .command('archive')
    .description('build the submission archive on the target and download it')
    .argument('<run>')
    .requiredOption('--out <file.zip>')
    .option('--checkpoint <name>', 'checkpoint to archive (best, last, …)', 'best')
    .option(
      '--no-predict',
      'refuse (instead of re-predicting) when the predictions came from another checkpoint',
    )
    .action(async (ref: string, o: { out: string; checkpoint: string; predict: boolean }, cmd: Command) => {
      const g = globalOptions(cmd);
      const dir = resolveRun(g.workspace, ref);
      const st = remoteStateOf(dir);
      const args = ['--checkpoint', o.checkpoint, ...(o.predict ? ['--predict'] : [])];
      const out = await withSession(g, st.target, async (s) =>
        remoteArchive(s, await prepareRemote(g.workspace, s), st.runId, o.out, args),
      );
      printResult(g, { out }, out);
    });

  remote
    .command('dataset')
    .description('put a dataset on the target: upload a folder, generate it there, or fetch it from S3')
    .argument('<name>', 'target')
    .option('--upload <dir>', 'local Miniscapes folder to upload')
    .option(
      '--generate <args>',
      'generate remotely with these `generate-data` options, e.g. "--train 200 --val 20 --test 20 --size 64x128"',
    )
    .option(
      '--s3 <uri>',
      "fetch s3://bucket/prefix on the remote (this workspace's S3 settings are copied there)",
    )
    .option('--as <dataset>', 'dataset folder name on the remote')
    .action(
      async (
        name: string,
        o: { upload?: string; generate?: string; s3?: string; as?: string },
        cmd: Command,
      ) => {
        const g = globalOptions(cmd);
        if ([o.upload, o.generate, o.s3].filter(Boolean).length !== 1)
          throw new CloudError('bad-config', 'give exactly one of --upload, --generate, --s3');
        // One plain folder name under the remote datasets folder (`--as ../runs` would replace the
        // remote runs folder); checked again where the remote paths are built.
        if (o.as !== undefined) safeSegment(o.as, '--as');
        const dest = await withSession(g, name, async (s) => {
          const layout = await prepareRemote(g.workspace, s);
          if (o.upload)
            return remoteDataset(s, layout, { kind: 'upload', localDir: o.upload, name: o.as }, (m) =>
              process.stderr.write(`${m}\n`),
            );
          if (o.generate)
            return remoteDataset(s, layout, {
              kind: 'generate',
              name: o.as ?? 'generated',
              args: o.generate.split(/\s+/).filter(Boolean),
            });
          const s3Config = await writeRemoteS3Config(s, layout, loadS3Settings(g.workspace));
          return remoteDataset(s, layout, {
            kind: 's3',
            uri: o.s3!,
            name: o.as ?? basename(o.s3!),
            s3Config,
          });
        });
        printResult(g, { dataRoot: dest }, `${dest} (use --set data.root=${dest})`);
      },
    );
}

/** A run started on a target: print its id, then follow it to its end unless detached. */
async function started(g: GlobalOptions, run: StartedRemoteRun, detach?: boolean): Promise<void> {
  process.stderr.write(`run ${run.runId}\n`);
  if (detach) printResult(g, { run: run.runId, dir: run.localDir }, run.runId);
  else await follow(g, run.localDir);
}

function remoteStateOf(dir: string) {
  const st = readRemoteState(dir);
  if (!st) throw new CloudError('not-found', `${basename(dir)} is a local run, not a remote one`);
  return st;
}
