#include "evaluator/worker_protocol.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/file_util.h"
#include "nlohmann/json.hpp"

namespace cambrian::evaluator {

using nlohmann::json;

std::optional<std::pair<std::string, int>> ParseAddress(const std::string& text) {
  const std::string address(absl::StripAsciiWhitespace(text));
  const size_t colon = address.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port <= 0 || port > 65535) {
    return std::nullopt;
  }
  return std::make_pair(address.substr(0, colon), port);
}

std::string LeaseToJson(const Lease& lease) {
  json program = json::object();
  for (const auto& [path, content] : lease.work.program)
    program[path] = absl::Base64Escape(content);
  return json{{"lease", lease.id},
              {"job", lease.work.job},
              {"seed", lease.work.seed},
              {"request", lease.work.request},
              {"program", program}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

absl::StatusOr<Lease> LeaseFromJson(const std::string& text) {
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto bad = [](const std::string& what) {
    return absl::DataLossError(absl::StrCat("lease: ", what));
  };
  if (!document.is_object()) return bad("not a JSON object");
  Lease lease;
  if (!document.value("lease", json()).is_string() || !document.value("job", json()).is_string() ||
      !document.value("seed", json()).is_number_unsigned() ||
      !document.value("program", json()).is_object()) {
    return bad("lease, job, seed or program missing");
  }
  lease.id = document["lease"].get<std::string>();
  lease.work.job = document["job"].get<std::string>();
  lease.work.seed = document["seed"].get<uint64_t>();
  lease.work.request = document.value("request", "");
  for (const auto& [path, encoded] : document["program"].items()) {
    std::string content;
    if (!encoded.is_string() || !absl::Base64Unescape(encoded.get<std::string>(), &content) ||
        !IsSafeRelativePath(path)) {
      return bad(absl::StrCat("file '", path, "'"));
    }
    lease.work.program[path] = std::move(content);
  }
  if (lease.id.empty() || lease.work.job.empty() || lease.work.program.empty()) {
    return bad("empty lease, job or program");
  }
  return lease;
}

}  // namespace cambrian::evaluator
