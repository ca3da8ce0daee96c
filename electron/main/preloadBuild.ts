// Bundle the preload (TypeScript, several files) into one CommonJS file, as sandboxed preloads
// require. Rebuilt when a source is newer than the output; esbuild comes with tsx.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PRELOAD_SOURCE = fileURLToPath(new URL('../preload/preload.ts', import.meta.url));

export async function buildPreload(outFile: string): Promise<string> {
  const srcDir = dirname(PRELOAD_SOURCE);
  const newest = Math.max(...readdirSync(srcDir).map((n) => statSync(join(srcDir, n)).mtimeMs));
  if (existsSync(outFile) && statSync(outFile).mtimeMs >= newest) return outFile;
  mkdirSync(dirname(outFile), { recursive: true });
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: [PRELOAD_SOURCE],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2022',
    external: ['electron'],
    logLevel: 'silent',
  });
  return outFile;
}
