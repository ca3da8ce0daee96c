// Public API of core/cloud for the studio and other modules (docs/CLOUD.md lists what each does).
export { CloudError, type CloudErrorCode } from './errors.ts';
export { cloudFiles, remoteStateFile } from './paths.ts';
export { safeSegment } from './safePath.ts';
export {
  RemoteRuns,
  listTargetInfos,
  cloudInstances,
  terminateInstance,
  type CloudTargetInfo,
  type FollowerEvents,
} from './service.ts';
export {
  loadTargets,
  getTarget,
  saveTarget,
  removeTarget,
  type SshTarget,
  type SshTargetInput,
} from './ssh/target.ts';
export { trustHostKey, type TrustResult } from './ssh/trust.ts';
export { openTarget, connectWithRetry } from './ssh/connect.ts';
export type { SshSession } from './ssh/session.ts';
export { freeBytes } from './ssh/remoteFs.ts';
export { followRemoteRun, type FollowOptions, type FollowResult } from './ssh/follow.ts';
export {
  prepareRemote,
  startRemoteRun,
  remoteCheckpointStep,
  stopRemoteRun,
  remoteArchive,
  remoteDataset,
  writeRemoteS3Config,
  type DatasetSource,
  type RemoteLaunch,
  type RemoteLayout,
  type StartedRemoteRun,
} from './ssh/remoteRun.ts';
export { readRemoteState, type RemoteRunState } from './ssh/remoteState.ts';
export { installEngine, packEngine, checkEngine, localVersion } from './ssh/engine.ts';
export { loadS3Settings, saveS3Settings, makeS3Client, parseS3Uri, type S3Settings } from './s3/settings.ts';
export { setupBucket, requireBucket } from './s3/bucket.ts';
export { uploadFile, type UploadResult } from './s3/upload.ts';
export { downloadFile } from './s3/download.ts';
export { syncUp, syncDown, type SyncResult } from './s3/sync.ts';
export { presignGet } from './s3/presign.ts';
export { loadEc2Settings, saveEc2Settings, makeEc2Client, type Ec2Settings } from './ec2/settings.ts';
export {
  launchInstance,
  listInstances,
  terminateInstances,
  sweepExpired,
  waitForSsh,
  type StudioInstance,
} from './ec2/instances.ts';
export { runOnEc2, type Ec2RunOptions, type Ec2RunResult } from './ec2/ec2Run.ts';
export { hourlyPrice, costUsd, ON_DEMAND_USD_PER_HOUR } from './ec2/prices.ts';
export { parseGrid } from './queue/grid.ts';
export {
  createQueue,
  readQueue,
  listQueues,
  runQueue,
  type QueueState,
  type QueueItem,
  type QueueEntry,
} from './queue/queue.ts';
