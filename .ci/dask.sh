# Sourced by .ci/run after the venv exists: starts a real dask.distributed cluster on localhost (one
# `dask scheduler` and two `dask worker --nthreads 1` processes, each its own process group, working in a
# folder outside the repository), exports SPPR_TEST_DASK_SCHEDULER (its address) and
# SPPR_REQUIRE_DASK=1 for tests/test_distributed.py; the processes are stopped on exit (trap, with
# stop_postgres when .ci/postgis.sh defined it).
dask_dir=$(mktemp -d /tmp/sppr-ci-dask.XXXXXX)
dask_pids=()
stop_dask() {
  local p
  for p in "${dask_pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in "${dask_pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$p" 2>/dev/null || true
  done
  rm -rf "$dask_dir"
}
trap 'stop_dask; if declare -F stop_postgres >/dev/null; then stop_postgres; fi' EXIT
dask_exe="$PWD/.venv/bin/dask"
( cd "$dask_dir" && exec setsid "$dask_exe" scheduler --host 127.0.0.1 --port 0 --no-dashboard \
    --scheduler-file "$dask_dir/scheduler.json" >"$dask_dir/scheduler.log" 2>&1 ) &
dask_pids+=($!)
for _ in $(seq 1 120); do [ -s "$dask_dir/scheduler.json" ] && break; sleep 0.5; done
if [ ! -s "$dask_dir/scheduler.json" ]; then
  echo "error: dask scheduler did not start:"; tail -20 "$dask_dir/scheduler.log"; exit 1
fi
SPPR_TEST_DASK_SCHEDULER=$(.venv/bin/python -c 'import json, sys; print(json.load(open(sys.argv[1]))["address"])' "$dask_dir/scheduler.json")
for i in 0 1; do
  ( cd "$dask_dir" && DASK_DISTRIBUTED__WORKER__DAEMON=False exec setsid "$dask_exe" worker "$SPPR_TEST_DASK_SCHEDULER" \
      --nthreads 1 --nworkers 1 --no-dashboard --host 127.0.0.1 --name "ci-w$i" \
      --local-directory "$dask_dir/w$i" >"$dask_dir/worker$i.log" 2>&1 ) &
  dask_pids+=($!)
done
if ! .venv/bin/python - "$SPPR_TEST_DASK_SCHEDULER" <<'PY'
import sys
from distributed import Client
with Client(sys.argv[1], timeout="30s") as c:
    c.wait_for_workers(2, timeout=90)
    print(f"dask cluster at {sys.argv[1]}: {len(c.scheduler_info()['workers'])} workers")
PY
then
  echo "error: the two dask workers did not join:"; tail -20 "$dask_dir"/worker*.log; exit 1
fi
export SPPR_TEST_DASK_SCHEDULER
export SPPR_REQUIRE_DASK=1
