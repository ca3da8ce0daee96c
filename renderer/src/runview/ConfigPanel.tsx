import type { RunInfo } from '../../../core/api/studio.ts';
import { flattenConfig } from '../../../core/api/config/paths.ts';
import { formatValue } from '../lib/configDiff.ts';
import { templateValue } from '../newrun/draft.ts';

/** The resolved config of a run, keys that differ from the template highlighted. */
export function ConfigPanel({ run }: { run: RunInfo }) {
  const flat = flattenConfig(run.config);
  return (
    <div className="card" data-testid="config-panel">
      <div className="card-head">
        Config{' '}
        <span className="sub">
          {run.preset ? `preset ${run.preset}` : ''}
          {run.parent ? ` · forked from ${run.parent.run} @ step ${run.parent.step}` : ''}
        </span>
      </div>
      <table className="data">
        <tbody>
          {Object.entries(flat).map(([k, v]) => {
            const changed = JSON.stringify(v) !== JSON.stringify(templateValue(k));
            return (
              <tr key={k} className={changed ? 'diff' : ''}>
                <td className="mono dim" style={{ width: 240 }}>
                  {k}
                </td>
                <td className="mono">{formatValue(v)}</td>
                <td className="faint">{changed ? `template: ${formatValue(templateValue(k))}` : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
