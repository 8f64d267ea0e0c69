#!/usr/bin/env bash
# bench/peers: Cambrian, OpenEvolve and ShinkaEvolve side by side on the same
# trivial task (X=<n>, score -(X-13)^2) with the same scripted instant LLM
# (instant_llm.py). Not run in CI: the peers come from PyPI into a venv.
#
#   bench/peers/peers.sh [--evals N] [--slots "2 4"]
#                        [--only cambrian|cambrian-py|cambrian-py-cold|openevolve|shinka]
#                        [--sleep S] [--keep]
#
# Per system and slot count, three runs of N evaluations each:
#   fast  instant evaluator      -> wall_s, cand_per_s, cpu_ms (main / tree), rss_mb (main / tree)
#   slow  evaluator sleeps S s   -> util (evaluations x S / (slots x wall))
#   kill  evaluator sleeps S s, SIGKILL to the controller after N/2 evaluations
#                                -> kill9_lost: evaluations finished before the kill that
#                                   the system's persistent store does not hold
# See bench/peers/README.md for the method and the caveats.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
CAMBRIAN=${CAMBRIAN:-$SRC/build/cambrian}
VENV=${PEERS_VENV:-$HOME/.cache/cambrian/peers-venv}
OPENEVOLVE_VERSION=0.4.1
# SakanaAI's ShinkaEvolve is `shinka-evolve` on PyPI; `shinka` is an unrelated
# image-upscaling package.
SHINKA_VERSION=0.0.7
CAMBRIAN_SANDBOX=${CAMBRIAN_SANDBOX:-process}

EVALS=200
SLOTS="2 4"
ONLY="cambrian openevolve shinka"
SLEEP=0.5
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --evals) EVALS=$2; shift 2 ;;
    --slots) SLOTS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --sleep) SLEEP=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
KILL_AT=$((EVALS / 2))

WORK=$(mktemp -d /tmp/cambrian-peers.XXXXXX)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  if [ "$KEEP" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

need_peers=0
case " $ONLY " in *" openevolve "*|*" shinka "*) need_peers=1 ;; esac
if [ "$need_peers" = 1 ]; then
  if [ ! -x "$VENV/bin/python" ]; then
    echo "creating $VENV" >&2
    python3 -m venv "$VENV"
  fi
  if ! "$VENV/bin/python" -c "import importlib.metadata as m; \
assert m.version('openevolve') == '$OPENEVOLVE_VERSION' and m.version('shinka-evolve') == '$SHINKA_VERSION'" 2>/dev/null; then
    echo "installing openevolve==$OPENEVOLVE_VERSION shinka-evolve==$SHINKA_VERSION into $VENV" >&2
    "$VENV/bin/pip" install -q "openevolve==$OPENEVOLVE_VERSION" "shinka-evolve==$SHINKA_VERSION" >&2
  fi
fi

# One instant LLM server for every run.
python3 "$HERE/instant_llm.py" --port-file "$WORK/port" &
SERVER_PID=$!
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
PORT=$(cat "$WORK/port")
BASE="http://127.0.0.1:$PORT/v1"

