import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { COMMANDS } from '../../../core/cli/commands/index.ts';
import { buildProgram } from '../../../core/cli/main.ts';

describe('CLI command table', () => {
  it('each module registers exactly the top-level command it is listed under', async () => {
    for (const c of COMMANDS) {
      const program = new Command();
      (await c.load()).register(program);
      expect(
        program.commands.map((p) => p.name()),
        c.name,
      ).toEqual([c.name]);
    }
  });

  it('loads only the command being run, and every command for help', async () => {
    expect((await buildProgram('grade')).commands.map((c) => c.name())).toEqual(['grade']);
    expect((await buildProgram(undefined)).commands).toHaveLength(COMMANDS.length);
    expect((await buildProgram('no-such-command')).commands).toHaveLength(COMMANDS.length);
  });
});
