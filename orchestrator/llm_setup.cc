#include "orchestrator/llm_setup.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "mutators/llm/curl_transport.h"
#include "mutators/llm/http_llm_client.h"
#include "mutators/llm/prompt_template.h"
#include "mutators/llm/replay_client.h"
#include "mutators/llm/server_probe.h"
#include "orchestrator/run_dir.h"
#include "orchestrator/task_locator.h"

namespace cambrian::orchestrator {
namespace {

// The models a recorded run used, from its stored configuration: replayed
// prompts must name the same models to find their answers.
absl::StatusOr<std::vector<mutators::ModelConfig>> RecordedModels(archive::Archive& source,
                                                                  const std::string& where) {
  CAMBRIAN_ASSIGN_OR_RETURN(archive::RunInfo info, source.GetRunInfo());
  absl::StatusOr<RunConfig> recorded = RunConfigFromJson(info.config_json);
  if (!recorded.ok()) return Annotate(recorded.status(), where);
  std::vector<mutators::ModelConfig> models = recorded->llm.models;
  if (models.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(where, " used no LLM: nothing to replay"));
  }
  return models;
}

absl::Status AddReplayClients(const RunConfig& config, LlmStack& stack,
                              std::vector<mutators::ModelConfig>& models) {
  RunPaths source = PathsFor(config.llm.replay_from);
  CAMBRIAN_ASSIGN_OR_RETURN(stack.replay_source,
                            archive::SqliteArchive::Open(source.db, archive::OpenMode::kReadOnly));
  CAMBRIAN_ASSIGN_OR_RETURN(models, RecordedModels(*stack.replay_source, source.dir.string()));
  stack.replay_log = std::make_unique<ArchiveCallLog>(*stack.replay_source, stack.clock);
  for (size_t i = 0; i < models.size(); ++i) {
    stack.clients.push_back(std::make_unique<mutators::ReplayLlmClient>(stack.replay_log.get()));
  }
  return absl::OkStatus();
}

// Reads what each model's server says about its limits, once per server: a
// context window not configured is taken from it, and the slots of all
// servers become the default concurrency when every one of them says.
void ApplyServerLimits(LlmStack& stack, std::vector<mutators::ModelConfig>& models) {
  int slots = 0;
  bool all_said = !models.empty();
  std::map<std::string, mutators::ServerLimits> servers;  // base URL -> what it said
  for (mutators::ModelConfig& model : models) {
    auto [it, first] = servers.try_emplace(model.base_url);
    if (first) it->second = mutators::ProbeServer(*stack.transport, model);
    const mutators::ServerLimits& limits = it->second;
    if (model.grammar == mutators::GrammarUse::kAuto) {
      model.grammar =
          limits.server == "llama.cpp" ? mutators::GrammarUse::kOn : mutators::GrammarUse::kOff;
    }
    if (limits.server.empty()) {
      all_said = false;
      continue;
    }
    std::string said = absl::StrCat(limits.server, " at ", model.base_url, " for ", model.model);
    if (limits.slots) absl::StrAppend(&said, ": ", *limits.slots, " slot(s)");
    if (limits.context_tokens) {
      absl::StrAppend(&said, limits.slots ? ", " : ": ", *limits.context_tokens, "-token context");
      if (model.context_tokens == 0) model.context_tokens = *limits.context_tokens;
    }
    if (model.grammar == mutators::GrammarUse::kOn) {
      absl::StrAppend(&said, "; replies constrained to an edit that applies (grammar)");
    }
    LogInfo(said);
    if (!limits.slots) {
      all_said = false;
    } else if (first) {
      slots += *limits.slots;  // two models on one server share its slots
    }
  }
  if (all_said && slots > 0) stack.server_slots = slots;
}

absl::Status AddHttpClients(const RunConfig& config, LlmStack& stack,
                            std::vector<mutators::ModelConfig>& models) {
  models = config.llm.models;
  stack.transport = std::make_unique<mutators::CurlTransport>();
  ApplyServerLimits(stack, models);
  for (const mutators::ModelConfig& model : models) {
    CAMBRIAN_ASSIGN_OR_RETURN(std::unique_ptr<mutators::LlmClient> client,
                              mutators::MakeLlmClient(model, *stack.transport));
    // One breaker per provider: a provider that is down pauses all its models.
    std::string provider = mutators::ProviderName(model.provider);
    std::shared_ptr<mutators::CircuitBreaker>& breaker = stack.breakers[provider];
    if (!breaker) breaker = std::make_shared<mutators::CircuitBreaker>(provider, stack.clock);
    mutators::RetryOptions retry;
    retry.max_retries = model.max_retries;
    stack.clients.push_back(std::make_unique<mutators::RetryingClient>(
        std::move(client), breaker, stack.clock, stack.sleeper, retry));
  }
  stack.status = [&stack] {
    std::string line;
    for (const auto& [provider, breaker] : stack.breakers) {
      if (breaker->State() == "closed") continue;
      absl::StrAppend(&line, line.empty() ? "" : ", ", provider, " ", breaker->State());
    }
    return line;
  };
  return absl::OkStatus();
}

// The embedder of --llm-embeddings, where the novelty threshold uses it.
absl::Status AddEmbedder(const RunConfig& config, LlmStack& stack) {
  const mutators::EmbeddingConfig& embeddings = config.llm.embeddings;
  if (!embeddings.enabled()) return absl::OkStatus();
  if (config.llm_novelty >= 1) {
    LogWarning(absl::StrCat("--llm-embeddings ", embeddings.base_url,
                            " is not used: only --llm-novelty below 1 compares embeddings"));
    return absl::OkStatus();
  }
  if (!stack.transport) {  // replay: no server is asked, so the text measure
    LogInfo("a replayed run compares children by text, not embeddings");
    return absl::OkStatus();
  }
  CAMBRIAN_ASSIGN_OR_RETURN(
      std::string key,
      mutators::KeyFromEnvironment(embeddings.key_env,
                                   absl::StrCat("the embeddings server ", embeddings.base_url)));
  stack.embedder =
      std::make_unique<mutators::HttpEmbedder>(*stack.transport, embeddings, std::move(key));
  LogInfo(absl::StrCat("novelty: children compared by embeddings from ", embeddings.base_url,
                       " (cosine at least ", config.llm_novelty, " is too similar)"));
  return absl::OkStatus();
}

absl::StatusOr<std::filesystem::path> PromptsDir(const RunConfig& config) {
  if (!config.llm.prompts_dir.empty()) return config.llm.prompts_dir;
  std::optional<std::filesystem::path> dir = BuiltinPromptsDir();
  if (!dir) {
    return absl::NotFoundError(
        "cannot find the built-in prompts directory; pass --prompts DIR or set "
        "CAMBRIAN_PROMPTS_DIR");
  }
  return *dir;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LlmStack>> MakeLlmStack(const RunConfig& config,
                                                       archive::Archive& archive) {
  if (!config.llm.enabled()) return std::unique_ptr<LlmStack>();
  auto stack = std::make_unique<LlmStack>();
  std::vector<mutators::ModelConfig> models;
  if (config.llm.replay) {
    CAMBRIAN_RETURN_IF_ERROR(AddReplayClients(config, *stack, models));
  } else {
    CAMBRIAN_RETURN_IF_ERROR(AddHttpClients(config, *stack, models));
  }
  CAMBRIAN_RETURN_IF_ERROR(AddEmbedder(config, *stack));
  CAMBRIAN_ASSIGN_OR_RETURN(std::filesystem::path prompts_dir, PromptsDir(config));
  absl::StatusOr<mutators::PromptSet> prompts = mutators::LoadPromptSet(prompts_dir);
  if (!prompts.ok()) return Annotate(prompts.status(), "loading prompt templates");
  stack->call_log = std::make_unique<ArchiveCallLog>(archive, stack->clock);
  CAMBRIAN_ASSIGN_OR_RETURN(archive::LlmTotals spent, archive.GetLlmTotals());
  stack->meter = std::make_unique<mutators::SpendMeter>(
      mutators::SpendCaps{config.llm.max_cost_usd, config.llm.max_tokens},
      mutators::Spend{spent.input_tokens, spent.output_tokens, spent.cost_usd, spent.calls});
  std::vector<mutators::LlmClient*> clients;
  for (const auto& client : stack->clients) clients.push_back(client.get());
  mutators::ModeMix mix{config.llm.diff_weight, config.llm.rewrite_weight};
  CAMBRIAN_ASSIGN_OR_RETURN(
      stack->mutator, mutators::LlmMutator::Create(models, clients, *prompts, stack->call_log.get(),
                                                   stack->meter.get(), mix));
  if (config.llm.selection == "bandit") stack->mutator->EnableModelBandit();
  return stack;
}

}  // namespace cambrian::orchestrator
