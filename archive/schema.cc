#include "archive/schema.h"

#include <array>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace cambrian::archive::internal {
namespace {

// kMigrations[i] takes a database from version i to version i + 1. Append
// only: a released migration is never edited, and every schema change is a
// new entry (and a new section in archive/README.md).
constexpr std::array<std::string_view, 4> kMigrations = {
    // Version 1: the initial schema.
    R"sql(
CREATE TABLE runs (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  task_name    TEXT NOT NULL,
  task_dir     TEXT NOT NULL,
  trusted_hash TEXT NOT NULL,
  goal         TEXT NOT NULL CHECK (goal IN ('maximize', 'minimize')),
  seed         INTEGER NOT NULL,
  config_json  TEXT NOT NULL,
  created_at   REAL NOT NULL
);
CREATE TABLE blobs (
  hash     TEXT PRIMARY KEY,
  raw_size INTEGER NOT NULL,
  data     BLOB NOT NULL
);
CREATE TABLE programs (
  hash     TEXT PRIMARY KEY,
  manifest TEXT NOT NULL
);
CREATE TABLE candidates (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  parent_id        INTEGER REFERENCES candidates(id),
  second_parent_id INTEGER REFERENCES candidates(id),
  program_hash     TEXT NOT NULL UNIQUE REFERENCES programs(hash),
  mutator          TEXT NOT NULL,
  description      TEXT NOT NULL,
  island           INTEGER NOT NULL,
  status           TEXT NOT NULL
                   CHECK (status IN ('pending', 'running', 'done', 'interrupted')),
  outcome          TEXT,
  metrics          TEXT NOT NULL DEFAULT '{}',
  fitness          REAL,
  feedback         TEXT NOT NULL DEFAULT '',
  created_at       REAL NOT NULL,
  finished_at      REAL
);
CREATE INDEX candidates_by_fitness ON candidates(fitness);
CREATE INDEX candidates_by_parent ON candidates(parent_id);
CREATE TABLE evaluations (
  candidate_id   INTEGER NOT NULL REFERENCES candidates(id),
  stage_index    INTEGER NOT NULL,
  stage          TEXT NOT NULL,
  outcome        TEXT NOT NULL,
  exit_code      INTEGER NOT NULL,
  term_signal    INTEGER NOT NULL,
  wall_s         REAL NOT NULL,
  cpu_s          REAL NOT NULL,
  peak_rss_bytes INTEGER NOT NULL,
  output_tail    TEXT NOT NULL,
  detail         TEXT NOT NULL,
  seed           INTEGER NOT NULL,
  PRIMARY KEY (candidate_id, stage_index)
);
CREATE TABLE events (
  id   INTEGER PRIMARY KEY AUTOINCREMENT,
  time REAL NOT NULL,
  kind TEXT NOT NULL,
  data TEXT NOT NULL DEFAULT '{}'
);
)sql",
    // Version 2: LLM calls, and the link from a candidate to the call that
    // made it. Prompt and response texts live in `blobs` (zstd, verified by
    // hash), which also shares the text of repeated prompts and cached replies.
    R"sql(
CREATE TABLE llm_calls (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  time          REAL NOT NULL,
  provider      TEXT NOT NULL,
  model         TEXT NOT NULL,
  prompt_hash   TEXT NOT NULL,
  prompt_blob   TEXT NOT NULL REFERENCES blobs(hash),
  response_blob TEXT NOT NULL REFERENCES blobs(hash),
  input_tokens  INTEGER NOT NULL CHECK (input_tokens >= 0),
  output_tokens INTEGER NOT NULL CHECK (output_tokens >= 0),
  cost_usd      REAL NOT NULL CHECK (cost_usd >= 0),
  latency_s     REAL NOT NULL CHECK (latency_s >= 0),
  attempts      INTEGER NOT NULL CHECK (attempts >= 0),
  outcome       TEXT NOT NULL,
  error         TEXT NOT NULL DEFAULT '',
  parent_id     INTEGER REFERENCES candidates(id)
);
CREATE INDEX llm_calls_by_prompt ON llm_calls(model, prompt_hash);
ALTER TABLE candidates ADD COLUMN llm_call_id INTEGER REFERENCES llm_calls(id);
)sql",
    // Version 3: the search's own state (islands, counters, elapsed time) as
    // one JSON object, written in the same transaction as the result that
    // changed it, so a resumed run continues exactly where it stopped.
    R"sql(
