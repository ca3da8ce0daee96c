// PyTorch checkpoints (.pth / .pt / Lightning .ckpt, torch.save's zip format since torch 1.6):
// <root>/data.pkl is a pickle whose tensors point at storages <root>/data/<key>. The pickle is read
// with the restricted unpickler (no code runs), then every tensor is materialised from its storage.
import { ZipArchive } from '../../archive/zipReader.ts';
import type { NamedTensor } from '../../model/safetensors.ts';
import { restrictedUnpickle, TorchTensor } from '../pickle.ts';
import { findStateDict, materialize } from '../stateDict.ts';

export interface TorchCheckpoint {
  /** Every tensor of the state dict, under the checkpoint's own names. */
  tensors: Map<string, NamedTensor>;
  /** Where the state dict sat in the checkpoint ('' = top level, 'state_dict' for Lightning). */
  path: string;
  /** Entries that are not tensors (e.g. torchvision's _metadata is dropped earlier; numbers here). */
  skipped: string[];
}

export async function readTorchCheckpoint(file: string): Promise<TorchCheckpoint> {
  let zip: ZipArchive;
  try {
    zip = await ZipArchive.open(file);
  } catch (e) {
    throw new Error(
      `${file}: not a PyTorch zip checkpoint (${(e as Error).message}); files from torch < 1.6 need re-saving with a newer torch`,
      { cause: e },
    );
  }
  try {
    const pkl = [...zip.entries.keys()].find((n) => /^[^/]+\/data\.pkl$/.test(n));
    if (!pkl) throw new Error(`${file}: no <name>/data.pkl inside (not written by torch.save?)`);
    const root = pkl.slice(0, -'data.pkl'.length);
    const { data } = await zip.read(pkl);
    const { dict, path } = findStateDict(restrictedUnpickle(new Uint8Array(data), `${file}:${pkl}`), file);
    const storages = new Map<string, Uint8Array>();
    const tensors = new Map<string, NamedTensor>();
    const skipped: string[] = [];
    for (const [name, v] of dict.map) {
      if (!(v instanceof TorchTensor)) {
        skipped.push(String(name));
        continue;
      }
      const key = v.storage.key;
      if (!storages.has(key)) {
        const entry = `${root}data/${key}`;
        if (!zip.entries.has(entry)) throw new Error(`${file}: tensor "${name}" needs ${entry}, absent`);
        storages.set(key, new Uint8Array((await zip.read(entry)).data));
      }
      tensors.set(String(name), materialize(v, storages.get(key)!, String(name), file));
    }
    return { tensors, path, skipped };
  } finally {
    zip.close();
  }
}
