// The `mtl-studio` command line. Progress goes to stderr; `--json` prints one JSON object as the
// last stdout line; any error exits non-zero with a one-line reason.
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';

export async function buildProgram(): Promise<Command> {
  const program = new Command('mtl-studio')
    .description('Experiment studio for multi-task dense prediction (semantic segmentation + depth)')
    .option('--workspace <dir>', 'workspace folder (runs, datasets)', undefined)
    .option('--json', 'print one JSON object as the last line of stdout')
    .showHelpAfterError()
    .exitOverride();
  for (const load of COMMANDS) (await load()).register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      process.exitCode = e.exitCode;
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`mtl-studio: error: ${message.split('\n')[0]}\n`);
    if (process.env.MTL_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = 1;
  }
}
