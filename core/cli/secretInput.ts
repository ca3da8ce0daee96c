// Secrets for CLI commands come from the environment or standard input, never from argv: a secret on
// the command line is visible to every local user in `ps` / /proc/<pid>/cmdline and is kept in the
// shell's history.

/** The error for a secret passed as an option value, saying how to pass it instead. */
export function secretOnCommandLine(flag: string, envName: string): Error {
  return new Error(
    `${flag} is refused: a secret on the command line shows in \`ps\` and in shell history. ` +
      `Set ${envName} in the environment, or pipe it in with ${flag}-stdin ` +
      `(e.g. \`… ${flag}-stdin < secret.txt\`; typed at a terminal it is not echoed)`,
  );
}

/** All of standard input (piped), or one line typed at the terminal without echo; the trailing
 * newline is dropped. */
export async function readSecretFromStdin(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(Buffer.from(c as Buffer));
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      stdin.on('data', function onData(d: Buffer) {
        for (const ch of d.toString('utf8')) {
          if (ch === '\r' || ch === '\n' || ch === '\u0004') {
            stdin.off('data', onData);
            return resolve(value);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return reject(new Error('cancelled'));
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      });
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
