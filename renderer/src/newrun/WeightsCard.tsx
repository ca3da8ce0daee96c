// The pretrained-weights cache of the workspace: what is downloaded or imported, from where, and
// how large; `use` puts a file into model.pretrained. Filled by `mtl-studio weights fetch|import`
// and by runs with model.pretrained = imagenet.
import type { WeightsInfo } from '../../../core/api/studio.ts';
import { megabytes } from './useWeights.ts';

export interface WeightsCardProps {
  weights: WeightsInfo[] | null;
  onUse: (path: string) => void;
  onReload: () => void;
}

export function WeightsCard({ weights, onUse, onReload }: WeightsCardProps) {
  return (
    <div className="card" data-testid="weights-card">
      <div className="card-head">
        Pretrained weights
        <span className="spacer" />
        <button className="btn ghost small" onClick={onReload} title="refresh">
          ↻
        </button>
      </div>
      <div className="card-body" style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
        {weights === null && <span className="note">loading…</span>}
        {weights?.map((w) => (
          <div key={w.file} data-testid="weights-row" data-name={w.name} title={w.conversion ?? w.path}>
            <div style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
              <b className="mono">{w.name}</b>
              <span className="note">{w.encoder ?? ''}</span>
              <span className="spacer" />
              <span className="note" data-testid="weights-state">
                {w.cached ? megabytes(w.bytes) : w.partial ? `partial ${megabytes(w.bytes)}` : 'not cached'}
              </span>
              {w.cached && (
                <button className="btn ghost small" onClick={() => onUse(w.path)} data-testid="weights-use">
                  use
                </button>
              )}
            </div>
            <div className="note">
              {w.source}
              {w.strideIn1x1 ? ' · v1 stride' : ''}
            </div>
          </div>
        ))}
        <span className="note">
          Add: <span className="mono">mtl-studio weights fetch resnet50</span> or{' '}
          <span className="mono">weights import FILE</span> (.pth, .ckpt, .safetensors, tfjs model.json)
        </span>
      </div>
    </div>
  );
}
