// `<run>/remote.json`: how a local mirror of a remote run finds its remote side, and how far it got.
// The byte offset into the remote events.jsonl always equals the size of the local copy (we append
// only whole lines, byte for byte), so a crash between append and save never loses or repeats an event.
import { existsSync, readFileSync } from 'node:fs';
import { writeJsonAtomic } from '../../runs/atomic.ts';
import { remoteStateFile } from '../paths.ts';

export interface RemoteRunState {
  version: 1;
  /** SSH target name (a saved target; EC2 instances get one named after the instance). */
  target: string;
  host: string;
  /** Absolute remote paths. */
  remoteWorkspace: string;
  remoteRunDir: string;
  enginePath: string;
  runId: string;
  /** Remote trainer pid (also its process group: it was started with setsid). */
  pid: number | null;
  /** The launch's stdout/stderr file on the remote: its last line says why a trainer that ended
   * without a final status stopped (a run it could not start). */
  launchLog?: string;
  /** Bytes of the remote events.jsonl mirrored so far (= local events.jsonl size). */
  eventsOffset: number;
  /** Mirrored files (relative path → size, mtime in s) so only new/changed ones are fetched. */
  files: Record<string, { size: number; mtime: number }>;
  /** `streaming` while followed, `done` once the remote trainer ended and all was mirrored. */
  phase: 'launching' | 'streaming' | 'reconnecting' | 'done' | 'lost';
  message?: string;
  lastContact?: number;
  /** EC2: the instance it runs on, and the S3 prefix its checkpoints are pushed to. */
  instanceId?: string;
  s3Prefix?: string;
  /** Remote pid of the S3 pusher (`mtl-studio s3 push-run`) running beside the trainer. */
  pusherPid?: number;
  /** Accumulated cost estimate (USD) from the instance's hourly price, when known. */
  cost?: { hourlyUsd: number; seconds: number; usd: number };
  /** Set when a scheduler runs it (a Slurm array task): that sweep's follower mirrors it, not a
   * per-run follower (there is no pid to watch from the login node). */
  scheduler?: { kind: 'slurm'; sweepId: string; index: number; jobId?: string };
}

export function readRemoteState(runDir: string): RemoteRunState | null {
  const f = remoteStateFile(runDir);
  if (!existsSync(f)) return null;
  return JSON.parse(readFileSync(f, 'utf8')) as RemoteRunState;
}

export const writeRemoteState = (runDir: string, s: RemoteRunState): void =>
  writeJsonAtomic(remoteStateFile(runDir), s);
