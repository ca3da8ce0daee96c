// The first-boot script of a studio instance: a safety power-off at the deadline (the instance is
// launched with shutdown behaviour = terminate), its SSH host keys printed to the console (where the
// studio reads them to verify the first connection), Node 20, and the engine, fetched from a presigned
// S3 link of the `npm pack` tarball and installed into the same versioned folder the SSH installer
// uses, so `prepareRemote` finds it ready.
import { HOST_KEY_MARKER } from './hostKeys.ts';

export interface BootstrapOptions {
  /** Login user that will run the engine. */
  user: string;
  /** Remote root folder relative to that user's home. */
  remoteRoot: string;
  /** Minutes until the instance powers itself off. */
  shutdownAfterMin: number;
  /** Presigned GET URLs of the engine tarball and lockfile, and the engine folder name. */
  engine?: { tarballUrl: string; lockUrl: string; folder: string; sha256: string; version: string };
  nodeMajor?: number;
}

export function bootstrapScript(o: BootstrapOptions): string {
  const node = o.nodeMajor ?? 20;
  const home = `/home/${o.user}`;
  const root = `${home}/${o.remoteRoot}`;
  const lines = [
    '#!/bin/bash',
    '# mtl-studio bootstrap (cloud-init user data)',
    'set -euxo pipefail',
    `shutdown -h +${Math.max(1, Math.round(o.shutdownAfterMin))} "mtl-studio safety timeout"`,
    // The studio verifies the first SSH connection against these lines (GetConsoleOutput).
    'for k in /etc/ssh/ssh_host_*_key.pub; do',
    `  [ -f "$k" ] && echo "${HOST_KEY_MARKER} $(cut -d' ' -f1,2 "$k")" | tee /dev/console || true`,
    'done',
    'export DEBIAN_FRONTEND=noninteractive',
    `if ! node --version 2>/dev/null | grep -q '^v${node}\\.'; then`,
    '  if command -v apt-get >/dev/null; then',
    '    apt-get update -q && apt-get install -y -q ca-certificates curl gnupg tar',
    `    curl -fsSL https://deb.nodesource.com/setup_${node}.x | bash - && apt-get install -y -q nodejs`,
    '  else',
    `    curl -fsSL https://rpm.nodesource.com/setup_${node}.x | bash - && (dnf install -y nodejs || yum install -y nodejs)`,
    '  fi',
    'fi',
    `mkdir -p ${root}/engine ${root}/ws/runs ${root}/tmp`,
  ];
  if (o.engine) {
    const dir = `${root}/engine/${o.engine.folder}`;
    lines.push(
      `if [ ! -f ${dir}/.mtl-engine.json ]; then`,
      `  curl -fsSL -o ${root}/tmp/engine.tgz '${o.engine.tarballUrl}'`,
      `  echo '${o.engine.sha256}  ${root}/tmp/engine.tgz' | sha256sum -c -`,
      `  mkdir -p ${dir}.part && tar xzf ${root}/tmp/engine.tgz -C ${dir}.part --strip-components=1`,
      `  curl -fsSL -o ${dir}.part/package-lock.json '${o.engine.lockUrl}'`,
      `  (cd ${dir}.part && npm ci --omit=dev --no-audit --no-fund)`,
      `  mv ${dir}.part ${dir}`,
      `  printf '%s' '${JSON.stringify({ version: o.engine.version, sha256: o.engine.sha256 })}' > ${dir}/.mtl-engine.json`,
      'fi',
    );
  }
  lines.push(`chown -R ${o.user}: ${root}`, 'touch /var/run/mtl-studio-ready');
  return `${lines.join('\n')}\n`;
}