# run_system SYSTEM SLOTS MODE DIR: one measured run; MODE is fast, slow or kill.
run_system() {
  local system=$1 slots=$2 mode=$3 dir=$4 sleep=0 kill=()
  mkdir -p "$dir"
  [ "$mode" = fast ] || sleep=$SLEEP
  [ "$mode" = kill ] && kill=(--kill-at "$KILL_AT")
  local log="$dir/evals.log" cmd=()
  : > "$log"
  case "$system" in
    cambrian)
      cp -r "$HERE/cambrian-task" "$dir/task"
      printf 'BENCH_EVAL_SLEEP=%s\nBENCH_EVAL_LOG=%s\n' "$sleep" "$log" > "$dir/task/harness/bench.env"
      # --budget counts the seed's evaluation: N evaluations in all.
      cmd=("$CAMBRIAN" run "$dir/task" --run-dir "$dir/run" --budget "$EVALS" --workers "$slots"
           --sandbox "$CAMBRIAN_SANDBOX" --seed 1
           --llm openai:fake-model --llm-base-url "$BASE" --llm-key-env ''
           --llm-share 1 --weight crossover=0 --weight knob=0) ;;
    cambrian-py|cambrian-py-cold)
      # The natural Python form: a warm judge, or (cold) a one-shot one.
      cp -r "$HERE/cambrian-py-task" "$dir/task"
      [ "$system" = cambrian-py-cold ] && sed -i '/^warm = true$/d' "$dir/task/task.toml"
      printf 'BENCH_EVAL_SLEEP=%s\nBENCH_EVAL_LOG=%s\n' "$sleep" "$log" > "$dir/task/harness/bench.env"
      cmd=("$CAMBRIAN" run "$dir/task" --run-dir "$dir/run" --budget "$EVALS" --workers "$slots"
           --sandbox "$CAMBRIAN_SANDBOX" --seed 1
           --llm openai:fake-model --llm-base-url "$BASE" --llm-key-env ''
           --llm-share 1 --weight crossover=0 --weight knob=0) ;;
    openevolve)
      sed "s/parallel_evaluations: 2 /parallel_evaluations: $slots /" "$HERE/openevolve/config.yaml" > "$dir/config.yaml"
      # OpenEvolve evaluates the initial program, then one child per iteration.
      cmd=("$VENV/bin/openevolve-run" "$HERE/openevolve/initial_program.py" "$HERE/openevolve/evaluator.py"
           --config "$dir/config.yaml" --api-base "$BASE" --primary-model fake-model
           --iterations $((EVALS - 1)) --output "$dir/out") ;;
    shinka)
      # Shinka's generation 0 is the initial program: N generations = N evaluations.
      cmd=("$VENV/bin/python" "$HERE/shinka/run_shinka.py" --task-dir "$HERE/shinka"
           --results_dir "$dir/out" --num_generations "$EVALS"
           --max-evaluation-jobs "$slots" --max-proposal-jobs "$slots" --max-db-workers 1 --no-verbose
           --set "evo.llm_models=[\"local/fake-model@$BASE\"]"
           --set 'evo.patch_types=["diff"]' --set 'evo.patch_type_probs=[1.0]'
           --set evo.embedding_model=null --set evo.meta_rec_interval=null
           --set evo.llm_dynamic_selection=null
           --set 'evo.llm_kwargs={"temperatures":[0.7],"max_tokens":512}') ;;
  esac
  (cd "$dir" && BENCH_EVAL_SLEEP=$sleep BENCH_EVAL_LOG=$log \
     python3 "$HERE/measure.py" --out "$dir/measure.json" --eval-log "$log" "${kill[@]}" \
       --timeout 1800 -- "${cmd[@]}" >"$dir/stdout" 2>"$dir/stderr") || true
  local rc
  rc=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['rc'])" "$dir/measure.json")
  if [ "$mode" != kill ] && [ "$rc" != 0 ]; then
    echo "$system slots=$slots $mode: exit $rc; last lines of $dir/stderr:" >&2
    tail -5 "$dir/stderr" >&2; tail -5 "$dir/stdout" >&2
  fi
}

echo "evals=$EVALS slots=\"$SLOTS\" slow evaluator ${SLEEP}s, kill -9 after $KILL_AT evaluations," \
     "cambrian sandbox=$CAMBRIAN_SANDBOX, $(nproc) cores" >&2
for system in $ONLY; do
  for slots in $SLOTS; do
    for mode in fast slow kill; do
      echo "  $system slots=$slots $mode ..." >&2
      run_system "$system" "$slots" "$mode" "$WORK/$system-$slots-$mode"
    done
  done
done

python3 "$HERE/report.py" --work "$WORK" --systems "$ONLY" --slots "$SLOTS" --sleep "$SLEEP"