CREATE TABLE run_state (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  state      TEXT NOT NULL,
  updated_at REAL NOT NULL
);
)sql",
    // Version 4: a multi-objective task's objectives per candidate, a JSON
    // object like the metrics ('{}' for a single fitness).
    R"sql(
ALTER TABLE candidates ADD COLUMN objectives TEXT NOT NULL DEFAULT '{}';
)sql",
};

absl::StatusOr<int> ReadVersion(Db& db) {
  CAMBRIAN_ASSIGN_OR_RETURN(Statement statement, db.Prepare("PRAGMA user_version"));
  CAMBRIAN_ASSIGN_OR_RETURN(const bool row, statement.Step());
  if (!row) return absl::InternalError("PRAGMA user_version returned no row");
  return static_cast<int>(statement.Int64(0));
}

absl::Status CheckNotNewer(const Db& db, int version) {
  if (version > LatestSchemaVersion()) {
    return absl::FailedPreconditionError(
        absl::StrCat("archive ", db.path().string(), " has schema version ", version,
                     " but this cambrian supports up to version ", LatestSchemaVersion(),
                     "; use a newer cambrian"));
  }
  return absl::OkStatus();
}

// A version-0 file with tables is some other program's database: adding ours
// to it would be wrong, whatever it holds.
absl::Status CheckEmpty(Db& db) {
  CAMBRIAN_ASSIGN_OR_RETURN(Statement statement, db.Prepare("SELECT count(*) FROM sqlite_schema"));
  CAMBRIAN_ASSIGN_OR_RETURN(const bool row, statement.Step());
  if (row && statement.Int64(0) > 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(db.path().string(),
                     " is an SQLite database but not a cambrian archive (no schema version)"));
  }
  return absl::OkStatus();
}

absl::Status Migrate(Db& db) {
  // The version is read inside the write transaction so that two processes
  // opening a fresh file cannot both apply migration 1.
  CAMBRIAN_ASSIGN_OR_RETURN(const int version, ReadVersion(db));
  CAMBRIAN_RETURN_IF_ERROR(CheckNotNewer(db, version));
  if (version == 0) CAMBRIAN_RETURN_IF_ERROR(CheckEmpty(db));
  for (int next = version; next < LatestSchemaVersion(); ++next) {
    CAMBRIAN_RETURN_IF_ERROR(Annotate(db.Exec(MigrationSql(next + 1)),
                                      absl::StrCat("migrating to schema version ", next + 1)));
  }
  if (version == LatestSchemaVersion()) return absl::OkStatus();
  // PRAGMA takes no bound parameters; the value is our own integer.
  return db.Exec(absl::StrCat("PRAGMA user_version = ", LatestSchemaVersion()));
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

std::string_view MigrationSql(int to_version) {
  if (to_version < 1 || to_version > LatestSchemaVersion()) return {};
  return kMigrations[static_cast<size_t>(to_version - 1)];
}

absl::Status PrepareSchema(Db& db, bool read_only) {
  if (!read_only) return db.Transaction(/*write=*/true, [&] { return Migrate(db); });
  CAMBRIAN_ASSIGN_OR_RETURN(const int version, ReadVersion(db));
  CAMBRIAN_RETURN_IF_ERROR(CheckNotNewer(db, version));
  if (version == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(db.path().string(), " is not a cambrian archive (no schema version)"));
  }
  if (version < LatestSchemaVersion()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "archive ", db.path().string(), " has schema version ", version, ", older than version ",
        LatestSchemaVersion(), "; open it read-write (e.g. resume the run) to migrate it"));
  }
  return absl::OkStatus();
}

}  // namespace cambrian::archive::internal
