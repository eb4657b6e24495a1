#!/usr/bin/env bash
# Installs what npm cannot: ffmpeg (the transcoder); for `setup.sh test` also Chromium (browser
# playback tests) and ClickHouse (analytics store); for `setup.sh bench` also wrk and ClickHouse.
# As root it installs them with apt-get; otherwise it names the command to run.
set -euo pipefail
need=()
command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1 || need+=(ffmpeg)
case "${1:-}" in
  test)
    command -v chromium >/dev/null 2>&1 || need+=(chromium)
    command -v clickhouse-server >/dev/null 2>&1 || need+=(clickhouse-server clickhouse-client)
    ;;
  bench)
    command -v wrk >/dev/null 2>&1 || need+=(wrk)
    command -v clickhouse-server >/dev/null 2>&1 || need+=(clickhouse-server clickhouse-client)
    ;;
esac
if [ "${#need[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing ${need[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "setup: missing ${need[*]}; install it with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
