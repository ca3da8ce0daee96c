#!/usr/bin/env bash
# A throwaway OpenSSH server on 127.0.0.1 for the cloud tests (ENVIRONMENT.md, "Real servers").
#   sshd.sh start DIR [PORT]  → installs openssh-server if missing, creates the test user, writes a
#                               host key, a client key and a config into DIR, starts `sshd -D -e`
#                               and prints one JSON line: {"host","port","user","key","hostKey","remoteRoot"}
#   sshd.sh stop DIR          → kills that sshd and every session process it forked (the way a crash
#                               or a reboot of the server drops links); detached (setsid) jobs survive.
# Must run as root (it starts sshd and owns the test user); DIR is reused by a later `start`.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?DIR}
user=mtl-ssh-test
sshd_bin=/usr/sbin/sshd

descendants() { # pid → every descendant pid (children first found through /proc)
  local p=$1 c
  for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do echo "$c"; descendants "$c"; done
}

if [ "$cmd" = stop ]; then
  [ -f "$dir/sshd.pid" ] || exit 0
  pid=$(cat "$dir/sshd.pid")
  kids=$(descendants "$pid" || true)
  kill -9 "$pid" $kids 2>/dev/null || true
  rm -f "$dir/sshd.pid"
  exit 0
fi

[ "$(id -u)" = 0 ] || { echo "sshd.sh: must run as root (starts sshd, creates user $user)" >&2; exit 1; }
if [ ! -x "$sshd_bin" ]; then
  echo "sshd.sh: installing openssh-server" >&2
  (apt-get install -y -qq --no-install-recommends openssh-server || (apt-get update -qq &&
    apt-get install -y -qq --no-install-recommends openssh-server)) >&2
fi
# "*" = no password but not locked: with UsePAM no, sshd refuses locked ("!") accounts even for keys.
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash -p "*" "$user" || id "$user" >/dev/null # (a parallel start may win the race)
grep -q "^$user:!" /etc/shadow && usermod -p "*" "$user"
mkdir -p /run/sshd "$dir"
chmod 755 "$dir"
[ -f "$dir/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/host_ed25519"
[ -f "$dir/client_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/client_ed25519"
cp "$dir/client_ed25519.pub" "$dir/authorized_keys"; chmod 644 "$dir/authorized_keys"
mkdir -p "$dir/remote"; chown "$user" "$dir/remote"
port=${3:-$(cat "$dir/port" 2>/dev/null || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
echo "$port" > "$dir/port"
cat > "$dir/sshd_config" <<CFG
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile $dir/authorized_keys
AllowUsers $user
Subsystem sftp internal-sftp
LogLevel ERROR
CFG
if ! { [ -f "$dir/sshd.pid" ] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null; }; then
  setsid "$sshd_bin" -D -e -f "$dir/sshd_config" >>"$dir/sshd.log" 2>&1 < /dev/null &
  echo $! > "$dir/sshd.pid"
fi
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "sshd.sh: sshd did not start, see $dir/sshd.log" >&2; cat "$dir/sshd.log" >&2; exit 1; }
printf '{"host":"127.0.0.1","port":%s,"user":"%s","key":"%s","hostKey":"%s","remoteRoot":"%s"}\n' \
  "$port" "$user" "$dir/client_ed25519" "$dir/host_ed25519.pub" "$dir/remote"
