// New run: presets on the left, the generated form in the middle (every key, grouped by section,
// changed keys highlighted, inline messages from the schema), dataset and target, start.
import { useMemo, useState } from 'react';
import { PRESET_NAMES } from '../../../core/api/config/presets.ts';
import { useApi } from '../api/react.ts';
import { useStudio, useStudioShallow } from '../store/index.ts';
import { fieldSections } from './schemaFields.ts';
import { BackendSelect } from './BackendSelect.tsx';
import { nestConfig } from '../../../core/api/config/paths.ts';
import { effectiveValue, presetChanges, templateValue, validateDraft } from './draft.ts';
import { FieldInput } from './FieldInput.tsx';
import { DatasetPicker } from './DatasetPicker.tsx';
import { PretrainedInput } from './PretrainedInput.tsx';
import { WeightsCard } from './WeightsCard.tsx';
import { useWeights } from './useWeights.ts';

const SECTION_TITLES: Record<string, string> = {
  general: 'General',
  data: 'Data',
  train: 'Training',
  aug: 'Augmentation',
  optimizer: 'Optimizer',
  schedule: 'LR schedule',
  model: 'Model',
  loss: 'Loss',
  eval: 'Evaluation',
};

export function NewRunPage() {
  const api = useApi();
  const { weights, reload: reloadWeights } = useWeights();
  const s = useStudioShallow((st) => ({
    preset: st.preset,
    draft: st.draft,
    target: st.target,
    forkFrom: st.forkFrom,
    system: st.system,
    runs: st.runs,
  }));
  const update = useStudio((st) => st.update);
  const navigate = useStudio((st) => st.navigate);
  const toast = useStudio((st) => st.toast);
  const [starting, setStarting] = useState(false);
  const [serverIssues, setServerIssues] = useState<Record<string, string>>({});
  const sections = useMemo(() => fieldSections(), []);
  const validation = useMemo(() => validateDraft(s.preset, s.draft), [s.preset, s.draft]);
  const issues = { ...validation.issues, ...serverIssues };
  const errorCount = Object.keys(issues).length;
  const firstStart = s.system?.firstStart && Object.keys(s.runs).length === 0;
  const defaultPreset = s.system?.defaultPreset ?? 'quick-cpu';
  const presets = [defaultPreset, ...PRESET_NAMES.filter((p) => p !== defaultPreset)];

  const setField = (key: string, value: unknown) => {
    setServerIssues({});
    update({ draft: { ...s.draft, [key]: value } });
  };
  const resetField = (key: string) => {
    const d = { ...s.draft };
    delete d[key];
    update({ draft: d });
  };

  const start = async () => {
    setStarting(true);
    try {
      const config = nestConfig(s.draft);
      const { id } = s.forkFrom
        ? await api.client.runs.fork({ id: s.forkFrom.id, checkpoint: s.forkFrom.checkpoint, config })
        : await api.client.runs.start({ preset: s.preset, config, target: s.target });
      toast('success', `Started ${id}`);
      update({ forkFrom: null });
      navigate('run', id);
    } catch (e) {
      const err = e as Error & { issues?: { path: string; message: string }[] };
      if (err.issues?.length)
        setServerIssues(
          Object.fromEntries(err.issues.map((i) => [i.path.replace(/^config\./, ''), i.message])),
        );
      toast('error', err.message);
    } finally {
      setStarting(false);
    }
  };

  return (
    <div className="page" data-testid="new-run-form">
      <div className="page-head">
        <h1>{s.forkFrom ? `Fork ${s.runs[s.forkFrom.id]?.name ?? s.forkFrom.id}` : 'New run'}</h1>
        {s.forkFrom && (
          <span className="dim">
            starts from checkpoint{' '}
            <select
              className="input"
              value={s.forkFrom.checkpoint}
              onChange={(e) => update({ forkFrom: { ...s.forkFrom!, checkpoint: e.target.value } })}
            >
              <option>best</option>
              <option>last</option>
            </select>
          </span>
        )}
        {!s.forkFrom && (
          <label className="field">
            Preset
            <select
              className="input"
              value={s.preset}
              onChange={(e) => update({ preset: e.target.value })}
              data-testid="preset-select"
            >
              {presets.map((p) => (
                <option key={p} value={p}>
                  {p}
                  {p === defaultPreset ? ' (start here)' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          Name
          <input
            className={`input ${issues['name'] ? 'invalid' : ''}`}
            style={{ width: 200 }}
            value={String(effectiveValue(s.preset, s.draft, 'name'))}
            onChange={(e) => setField('name', e.target.value)}
            data-testid="run-name-input"
          />
        </label>
        <span className="spacer" />
        {errorCount > 0 ? (
          <span className="note warn" data-testid="form-error-count">
            {errorCount} invalid field{errorCount > 1 ? 's' : ''}
          </span>
        ) : (
          <span className="note">config valid</span>
        )}
        <button
          className="btn"
          onClick={() => update({ draft: {} })}
          disabled={Object.keys(s.draft).length === 0}
        >
          Reset edits
        </button>
        <button
          className="btn primary"
          disabled={!validation.ok || starting}
          onClick={start}
          data-testid="start-run"
        >
          {starting ? 'Starting…' : s.forkFrom ? 'Fork and start' : 'Start run'}
        </button>
      </div>
      {firstStart && (
        <div className="banner ok" data-testid="first-start">
          Welcome. The <b>{defaultPreset}</b> preset trains a small DeepLabV3+ on generated driving scenes in
          minutes on this machine — press <b>Start run</b> and watch the curves and predictions fill in.
        </div>
      )}
      <div className="form-grid">
        <div className="form-sections" data-testid="config-form">
          {sections.map(({ section, fields }) => (
            <div className="card" key={section} data-testid={`form-section-${section}`}>
              <div className="card-head">
                {SECTION_TITLES[section] ?? section}
                <span className="sub">{fields.length} keys</span>
              </div>
              <div className="card-body" style={{ padding: '4px 10px 8px' }}>
                {fields.map((f) => {
                  const value = effectiveValue(s.preset, s.draft, f.key);
                  const changed = JSON.stringify(value) !== JSON.stringify(templateValue(f.key));
                  const err = issues[f.key];
                  const id = `field-${f.key}`;
                  return (
                    <div className={`form-row ${changed ? 'changed' : ''}`} key={f.key}>
                      <label
                        className="key"
                        htmlFor={id}
                        title={
                          changed ? `${f.key} (template: ${JSON.stringify(templateValue(f.key))})` : f.key
                        }
                      >
                        {f.key.slice(section === 'general' ? 0 : section.length + 1)}
                      </label>
                      <span style={{ display: 'flex', gap: 4, alignItems: 'center', minWidth: 0 }}>
                        <span style={{ flex: 1, minWidth: 0 }}>
                          {f.key === 'backend' ? (
                            <BackendSelect
                              id={id}
                              value={value}
                              options={s.system?.backendOptions}
                              invalid={!!err}
                              onChange={(v) => setField(f.key, v)}
                            />
                          ) : f.key === 'model.pretrained' ? (
                            <PretrainedInput
                              id={id}
                              value={value}
                              encoder={String(effectiveValue(s.preset, s.draft, 'model.encoder'))}
                              width={effectiveValue(s.preset, s.draft, 'model.width')}
                              weights={weights}
                              invalid={!!err}
                              onChange={(v) => setField(f.key, v)}
                            />
                          ) : (
                            <FieldInput
                              id={id}
                              fieldKey={f.key}
                              kind={f.kind}
                              value={value}
                              invalid={!!err}
                              onChange={(v) => setField(f.key, v)}
                            />
                          )}
                        </span>
                        {f.key in s.draft && (
                          <button
                            className="btn ghost small"
                            title="reset to preset"
                            onClick={() => resetField(f.key)}
                          >
                            ↺
                          </button>
                        )}
                      </span>
                      {err && (
                        <span className="err" data-testid="field-error" data-key={f.key}>
                          {err}
                        </span>
                      )}
                    </div>
                  );
                })}
              </div>
            </div>
          ))}
          {issues[''] && <div className="banner">{issues['']}</div>}
        </div>
        <div style={{ display: 'flex', flexDirection: 'column', gap: 10, position: 'sticky', top: 12 }}>
          {!s.forkFrom && (
            <div className="card" data-testid="presets">
              <div className="card-head">Preset</div>
              <div className="card-body preset-list">
                {presets.map((p) => {
                  const changes = presetChanges(p);
                  return (
                    <button
                      key={p}
                      className={`preset ${s.preset === p ? 'on' : ''}`}
                      onClick={() => update({ preset: p })}
                      data-testid={`preset-${p}`}
                      title={changes.join('\n')}
                    >
                      <div>
                        <b>{p}</b>
                        {p === defaultPreset && <span className="badge">start here</span>}
                      </div>
                      <div className="desc">
                        {changes.length
                          ? `${changes.length} keys over the template: ${changes.slice(0, 4).join(', ')}${changes.length > 4 ? '…' : ''}`
                          : 'the course template (weak baseline)'}
                      </div>
                    </button>
                  );
                })}
              </div>
            </div>
          )}
          <DatasetPicker
            root={String(effectiveValue(s.preset, s.draft, 'data.root'))}
            onRoot={(root) => setField('data.root', root)}
            onSynthetic={(syn) =>
              update({
                draft: {
                  ...s.draft,
                  'data.root': 'synthetic',
                  ...Object.fromEntries(Object.entries(syn).map(([k, v]) => [`data.synthetic.${k}`, v])),
                },
              })
            }
          />
          <WeightsCard
            weights={weights}
            onUse={(path) => setField('model.pretrained', path)}
            onReload={reloadWeights}
          />
          <div className="card">
            <div className="card-head">Target</div>
            <div className="card-body">
              <select
                className="input"
                style={{ width: '100%' }}
                value={s.target}
                onChange={(e) => update({ target: e.target.value })}
                data-testid="target-select"
              >
                {(
                  s.system?.targets ?? [
                    { id: 'local', label: 'This machine', kind: 'local', available: true },
                  ]
                ).map((t) => (
                  <option key={t.id} value={t.id} disabled={!t.available}>
                    {t.label}
                    {t.available ? '' : ' (unavailable)'}
                  </option>
                ))}
              </select>
              <div className="note" style={{ marginTop: 6 }}>
                Backend: {String(effectiveValue(s.preset, s.draft, 'backend'))}
                {s.system ? ` → ${s.system.backends[0] ?? 'cpu'} here` : ''}
              </div>
            </div>
          </div>
        </div>
      </div>
    </div>
  );
}
