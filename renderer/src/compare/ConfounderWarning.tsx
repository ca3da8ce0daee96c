// Every difference between the compared runs beyond the variable(s) under study (SPEC §1.3).
import type { Confounder } from '../lib/configDiff.ts';
import { formatValue } from '../lib/configDiff.ts';

export function ConfounderWarning({
  confounders,
  variables,
}: {
  confounders: Confounder[];
  variables: string[];
}) {
  if (confounders.length === 0)
    return (
      <div className="banner ok" data-testid="confounder-warning" data-count={0}>
        {variables.length
          ? `No confounders: the runs differ only in ${variables.join(', ')}.`
          : 'The runs do not differ in any config key or run fact that affects results.'}
      </div>
    );
  return (
    <div className="banner warn" data-testid="confounder-warning" data-count={confounders.length}>
      <b>
        {confounders.length} confounder{confounders.length > 1 ? 's' : ''}
      </b>
      {variables.length
        ? ` beyond the variable under study (${variables.join(', ')})`
        : ' — mark the key(s) you are studying in the diff below'}
      :
      <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
        {confounders.map((c) => (
          <li key={c.key}>
            <span className="mono">{c.key}</span>: {c.values.map(formatValue).join(' vs ')}
          </li>
        ))}
      </ul>
    </div>
  );
}
