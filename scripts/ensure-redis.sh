#!/usr/bin/env bash
# Make sure a Redis answers on 127.0.0.1:6379 (the shared cache the throttling tests use):
# start the machine's server if it stopped, install it from Debian if there is none.
set -euo pipefail

# shellcheck disable=SC2016  # expanded by the inner bash, on purpose
ready() { timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379 && printf "PING\r\n" >&3 && read -r reply <&3 && [[ $reply == +PONG* ]]' 2>/dev/null; }

ready && exit 0
if ! command -v redis-server >/dev/null 2>&1; then
  echo "==> installing Redis from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
# Tests only: loopback, nothing kept on disk.
redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp \
  --logfile /tmp/bikeproject-redis.log
for _ in $(seq 1 20); do ready && exit 0; sleep 0.5; done
echo "Redis did not answer on 127.0.0.1:6379" >&2
exit 1
