// Checkpoints of a run with resume / fork / archive.
import type { RunInfo } from '../../../core/api/studio.ts';
import { useActions } from '../actions/react.ts';
import { useApi } from '../api/react.ts';
import { fmtAgo, fmtBytes, fmtNum } from '../components/format.ts';
import { useStudio } from '../store/index.ts';

export function CheckpointsPanel({ run }: { run: RunInfo }) {
  const checkpoints = useStudio((s) => s.checkpoints[run.id]) ?? [];
  const update = useStudio((s) => s.update);
  const navigate = useStudio((s) => s.navigate);
  const toast = useStudio((s) => s.toast);
  const actions = useActions();
  const api = useApi();
  const resumeEnabled = actions.isEnabled(actions.get('run.resume')!);
  const fork = (checkpoint: string) => {
    void actions.executeAction('run.fork', 'ui').then(() => update({ forkFrom: { id: run.id, checkpoint } }));
  };
  const archive = async (checkpoint: string) => {
    try {
      await api.client.runs.archive({ id: run.id, checkpoint });
      navigate('export');
    } catch (e) {
      toast('error', (e as Error).message);
    }
  };
  return (
    <div className="card" data-testid="checkpoints-panel">
      <div className="card-head">
        Checkpoints <span className="sub">{checkpoints.length}</span>
        <span className="spacer" />
        <button
          className="btn small"
          disabled={!resumeEnabled}
          onClick={() => void actions.executeAction('run.resume', 'ui')}
          data-testid="resume-from-checkpoint"
        >
          Resume from last
        </button>
      </div>
      <table className="data">
        <thead>
          <tr>
            <th>kind</th>
            <th className="num">step</th>
            <th className="num">epoch</th>
            <th className="num">multitask</th>
            <th className="num">size</th>
            <th>written</th>
            <th>path</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {checkpoints.map((c) => (
            <tr key={c.path} data-testid="checkpoint-row" data-kind={c.kind}>
              <td>
                <b>{c.kind}</b>
              </td>
              <td className="num">{c.step ?? ''}</td>
              <td className="num">{c.epoch ?? ''}</td>
              <td className="num">{fmtNum(c.multitask)}</td>
              <td className="num">{fmtBytes(c.bytes)}</td>
              <td className="dim">{fmtAgo(c.mtime)}</td>
              <td className="mono dim">{c.path}</td>
              <td style={{ display: 'flex', gap: 4 }}>
                <button className="btn small" onClick={() => fork(c.kind)} data-testid="fork-checkpoint">
                  Fork
                </button>
                <button
                  className="btn small"
                  onClick={() => void archive(c.kind)}
                  data-testid="archive-checkpoint"
                >
                  Archive
                </button>
              </td>
            </tr>
          ))}
          {checkpoints.length === 0 && (
            <tr>
              <td colSpan={8} className="dim">
                No checkpoint yet (the first is written after the first validation).
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
