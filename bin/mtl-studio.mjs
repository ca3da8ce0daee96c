#!/usr/bin/env node
// Entry point of the `mtl-studio` CLI: registers the TypeScript loader, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../core/cli/main.ts');
await main(process.argv);
