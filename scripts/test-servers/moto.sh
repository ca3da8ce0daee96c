#!/usr/bin/env bash
# A moto server (S3 + EC2 API emulation) on 127.0.0.1 for the cloud tests.
#   moto.sh start DIR  → prints {"endpoint":"http://127.0.0.1:PORT"} once the server answers
#   moto.sh stop DIR   → stops it
# moto 5.2.1 lives in the machine image's pyenv Python 3.11 (Debian's python3 has none); a clean
# machine without it gets it from pip.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?DIR}
if [ "$cmd" = stop ]; then
  [ -f "$dir/moto.pid" ] && kill "$(cat "$dir/moto.pid")" 2>/dev/null || true
  rm -f "$dir/moto.pid"; exit 0
fi
mkdir -p "$dir"
py=""
for c in "$(pyenv which python 2>/dev/null || true)" "$HOME"/.pyenv/versions/3.11*/bin/python "$HOME"/.pyenv/versions/*/bin/python python3; do
  [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && "$c" -c 'import moto.server' 2>/dev/null && { py=$c; break; }
done
if [ -z "$py" ]; then
  echo "moto.sh: installing moto[server] with pip" >&2
  python3 -m pip install -q 'moto[server]==5.2.1' >&2 || python3 -m pip install -q --break-system-packages 'moto[server]==5.2.1' >&2
  py=python3
fi
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
setsid "$py" -m moto.server -H 127.0.0.1 -p "$port" >"$dir/moto.log" 2>&1 < /dev/null &
echo $! > "$dir/moto.pid"
for _ in $(seq 1 200); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "moto.sh: moto did not start, see $dir/moto.log" >&2; cat "$dir/moto.log" >&2; exit 1; }
printf '{"endpoint":"http://127.0.0.1:%s"}\n' "$port"
