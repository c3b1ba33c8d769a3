#!/usr/bin/env bash
# Starts the local services the tests use (DESIGN.md §8) when they are down. Under CI=true a
# service that cannot be started is an error; elsewhere a warning (its tests then skip).
set -u
fail=0
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
need() { # name port start-command…
  local name=$1 port=$2; shift 2
  up "$port" && return 0
  echo "services: $name is down on 127.0.0.1:$port; starting it"
  "$@" >/dev/null 2>&1 || true
  for _ in $(seq 1 40); do up "$port" && { echo "services: $name is up"; return 0; }; sleep 0.5; done
  echo "services: could not start $name on 127.0.0.1:$port" >&2
  fail=1
}
pgver=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n1)
need PostgreSQL 5432 pg_ctlcluster --skip-systemctl-redirect "${pgver:-15}" main start
need NATS 4222 start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server
need Mosquitto 1883 mosquitto -d -c /etc/mosquitto/mosquitto.conf
if [ "$fail" = 1 ] && [ "${CI:-}" = "true" ]; then exit 1; fi
exit 0
