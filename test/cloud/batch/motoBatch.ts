// moto for the Batch tests: the same server as test/cloud/servers.ts (scripts/test-servers/moto.sh),
// with AWS managed IAM policies loaded (batch setup attaches them) and jobs that do not need Docker:
// they succeed without running, or fail after N seconds with MOTO_SIMPLE_BATCH_FAIL_AFTER=N.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Moto } from '../servers.ts';

const script = resolve(import.meta.dirname, '../../../scripts/test-servers/moto.sh');

export async function startMotoBatch(o: { failAfterS?: number } = {}): Promise<Moto> {
  const dir = mkdtempSync(join(tmpdir(), 'mtl-moto-batch-'));
  const env = {
    ...process.env,
    MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
    ...(o.failAfterS !== undefined ? { MOTO_SIMPLE_BATCH_FAIL_AFTER: String(o.failAfterS) } : {}),
  };
  const out = execFileSync('bash', [script, 'start', dir], { encoding: 'utf8', env });
  const { endpoint } = JSON.parse(out.trim().split('\n').pop()!) as { endpoint: string };
  const r = await fetch(`${endpoint}/moto-api/config`, {
    method: 'POST',
    body: JSON.stringify({ batch: { use_docker: false } }),
  });
  if (!r.ok) throw new Error(`moto config: HTTP ${r.status}`);
  return {
    endpoint,
    stop: () => {
      execFileSync('bash', [script, 'stop', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
