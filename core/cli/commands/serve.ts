// `mtl-studio serve [--port P] [--host H]`: the studio in a browser. Prints the URL with the session
// token; binds to loopback unless --host says otherwise. Training started from the page runs in
// its own processes and keeps going if the server stops.
import type { Command } from 'commander';
import { createNodeStudio } from '../../studio/service.ts';
import { isLoopback, startStudioServer } from '../../server/server.ts';
import { globalOptions, printResult } from '../context.ts';

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the studio over HTTP + WebSocket; prints http://127.0.0.1:P/?token=…')
    .option('--port <port>', 'port (0 = any free port)', '5170')
    .option('--host <host>', 'address to bind (loopback unless you mean otherwise)', '127.0.0.1')
    .option('--renderer <dir>', 'built renderer folder (default renderer/dist)')
    .action(async (opts: { port: string; host: string; renderer?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new Error(`--port: expected 0..65535, got "${opts.port}"`);
      if (!isLoopback(opts.host))
        process.stderr.write(
          `warning: binding to ${opts.host}: the studio is reachable from the network (the token still guards it)\n`,
        );
      const studio = createNodeStudio({ workspace: g.workspace, transport: 'http' });
      const server = await startStudioServer({
        studio,
        host: opts.host,
        port,
        ...(opts.renderer ? { rendererDir: opts.renderer } : {}),
      }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'EADDRINUSE') throw new Error(`port ${port} on ${opts.host} is in use; try --port 0`);
        throw e;
      });
      process.stderr.write(`MTL Studio serving workspace ${g.workspace}\n`);
      printResult(
        g,
        { url: server.url, host: server.host, port: server.port, workspace: g.workspace },
        server.url,
      );
      const stop = async (sig: string) => {
        process.stderr.write(`${sig}: closing the studio server`);
        const training = studio.trainingNow();
        process.stderr.write(training.length ? ` (training continues: ${training.join(', ')})\n` : '\n');
        studio.close();
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
      await new Promise(() => {}); // until a signal
    });
}
