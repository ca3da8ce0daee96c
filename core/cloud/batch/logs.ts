// A sweep child's container output from CloudWatch Logs (Batch's default awslogs driver writes each
// attempt to its own stream in /aws/batch/job; the newest attempt's stream is read).
import { DescribeJobsCommand } from '@aws-sdk/client-batch';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudError } from '../errors.ts';
import { makeBatchClients } from './clients.ts';
import { childJobId } from './arrayJob.ts';
import type { BatchSettings } from './settings.ts';

export async function childLogs(
  s: BatchSettings,
  handle: Record<string, unknown>,
  index: number,
  limit = 200,
): Promise<string[]> {
  const { batch, logs } = makeBatchClients(s);
  const jobId = childJobId(handle as { jobId: string; size: number }, index);
  const job = (await batch.send(new DescribeJobsCommand({ jobs: [jobId] }))).jobs?.[0];
  if (!job) throw new CloudError('not-found', `no Batch job ${jobId}`);
  const stream = job.container?.logStreamName ?? job.attempts?.at(-1)?.container?.logStreamName;
  if (!stream) return [];
  const lines: string[] = [];
  let token: string | undefined;
  for (;;) {
    const r = await logs.send(
      new GetLogEventsCommand({
        logGroupName: s.logGroup,
        logStreamName: stream,
        startFromHead: true,
        nextToken: token,
      }),
    );
    for (const e of r.events ?? []) lines.push(e.message ?? '');
    if (!r.events?.length || r.nextForwardToken === token) break;
    token = r.nextForwardToken;
  }
  return lines.slice(-limit);
}
