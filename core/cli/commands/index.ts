// Every CLI command, one module each; a module exports `register(program)`.
// Adding a command = one new file in this folder + one line here.
import type { Command } from 'commander';

type Register = (program: Command) => void;
export const COMMANDS: Array<() => Promise<{ register: Register }>> = [
  () => import('./generateData.ts'),
  () => import('./validate.ts'),
  () => import('./stats.ts'),
  () => import('./train.ts'),
  () => import('./fork.ts'),
  () => import('./predict.ts'),
  () => import('./eval.ts'),
  () => import('./runs.ts'),
  () => import('./model.ts'),
  () => import('./bench.ts'),
  () => import('./resume.ts'),
  () => import('./serve.ts'),
  () => import('./archive.ts'),
  () => import('./grade.ts'),
  () => import('./s3.ts'),
  () => import('./remote.ts'),
  () => import('./ec2.ts'),
  () => import('./queue.ts'),
];
