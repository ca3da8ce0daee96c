// Every CLI command, one module each; a module exports `register(program)`.
// Adding a command = one new file in this folder + one line here. Modules load lazily: the CLI
// imports only the module of the command being run (TensorFlow.js and the AWS SDK take seconds to
// load), and all of them for the top-level help.
import type { Command } from 'commander';

type Register = (program: Command) => void;
export interface CommandModule {
  /** The top-level command name the module registers. */
  name: string;
  load: () => Promise<{ register: Register }>;
}

export const COMMANDS: CommandModule[] = [
  { name: 'generate-data', load: () => import('./generateData.ts') },
  { name: 'validate', load: () => import('./validate.ts') },
  { name: 'stats', load: () => import('./stats.ts') },
  { name: 'model', load: () => import('./model.ts') },
  { name: 'weights', load: () => import('./weights.ts') },
  { name: 'train', load: () => import('./train.ts') },
  { name: 'resume', load: () => import('./resume.ts') },
  { name: 'fork', load: () => import('./fork.ts') },
  { name: 'eval', load: () => import('./eval.ts') },
  { name: 'predict', load: () => import('./predict.ts') },
  { name: 'archive', load: () => import('./archive.ts') },
  { name: 'grade', load: () => import('./grade.ts') },
  { name: 'runs', load: () => import('./runs.ts') },
  { name: 'serve', load: () => import('./serve.ts') },
  { name: 'bench', load: () => import('./bench.ts') },
  { name: 's3', load: () => import('./s3.ts') },
  { name: 'remote', load: () => import('./remote.ts') },
  { name: 'ec2', load: () => import('./ec2.ts') },
  { name: 'queue', load: () => import('./queue.ts') },
  { name: 'batch', load: () => import('./batch.ts') },
  { name: 'sweep', load: () => import('./sweep.ts') },
];
