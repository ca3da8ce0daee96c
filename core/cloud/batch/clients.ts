// The one place AWS clients for Batch work are made (Batch, IAM, EC2 for the default VPC, CloudWatch
// Logs), all from the same settings: region, optional endpoint (moto), optional static keys.
import { BatchClient } from '@aws-sdk/client-batch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import type { BatchSettings } from './settings.ts';

const common = (s: BatchSettings) => ({
  region: s.region,
  ...(s.endpoint ? { endpoint: s.endpoint } : {}),
  ...(s.accessKeyId && s.secretAccessKey
    ? { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }
    : {}),
  maxAttempts: 4,
});

export interface BatchClients {
  batch: BatchClient;
  iam: IAMClient;
  ec2: EC2Client;
  logs: CloudWatchLogsClient;
}

export const makeBatchClients = (s: BatchSettings): BatchClients => ({
  batch: new BatchClient(common(s)),
  iam: new IAMClient(common(s)),
  ec2: new EC2Client(common(s)),
  logs: new CloudWatchLogsClient(common(s)),
});
