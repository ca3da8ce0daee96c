// The `mtl-studio` command line. Progress goes to stderr; `--json` prints one JSON object as the
// last stdout line; any error exits non-zero with a one-line reason.
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.ts';

/** The command word of argv (skipping global options and their values), if any. */
function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--workspace') i++;
    else if (!args[i].startsWith('-')) return args[i];
  }
  return undefined;
}

/** Build the program with every command, or only `onlyCommand` when it names a known one. */
export async function buildProgram(onlyCommand?: string): Promise<Command> {
  const program = new Command('mtl-studio')
    .description('Experiment studio for multi-task dense prediction (semantic segmentation + depth)')
    .option('--workspace <dir>', 'workspace folder (runs, datasets)', undefined)
    .option('--json', 'print one JSON object as the last line of stdout')
    .showHelpAfterError()
    .exitOverride();
  const wanted = COMMANDS.filter((c) => c.name === onlyCommand);
  for (const c of wanted.length ? wanted : COMMANDS) (await c.load()).register(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  let word = commandWord(argv.slice(2));
  if (word === 'help') word = commandWord(argv.slice(3));
  const program = await buildProgram(word);
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
