// Layering (after VS Code's code-import-patterns): lower layers never import upper ones.
//   core/api   → nothing but itself (environment-neutral: no Node built-ins, no DOM)
//   core       → core only (never electron/ or renderer/)
//   electron   → core
//   renderer   → core/api only
// Do not relax these rules.
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
  {
    files: ['core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/electron/**', '**/renderer/**', 'electron', 'react', 'react-dom'],
              message: 'core/ never imports the app layers.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'core/api/**',
      'core/model/**',
      'core/metrics/**',
      'core/train/losses.ts',
      'core/train/schedule.ts',
    ],
    ignores: ['core/model/node/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noNode.map((name) => ({ name, message: 'Environment-neutral code: no Node APIs here.' })),
          patterns: [
            { group: ['**/electron/**', '**/renderer/**'], message: 'core/ never imports the app layers.' },
          ],
        },
      ],
    },
  },
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
