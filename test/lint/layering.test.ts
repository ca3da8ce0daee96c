// The layering rules of eslint.config.js bite: an upward import inside core/ (or a Node built-in
// in environment-neutral code) is a lint error, and the imports the layers allow are not. Runs the
// project's own ESLint config on synthetic sources, so it checks the config `npm run lint` uses.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let eslint: ESLint;

/** The no-restricted-imports messages for `import … from source` in a file at filePath. */
async function importErrors(filePath: string, source: string): Promise<string[]> {
  const code = `import * as dep from '${source}';\nexport const used = dep;\n`;
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

describe('layering inside core/', () => {
  const lower = ['runtime', 'model', 'metrics', 'data', 'runs'];
  const upper = ['train', 'studio', 'cli', 'cloud', 'server'];

  it.each(lower.flatMap((from) => upper.map((to) => [from, to])))(
    'core/%s never imports core/%s',
    async (from, to) => {
      const errors = await importErrors(`core/${from}/x.ts`, `../${to}/y.ts`);
      expect(errors).toEqual([expect.stringContaining(`core/${from} never imports`)]);
      expect(errors[0]).toContain(`core/${to}`);
      // A file deeper in the folder reaches the same folder with more `../`.
      expect(await importErrors(`core/${from}/sub/x.ts`, `../../${to}/y.ts`)).toHaveLength(1);
    },
  );

  it.each(['studio', 'cli', 'cloud'])('core/train never imports core/%s', async (to) => {
    expect(await importErrors('core/train/x.ts', `../${to}/y.ts`)).toHaveLength(1);
    expect(await importErrors('core/train/parallel/x.ts', `../../${to}/y.ts`)).toHaveLength(1);
  });

  it('core/model never imports core/weights (weights build on the model, not the other way)', async () => {
    expect(await importErrors('core/model/x.ts', '../weights/catalog.ts')).toHaveLength(1);
    expect(await importErrors('core/weights/node/x.ts', '../../model/resnet.ts')).toEqual([]);
  });

  it('core/cloud never imports core/sweep (the sweep executors build on cloud)', async () => {
    const errors = await importErrors('core/cloud/batch/x.ts', '../../sweep/executor.ts');
    expect(errors).toEqual([expect.stringContaining('core/cloud never imports')]);
    expect(errors[0]).toContain('core/sweep');
    expect(await importErrors('core/cloud/x.ts', '../sweep/store.ts')).toHaveLength(1);
    expect(await importErrors('core/sweep/executors/x.ts', '../../cloud/batch/cost.ts')).toEqual([]);
  });

  it('core/api imports no other core folder', async () => {
    expect(await importErrors('core/api/x.ts', '../runs/store.ts')).toHaveLength(1);
    expect(await importErrors('core/api/x.ts', './config/schema.ts')).toEqual([]);
  });

  it('allows the downward imports', async () => {
    expect(await importErrors('core/train/x.ts', '../runtime/index.ts')).toEqual([]);
    expect(await importErrors('core/train/parallel/x.ts', '../step.ts')).toEqual([]);
    expect(await importErrors('core/runtime/kernels/x.ts', '../../api/events.ts')).toEqual([]);
    expect(await importErrors('core/model/x.ts', '../api/classes.ts')).toEqual([]);
    expect(await importErrors('core/studio/x.ts', '../train/loop.ts')).toEqual([]);
    expect(await importErrors('core/cli/commands/x.ts', '../../studio/service.ts')).toEqual([]);
  });
});

describe('environment-neutral code (tsconfig.neutral.json)', () => {
  it('may not import a Node built-in; Node-only modules may', async () => {
    expect(await importErrors('core/train/step.ts', 'node:fs')).toHaveLength(1);
    expect(await importErrors('core/model/x.ts', 'path')).toHaveLength(1);
    expect(await importErrors('core/weights/node/x.ts', 'node:fs')).toEqual([]);
    expect(await importErrors('core/train/loop.ts', 'node:fs')).toEqual([]);
  });

  it('keeps the layering rules of its folder', async () => {
    expect(await importErrors('core/train/step.ts', '../cloud/y.ts')).toHaveLength(1);
    expect(await importErrors('core/model/x.ts', '../train/y.ts')).toHaveLength(1);
  });
});
