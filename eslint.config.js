// Layering (after VS Code's code-import-patterns): lower layers never import upper ones.
//   core/api   → nothing but itself (environment-neutral: no Node built-ins, no DOM)
//   core       → core only (never electron/ or renderer/), and inside core/ by the table below
//   electron   → core
//   renderer   → core/api only
// Do not relax these rules. test/lint/layering.test.ts proves that they bite.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'net',
  'http',
  'crypto',
  'url',
  'stream',
  'zlib',
];
const noNode = nodeBuiltins.flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);
const appLayers = {
  group: ['**/electron/**', '**/renderer/**', 'electron', 'react', 'react-dom'],
  message: 'core/ never imports the app layers.',
};

// Layers inside core/, bottom up: each folder and the core/ folders it never imports. The shared
// vocabulary (api) imports no other folder; the runtime sits on it alone; data, metrics, runs,
// config, model, weights and the archive are the engine's lower layers; training builds on them;
// bench, sweeps and the cloud drive training; the studio drives all of those; the server and the
// CLI are the entry points on top.
const UPPER = ['train', 'bench', 'sweep', 'cloud', 'studio', 'server', 'cli'];
const CORE = ['api', 'runtime', 'data', 'metrics', 'runs', 'config', 'model', 'weights', 'archive', ...UPPER];
const neverImports = {
  api: CORE.filter((f) => f !== 'api'),
  runtime: CORE.filter((f) => f !== 'api' && f !== 'runtime'),
  data: UPPER,
  metrics: UPPER,
  runs: UPPER,
  config: UPPER,
  model: ['weights', ...UPPER], // weights import model's ResNet; loading files into a model is weights/node
  weights: UPPER,
  archive: UPPER,
  train: ['bench', 'sweep', 'cloud', 'studio', 'server', 'cli'],
  bench: ['sweep', 'cloud', 'studio', 'server', 'cli'],
  sweep: ['bench', 'studio', 'server', 'cli'],
  cloud: ['bench', 'sweep', 'studio', 'server', 'cli'], // sweeps use cloud (executors in core/sweep)
  studio: ['server', 'cli'],
  server: ['cli'],
  cli: [],
};

// The environment-neutral files: one list, shared with their type check (tsconfig.neutral.json
// compiles them without Node types); here they also may not import a Node built-in.
const neutral = JSON.parse(readFileSync(new URL('./tsconfig.neutral.json', import.meta.url), 'utf8'));
const asGlob = (p) => (p.endsWith('.ts') ? p : `${p}/**`);
const folderOf = (p) => p.split('/')[1];

/** no-restricted-imports for files of core/<folder>: app layers, upper core folders, Node if neutral. */
function coreImportRules(folder, { neutral: isNeutral }) {
  const banned = neverImports[folder] ?? [];
  const patterns = [appLayers];
  if (banned.length > 0) {
    patterns.push({
      // Imports inside core/ are relative: `../train/loop.ts` from core/runtime/x.ts.
      regex: `^(\\.\\./)+(${banned.join('|')})(/|$)`,
      message: `Layering: core/${folder} never imports core/${banned.join(', core/')} (eslint.config.js).`,
    });
  }
  const paths = isNeutral
    ? noNode.map((name) => ({
        name,
        message: 'Environment-neutral code (tsconfig.neutral.json): no Node APIs here.',
      }))
    : [];
  return { 'no-restricted-imports': ['error', { paths, patterns }] };
}

export default tseslint.config(
  {
    // Build outputs and local scratch (all gitignored) are not ours to lint.
    ignores: [
      'node_modules/**',
      'dist/**',
      'test/fixtures/**',
      'renderer/dist/**',
      '**/*.py',
      '.device-carry/**',
      'test-artifacts/**',
      'tmp/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  { files: ['core/**'], rules: coreImportRules(undefined, { neutral: false }) },
  ...Object.keys(neverImports).map((folder) => ({
    files: [`core/${folder}/**`],
    rules: coreImportRules(folder, { neutral: false }),
  })),
  // After the folder blocks, which they refine (a file's last matching block sets the rule).
  ...neutral.include.map((path) => ({
    files: [asGlob(path)],
    ignores: (neutral.exclude ?? []).map(asGlob),
    rules: coreImportRules(folderOf(path), { neutral: true }),
  })),
  {
    files: ['electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/renderer/**'], message: 'electron/ imports core/ only.' }] },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noNode.map((name) => ({ name, message: 'The renderer is browser code.' })),
          patterns: [
            { group: ['**/electron/**'], message: 'renderer/ talks to the engine only through core/api.' },
            { regex: '^(\\.\\./)+core/(?!api/)', message: 'renderer/ may import only core/api.' },
          ],
        },
      ],
    },
  },
);
