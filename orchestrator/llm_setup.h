// Builds the LLM side of a run from its configuration: the HTTP transport,
// one retrying client per model (or replay clients answering from a recorded
// run), the call log over the run's archive, the spend meter with the caps,
// and the LLM mutator that uses them.
#ifndef CAMBRIAN_ORCHESTRATOR_LLM_SETUP_H_
#define CAMBRIAN_ORCHESTRATOR_LLM_SETUP_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "archive/archive.h"
#include "archive/sqlite_archive.h"
#include "common/clock.h"
#include "mutators/llm/circuit_breaker.h"
#include "mutators/llm/embedder.h"
#include "mutators/llm/http_transport.h"
#include "mutators/llm/llm_client.h"
#include "mutators/llm/llm_mutator.h"
#include "mutators/llm/retrying_client.h"
#include "mutators/llm/spend_meter.h"
#include "orchestrator/archive_call_log.h"
#include "orchestrator/run_config.h"

namespace cambrian::orchestrator {

// Owns everything the LLM mutator points to. Destroy after the controller.
struct LlmStack {
  SystemClock clock;
  mutators::RealSleeper sleeper;  // retry waits; Interrupt() ends them at shutdown
  std::map<std::string, std::shared_ptr<mutators::CircuitBreaker>> breakers;  // per provider
  std::unique_ptr<mutators::HttpTransport> transport;
  std::vector<std::unique_ptr<mutators::LlmClient>> clients;
  std::unique_ptr<archive::SqliteArchive> replay_source;  // --llm replay only
  std::unique_ptr<ArchiveCallLog> replay_log;
  std::unique_ptr<ArchiveCallLog> call_log;
  std::unique_ptr<mutators::SpendMeter> meter;
  std::unique_ptr<mutators::LlmMutator> mutator;
  // The novelty filter's embeddings (--llm-embeddings), when it uses them.
  std::unique_ptr<mutators::Embedder> embedder;
  // One line for the progress display: circuit breakers that are open.
  std::function<std::string()> status;
  // The requests the models' servers serve at once, where every server
  // said (llama.cpp's slots); the default --llm-concurrency.
  std::optional<int> server_slots;

  // Ends retry waits and requests in flight at once, and refuses new ones:
  // the run is stopping. Thread-safe.
  void Interrupt() {
    sleeper.Interrupt();
    if (transport) transport->Cancel();
  }
};

// Null if the config has no LLM. Errors name what is wrong: a missing key
// variable, an unreadable prompt template (unknown placeholder), a replay
// source that is not a run. `archive` must outlive the stack.
[[nodiscard]] absl::StatusOr<std::unique_ptr<LlmStack>> MakeLlmStack(const RunConfig& config,
                                                                     archive::Archive& archive);

}  // namespace cambrian::orchestrator

#endif  // CAMBRIAN_ORCHESTRATOR_LLM_SETUP_H_
