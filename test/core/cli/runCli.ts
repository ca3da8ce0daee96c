// Run `mtl-studio --workspace WS …` in this process and return what it printed to stdout.
import { vi } from 'vitest';
import { buildProgram } from '../../../core/cli/main.ts';

export async function runCli(workspace: string, ...args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await (await buildProgram()).parseAsync(['node', 'mtl-studio', '--workspace', workspace, ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}
