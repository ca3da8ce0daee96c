// New sweep: a base (preset + overrides), the swept axes, seeds, and where to launch. Checked as
// it is typed with the CLI's schemas (sweepDraft.ts); "Create" saves it (sweeps.create, which
// expands and checks every run again) and goes on to the launch confirmation.
import { useMemo, useState } from 'react';
import { PRESET_NAMES } from '../../../core/api/config/presets.ts';
import type { SweepExecutor } from '../../../core/api/sweeps.ts';
import type { SweepFile } from '../../../core/api/sweepFile.ts';
import { configFields } from '../newrun/schemaFields.ts';
import { AxesEditor } from './AxesEditor.tsx';
import { BaseOverrides } from './BaseOverrides.tsx';
import { LaunchFields, type LaunchSettings } from './LaunchFields.tsx';
import { checkSweepDraft, newSweepDraft, type SweepDraft } from './sweepDraft.ts';

export function NewSweepForm(props: {
  defaultPreset: string;
  executors: SweepExecutor[];
  /** Save the sweep, then show the launch confirmation; rejects with the engine's message. */
  onCreate: (definition: SweepFile, launch: LaunchSettings) => Promise<void>;
  onCancel: () => void;
}) {
  const [d, setD] = useState<SweepDraft>(() => newSweepDraft(props.defaultPreset));
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<string | null>(null);
  const keys = useMemo(() => new Set(configFields().map((f) => f.key)), []);
  const check = useMemo(() => checkSweepDraft(d, keys), [d, keys]);
  const update = (patch: Partial<SweepDraft>) => {
    setServerError(null);
    setD((cur) => ({ ...cur, ...patch }));
  };
  const presets = [props.defaultPreset, ...PRESET_NAMES.filter((p) => p !== props.defaultPreset)];

  const create = async () => {
    if (!check.definition) return;
    setBusy(true);
    try {
      await props.onCreate(check.definition, d);
    } catch (e) {
      setServerError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card" data-testid="sweep-new-form">
      <div className="card-head">
        New sweep
        <span className="sub">every run = the base + one value per axis; only the swept keys differ</span>
      </div>
      <div className="card-body" style={{ display: 'flex', flexDirection: 'column', gap: 12 }}>
        <div style={{ display: 'flex', gap: 10, flexWrap: 'wrap' }}>
          <label className="field">
            Name
            <input
              className={`input ${check.issues.name ? 'invalid' : ''}`}
              value={d.name}
              onChange={(e) => update({ name: e.target.value })}
              data-testid="sweep-name"
            />
          </label>
          <label className="field">
            Preset
            <select
              className="input"
              value={d.preset}
              onChange={(e) => update({ preset: e.target.value })}
              data-testid="sweep-preset"
            >
              {presets.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          </label>
          <label className="field">
            Seeds
            <input
              className={`input ${check.issues.seeds ? 'invalid' : ''}`}
              style={{ width: 90 }}
              placeholder="none, 3 or 0,7"
              value={d.seeds}
              onChange={(e) => update({ seeds: e.target.value })}
              data-testid="sweep-seeds"
            />
          </label>
          {check.issues.name && <span className="note warn">{check.issues.name}</span>}
          {check.issues.seeds && <span className="note warn">{check.issues.seeds}</span>}
        </div>
        <div>
          <div className="dim" style={{ marginBottom: 4 }}>
            Base: keys every run sets over the preset
          </div>
          <BaseOverrides
            preset={d.preset}
            overrides={d.overrides}
            issues={check.issues}
            onChange={(overrides) => update({ overrides })}
          />
        </div>
        <div>
          <div className="dim" style={{ marginBottom: 4 }}>
            Axes: the keys the sweep varies
          </div>
          <AxesEditor draft={d} issues={check.issues} onChange={update} />
        </div>
        <div>
          <LaunchFields executors={props.executors} value={d} onChange={(v) => update(v)} />
          {check.issues.launch && <div className="note warn">{check.issues.launch}</div>}
        </div>
        {serverError && (
          <div className="banner" data-testid="sweep-create-error">
            {serverError}
          </div>
        )}
        <div style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
          <button
            className="btn primary"
            disabled={!check.definition || busy}
            onClick={() => void create()}
            data-testid="sweep-create"
          >
            {busy ? 'Creating…' : 'Create and review launch'}
          </button>
          <button className="btn" onClick={props.onCancel} data-testid="sweep-new-cancel">
            Cancel
          </button>
          <span
            className="note"
            data-testid="sweep-run-count"
            data-runs={check.definition ? (check.runs ?? '') : ''}
          >
            {check.definition && check.runs !== null
              ? `${check.runs} run${check.runs === 1 ? '' : 's'}`
              : `${Object.keys(check.issues).length} problem(s) to fix`}
          </span>
        </div>
      </div>
    </div>
  );
}
