import type { RunInfo } from '../../../core/api/studio.ts';

export function StatusPill({ status }: { status: RunInfo['status'] }) {
  return (
    <span className={`status ${status}`} data-testid="run-status" data-status={status}>
      <span className="dot" />
      {status}
    </span>
  );
}
