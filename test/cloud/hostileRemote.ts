// A hostile SSH "remote" for the cloud tests: an in-process ssh2 server on 127.0.0.1 whose SFTP side
// serves a made-up tree (file names a real file system cannot hold, like `../../escape`) and whose
// exec side answers with what the test says. It stands for a compromised or malicious target: what
// the studio does with such answers must stay inside its own folders.
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

export interface HostileEntry {
  name: string;
  /** File content; absent = a folder. */
  data?: string | Buffer;
}

export interface HostileRemote {
  host: string;
  port: number;
  /** Client private key file (any key is accepted). */
  key: string;
  /** folder path → its entries, as READDIR reports them (names are not checked). */
  tree: Map<string, HostileEntry[] | (() => HostileEntry[])>;
  /** Answer to an exec request; default exit 0, no output. */
  exec: (command: string) => { stdout?: string; code?: number };
  commands: string[];
  close(): Promise<void>;
}

const FILE = 0o100644;
const DIR = 0o040755;

export async function startHostileRemote(): Promise<HostileRemote> {
  const dir = mkdtempSync(join(tmpdir(), 'mtl-hostile-'));
  const hostKey = utils.generateKeyPairSync('ed25519');
  const client = utils.generateKeyPairSync('ed25519');
  const key = join(dir, 'client_ed25519');
  writeFileSync(key, client.private, { mode: 0o600 });
  const tree: HostileRemote['tree'] = new Map();
  const entries = (path: string): HostileEntry[] | null => {
    const e = tree.get(path);
    return e ? (typeof e === 'function' ? e() : e) : null;
  };
  /** The entry `path` names: a folder key of the tree, or `<folder>/<name>` of one of its entries. */
  const lookup = (path: string): HostileEntry | null => {
    if (tree.has(path)) return { name: path };
    for (const [folder] of tree)
      for (const e of entries(folder) ?? []) if (`${folder}/${e.name}` === path) return e;
    return null;
  };
  const attrs = (e: HostileEntry) => ({
    mode: e.data === undefined ? DIR : FILE,
    uid: 0,
    gid: 0,
    size: e.data === undefined ? 4096 : Buffer.from(e.data).length,
    atime: 1_700_000_000,
    mtime: 1_700_000_000,
  });
  const remote: HostileRemote = {
    host: '127.0.0.1',
    port: 0,
    key,
    tree,
    exec: () => ({}),
    commands: [],
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = new Server({ hostKeys: [hostKey.private] }, (conn) => {
    conn.on('authentication', (ctx) => ctx.accept());
    conn.on('error', () => {});
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (accept, _reject, info) => {
          const ch = accept();
          remote.commands.push(info.command);
          const r = remote.exec(info.command);
          if (r.stdout) ch.write(r.stdout);
          ch.exit(r.code ?? 0);
          ch.end();
        });
        session.on('sftp', (accept) => {
          const sftp = accept();
          const handles = new Map<number, { path: string; listed?: boolean }>();
          let next = 1;
          const open = (path: string) => {
            const h = next++;
            handles.set(h, { path });
            const b = Buffer.alloc(4);
            b.writeUInt32BE(h);
            return b;
          };
          const get = (b: Buffer) => handles.get(b.readUInt32BE(0));
          sftp.on('REALPATH', (id, path) =>
            sftp.name(id, [{ filename: path, longname: path, attrs: attrs({ name: path }) }]),
          );
          const stat = (id: number, path: string) => {
            const e = lookup(path);
            if (!e) sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
            else sftp.attrs(id, attrs(e));
          };
          sftp.on('STAT', stat);
          sftp.on('LSTAT', stat);
          sftp.on('OPENDIR', (id, path) => {
            if (!entries(path)) sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
            else sftp.handle(id, open(path));
          });
          sftp.on('READDIR', (id, h) => {
            const o = get(h);
            if (!o) return sftp.status(id, STATUS_CODE.FAILURE);
            if (o.listed) return sftp.status(id, STATUS_CODE.EOF);
            o.listed = true;
            sftp.name(
              id,
              (entries(o.path) ?? []).map((e) => ({ filename: e.name, longname: e.name, attrs: attrs(e) })),
            );
          });
          sftp.on('OPEN', (id, path) => {
            const e = lookup(path);
            if (!e || e.data === undefined) sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
            else sftp.handle(id, open(path));
          });
          sftp.on('FSTAT', (id, h) => {
            const e = lookup(get(h)?.path ?? '');
            if (!e) sftp.status(id, STATUS_CODE.FAILURE);
            else sftp.attrs(id, attrs(e));
          });
          sftp.on('READ', (id, h, offset, len) => {
            const data = Buffer.from(lookup(get(h)?.path ?? '')?.data ?? '');
            if (offset >= data.length) sftp.status(id, STATUS_CODE.EOF);
            else sftp.data(id, data.subarray(offset, offset + len));
          });
          sftp.on('CLOSE', (id, h) => {
            handles.delete(h.readUInt32BE(0));
            sftp.status(id, STATUS_CODE.OK);
          });
        });
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  remote.port = (server.address() as AddressInfo).port;
  return remote;
}

/** Target settings reaching the hostile remote. */
export const hostileTarget = (r: HostileRemote, extra: Record<string, unknown> = {}) => ({
  name: 'hostile',
  host: r.host,
  port: r.port,
  user: 'anyone',
  keyFile: r.key,
  remoteRoot: '/r',
  enginePath: '/r/engine',
  readyTimeoutMs: 5000,
  ...extra,
});
