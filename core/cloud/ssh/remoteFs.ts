// Small remote file-system helpers over an SSH session.
import { CloudError } from '../errors.ts';
import { sq, type SshSession } from './session.ts';

/** Free bytes on the file system holding `dir` (POSIX `df -Pk`). */
export async function freeBytes(s: SshSession, dir: string): Promise<number> {
  const out = await s.run(`df -Pk ${sq(dir)} | tail -1`, `checking free space of ${dir}`);
  const avail = Number(out.trim().split(/\s+/)[3]);
  if (!Number.isFinite(avail))
    throw new CloudError('remote-command', `cannot parse \`df\` output for ${dir}: ${out.trim()}`);
  return avail * 1024;
}

/** Refuse early, with sizes in the message, when an upload cannot fit. */
export async function ensureFreeSpace(s: SshSession, dir: string, needed: number): Promise<void> {
  const free = await freeBytes(s, dir);
  if (free < needed)
    throw new CloudError(
      'remote-disk-full',
      `remote disk full: ${(free / 1e6).toFixed(1)} MB free in ${dir} on ${s.target.host}, ${(needed / 1e6).toFixed(1)} MB needed`,
    );
}

/** Resolve `~`-relative folders to absolute ones (SFTP and `cd` then agree). */
export async function absoluteRemote(s: SshSession, dir: string): Promise<string> {
  if (dir.startsWith('/')) return dir;
  const home = (await s.run('printf %s "$HOME"', 'reading $HOME')).trim();
  return `${home}/${dir.replace(/^~\/?/, '')}`;
}
