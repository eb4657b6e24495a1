#!/usr/bin/env bash
# Type-checks every TypeScript project: each Worker against workers-types and its generated Env
# (stale generated Env types fail first), Node code against node types. Arguments narrow it to
# those projects (`scripts/typecheck.sh workers/gateway workers/services/notes`).
set -u
cd "$(dirname "$0")/.."
status=0
node_modules/.bin/node scripts/env-types.ts --check || status=1
projects=("$@")
[ "${#projects[@]}" -eq 0 ] && projects=(tsconfig.node.json queues bench/workers workers/gateway workers/services/*/)
for p in "${projects[@]}"; do
  [ -e "$p" ] || continue
  [ -d "$p" ] && [ ! -f "$p/tsconfig.json" ] && continue
  node_modules/.bin/tsc -p "$p" --noEmit || { echo "typecheck failed: $p" >&2; status=1; }
done
exit $status
