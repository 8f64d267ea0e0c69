# Shared by the end-to-end suites: arguments, a scratch directory, checks
# and the fake LLM server. Sourced; sets CAMBRIAN, SRC, CASE, TASKS, WORK.
#   SUITE.sh CAMBRIAN_BINARY SOURCE_DIR CASE
CAMBRIAN=$1
SRC=$2
CASE=$3
TASKS=$SRC/tests/data/tasks
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cambrian-e2e-$CASE.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1

fail() {
  echo "FAIL [$CASE]: $*" >&2
  exit 1
}
# expect_contains TEXT NEEDLE WHAT
expect_contains() {
  grep -qF -- "$2" <<<"$1" || fail "$3: expected to find '$2' in:"$'\n'"$1"
}
json() { python3 -c "import json,sys; data=json.load(sys.stdin); print($1)"; }

# start_llm_server [EXTRA ARGS]: the fake LLM server in the background; sets PORT.
start_llm_server() {
  python3 "$SRC/tests/e2e/fake_llm_server.py" --port-file port --log server.log --lifetime 240 \
    "$@" 2>server.err &
  SERVER_PID=$!
  trap 'kill $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
  for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
  PORT=$(cat port) || fail "the fake LLM server did not start"
}

# An LLM-only run config: SEARCH/REPLACE edits, no knob mutation, priced.
write_llm_config() {
  cat >llm.toml <<TOML
[mutators]
weights = { llm = 1.0, knob = 0.0 }
crossover_rate = 0.0
[llm]
diff_weight = 1.0
rewrite_weight = 0.0
concurrency = ${1:-2}
[[llm.models]]
provider = "openai"
model = "fake-model"
base_url = "http://127.0.0.1:$PORT/v1"
key_env = "CAMBRIAN_TEST_KEY"
price_input = ${2:-1.0}
price_output = ${3:-2.0}
max_tokens = ${4:-1000}
max_retries = 0
TOML
}

