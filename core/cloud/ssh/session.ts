// One SSH connection to a target: host-key check first, then exec and SFTP helpers. Every failure
// becomes a CloudError with a one-line reason (unreachable, timeout, refused key, wrong credentials,
// remote disk full) so callers can show it and decide whether reconnecting makes sense.
import { readFileSync } from 'node:fs';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import { CloudError, errorMessage } from '../errors.ts';
import { checkHostKey, fingerprint, hostPattern } from './knownHosts.ts';
import type { SshTarget } from './target.ts';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface OpenOptions {
  /** known_hosts file to verify against. */
  knownHosts: string;
  /** Accept any host key and report it through `onHostKey` (only `remote trust` does this). */
  acceptAnyHostKey?: boolean;
  onHostKey?: (key: Buffer) => void;
}

/** Single-quote a string for a POSIX shell. */
export const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class SshSession {
  private sftpP: Promise<SFTPWrapper> | null = null;
  private closed = false;
  private readonly closeHandlers: Array<(err?: Error) => void> = [];

  private constructor(
    readonly target: SshTarget,
    private readonly client: Client,
  ) {
    client.on('close', () => this.markClosed());
    client.on('error', (e) => this.markClosed(e));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  static open(target: SshTarget, opts: OpenOptions): Promise<SshSession> {
    const where = `${target.user}@${target.host}:${target.port}`;
    let privateKey: Buffer;
    try {
      privateKey = readFileSync(target.keyFile);
    } catch (e) {
      return Promise.reject(
        new CloudError('bad-config', `cannot read SSH key file ${target.keyFile}: ${errorMessage(e)}`),
      );
    }
    return new Promise((resolve, reject) => {
      const client = new Client();
      let hostKeyError: CloudError | null = null;
      let settled = false;
      const fail = (e: CloudError) => {
        if (settled) return;
        settled = true;
        client.end();
        reject(e);
      };
      client.once('ready', () => {
        settled = true;
        resolve(new SshSession(target, client));
      });
      client.once('error', (e: Error & { level?: string; code?: string }) => {
        if (hostKeyError) return fail(hostKeyError);
        if (e.level === 'client-authentication')
          return fail(
            new CloudError(
              'auth-failed',
              `authentication failed for ${where}: key ${target.keyFile} was refused`,
            ),
          );
        if (e.level === 'client-timeout' || /Timed out while waiting for handshake/.test(e.message))
          return fail(
            new CloudError('timeout', `no SSH answer from ${where} within ${target.readyTimeoutMs / 1000} s`),
          );
        if (e.code === 'ECONNREFUSED')
          return fail(
            new CloudError(
              'unreachable',
              `cannot reach ${where}: connection refused (is sshd running, is the port right?)`,
            ),
          );
        if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN')
          return fail(
            new CloudError('unreachable', `cannot reach ${where}: unknown host name ${target.host}`),
          );
        if (
          e.code === 'EHOSTUNREACH' ||
          e.code === 'ENETUNREACH' ||
          e.code === 'ETIMEDOUT' ||
          e.code === 'ECONNRESET'
        )
          return fail(new CloudError('unreachable', `cannot reach ${where}: ${e.code}`));
        if (/privateKey|Cannot parse privateKey|Encrypted private key/i.test(e.message))
          return fail(new CloudError('bad-config', `SSH key file ${target.keyFile}: ${e.message}`));
        fail(new CloudError('unreachable', `SSH connection to ${where} failed: ${e.message}`, { cause: e }));
      });
      try {
        client.connect({
          host: target.host,
          port: target.port,
          username: target.user,
          privateKey,
          readyTimeout: target.readyTimeoutMs,
          keepaliveInterval: target.keepaliveIntervalMs,
          keepaliveCountMax: target.keepaliveCountMax,
          hostVerifier: (key: Buffer) => {
            opts.onHostKey?.(key);
            if (opts.acceptAnyHostKey) return true;
            const check = checkHostKey(opts.knownHosts, target.host, target.port, key);
            if (check.status === 'trusted') return true;
            const fp = fingerprint(key);
            hostKeyError =
              check.status === 'unknown'
                ? new CloudError(
                    'host-key-unknown',
                    `host key of ${hostPattern(target.host, target.port)} (${fp}) is not in ${opts.knownHosts}; ` +
                      `check the fingerprint, then run \`mtl-studio remote trust ${target.name}\``,
                  )
                : new CloudError(
                    'host-key-changed',
                    `HOST KEY CHANGED for ${hostPattern(target.host, target.port)}: it now presents ${fp}, which differs ` +
                      `from ${opts.knownHosts} line ${check.line}; refusing to connect (possible man-in-the-middle). ` +
                      `If the server was reinstalled, remove that line and trust the new key.`,
                  );
            return false;
          },
        });
      } catch (e) {
        fail(new CloudError('bad-config', `SSH settings of ${target.name}: ${errorMessage(e)}`));
      }
    });
  }

  onClose(fn: (err?: Error) => void): void {
    if (this.closed) fn();
    else this.closeHandlers.push(fn);
  }

  private markClosed(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const fn of this.closeHandlers.splice(0)) fn(err);
  }

  close(): void {
    this.client.end();
    this.markClosed();
  }

  /** Run a command through the login shell; resolves with its exit code and output. */
  exec(command: string, opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      if (this.closed)
        return reject(new CloudError('unreachable', `SSH link to ${this.target.host} is closed`));
      this.client.exec(command, (err: Error | undefined, ch: ClientChannel) => {
        if (err)
          return reject(new CloudError('unreachable', `exec on ${this.target.host} failed: ${err.message}`));
        let stdout = '';
        let stderr = '';
        let timer: NodeJS.Timeout | undefined;
        if (opts.timeoutMs)
          timer = setTimeout(() => {
            ch.close();
            reject(
              new CloudError('timeout', `remote command timed out after ${opts.timeoutMs} ms: ${command}`),
            );
          }, opts.timeoutMs);
        ch.on('data', (d: Buffer) => (stdout += d.toString()));
        ch.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        ch.on('close', (code: number | null) => {
          clearTimeout(timer);
          if (code === null && this.closed)
            reject(
              new CloudError('unreachable', `SSH link to ${this.target.host} dropped during: ${command}`),
            );
          else resolve({ code: code ?? -1, stdout, stderr });
        });
      });
    });
  }

  /** Run a command that must succeed; a non-zero exit becomes an error quoting stderr's last line. */
  async run(command: string, what: string, opts: { timeoutMs?: number } = {}): Promise<string> {
    const r = await this.exec(command, opts);
    if (r.code !== 0) {
      const last = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-1)[0] ?? '';
      const code = /No space left on device|Disk quota exceeded/i.test(r.stderr)
        ? 'remote-disk-full'
        : 'remote-command';
      throw new CloudError(code, `${what} failed on ${this.target.host} (exit ${r.code}): ${last}`);
    }
    return r.stdout;
  }

  sftp(): Promise<SFTPWrapper> {
    this.sftpP ??= this.untilClosed((resolve, reject) =>
      this.client.sftp((err, s) =>
        err
          ? reject(new CloudError('unreachable', `SFTP on ${this.target.host}: ${err.message}`))
          : resolve(s),
      ),
    );
    return this.sftpP;
  }

  /** Upload with SFTP fastPut. A failed write (full disk, quota, permissions) is reported with the path. */
  async putFile(
    local: string,
    remote: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<void> {
    const s = await this.sftp();
    await this.untilClosed<void>((resolve, reject) =>
      s.fastPut(local, remote, { step: (done, _n, total) => onProgress?.(done, total) }, (err) =>
        err ? reject(this.writeError(err, remote)) : resolve(),
      ),
    );
  }

  async getFile(remote: string, local: string): Promise<void> {
    const s = await this.sftp();
    await this.untilClosed<void>((resolve, reject) =>
      s.fastGet(remote, local, (err) =>
        err ? reject(this.sftpError(err, `download of ${remote}`)) : resolve(),
      ),
    );
  }

  /** Write a small file (config, env) in one go with the given mode — set again afterwards, since
   * SFTP applies the mode only when it creates the file (an older 0644 one would stay readable). */
  async writeFile(remote: string, data: string | Buffer, mode = 0o644): Promise<void> {
    const s = await this.sftp();
    await this.untilClosed<void>((resolve, reject) =>
      s.writeFile(remote, data, { mode }, (err) => (err ? reject(this.writeError(err, remote)) : resolve())),
    );
    await this.untilClosed<void>((resolve, reject) =>
      s.chmod(remote, mode, (err) => (err ? reject(this.writeError(err, remote)) : resolve())),
    );
  }

  /** Size and mtime (seconds) of a remote file, or null when it does not exist. */
  async stat(remote: string): Promise<{ size: number; mtime: number; isDir: boolean } | null> {
    const s = await this.sftp();
    return this.untilClosed((resolve, reject) =>
      s.stat(remote, (err, st) => {
        if (err)
          return (err as { code?: number }).code === 2
            ? resolve(null)
            : reject(this.sftpError(err, `stat ${remote}`));
        resolve({ size: st.size, mtime: st.mtime, isDir: st.isDirectory() });
      }),
    );
  }

  /** Bytes [offset, offset + max) of a remote file (fewer at its end). */
  async readRange(remote: string, offset: number, max: number): Promise<Buffer> {
    const s = await this.sftp();
    const handle = await this.untilClosed<Buffer>((resolve, reject) =>
      s.open(remote, 'r', (err, h) => (err ? reject(this.sftpError(err, `open ${remote}`)) : resolve(h))),
    );
    try {
      const out: Buffer[] = [];
      let pos = offset;
      let left = max;
      while (left > 0) {
        const chunk = Buffer.alloc(Math.min(left, 32 * 1024));
        const n = await this.untilClosed<number>((resolve, reject) =>
          s.read(handle, chunk, 0, chunk.length, pos, (err, bytes) => {
            // ssh2 reports end of file as an error with code 1 (SSH_FX_EOF).
            if (err)
              return (err as { code?: number }).code === 1
                ? resolve(0)
                : reject(this.sftpError(err, `read ${remote}`));
            resolve(bytes);
          }),
        );
        if (n === 0) break;
        out.push(chunk.subarray(0, n));
        pos += n;
        left -= n;
      }
      return Buffer.concat(out);
    } finally {
      s.close(handle, () => {});
    }
  }

  /** Entries of a remote folder (names, sizes, mtimes), [] when it does not exist. */
  async list(
    remote: string,
  ): Promise<Array<{ name: string; size: number; mtime: number; isDir: boolean; isFile: boolean }>> {
    const s = await this.sftp();
    return this.untilClosed((resolve, reject) =>
      s.readdir(remote, (err, list) => {
        if (err)
          return (err as { code?: number }).code === 2
            ? resolve([])
            : reject(this.sftpError(err, `list ${remote}`));
        resolve(
          list.map((e) => ({
            name: e.filename,
            size: e.attrs.size,
            mtime: e.attrs.mtime,
            isDir: e.attrs.isDirectory(),
            isFile: e.attrs.isFile(),
          })),
        );
      }),
    );
  }

  /** A promise over an ssh2 callback that also ends when the link does: ssh2 leaves some callbacks
   * uncalled when the connection drops mid-call (1.17's fastGet/fastPut, when the remote file is
   * open but the local one not yet: fastXfer's onerror waits for closes it never starts), which
   * hung a follower forever after a keepalive timeout under load. */
  private untilClosed<T>(
    executor: (resolve: (v: T) => void, reject: (e: unknown) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onClose = () =>
        reject(new CloudError('unreachable', `SFTP on ${this.target.host}: link lost during the call`));
      if (this.closed) return onClose();
      this.closeHandlers.push(onClose);
      const done = () => {
        const i = this.closeHandlers.indexOf(onClose);
        if (i >= 0) this.closeHandlers.splice(i, 1);
      };
      executor(
        (v) => {
          done();
          resolve(v);
        },
        (e) => {
          done();
          reject(e);
        },
      );
    });
  }

  /** An SFTP failure: a dropped link (no response, closed channel) is `unreachable`, so reconnect
   * loops retry it; anything else is a remote-side error. */
  private sftpError(err: Error, what: string): CloudError {
    if (this.closed || /No response from server|Not connected|channel|ECONNRESET|EPIPE/i.test(err.message))
      return new CloudError('unreachable', `${what} on ${this.target.host}: link lost (${err.message})`);
    return new CloudError('remote-command', `${what} on ${this.target.host}: ${err.message}`);
  }

  private writeError(err: Error, remote: string): CloudError {
    // OpenSSH's sftp-server maps ENOSPC and EDQUOT to the generic SSH_FX_FAILURE ("Failure").
    const code = (err as { code?: number }).code;
    if (code === 4 || /space|quota/i.test(err.message))
      return new CloudError(
        'remote-disk-full',
        `writing ${remote} on ${this.target.host} failed (${err.message}): remote disk full or over quota?`,
      );
    return new CloudError('remote-write', `writing ${remote} on ${this.target.host} failed: ${err.message}`);
  }
}
