// `cambrian diff ID [--against parent|seed|ID]` and
// `cambrian export ID --out DIR | --patch`.
#include <CLI/CLI.hpp>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/absl_compat.h"
#include "common/file_util.h"
#include "common/status_macros.h"
#include "common/text_diff.h"
#include "orchestrator/commands/commands.h"
#include "orchestrator/review.h"

namespace cambrian::orchestrator {
namespace {

struct DiffOptions {
  int64_t id = 0;
  std::string run_dir;
  std::string against = "parent";
};

struct ExportOptions {
  int64_t id = 0;
  std::string run_dir;
  std::string out;
  bool patch = false;
};

// The id named by --against: "parent", "seed" or a number.
absl::StatusOr<int64_t> BaseId(archive::Archive& archive, const archive::Candidate& candidate,
                               const std::string& against) {
  if (against == "seed") return SeedId(archive);
  if (against == "parent") {
    if (!candidate.parent_id) {
      return absl::InvalidArgumentError(
          absl::StrCat("#", candidate.id, " has no parent (it is the seed); try --against ID"));
    }
    return *candidate.parent_id;
  }
  int64_t id = 0;
  std::string digits = against.substr(against.rfind('#') == 0 ? 1 : 0);
  if (!absl::SimpleAtoi(digits, &id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--against expects parent, seed or a candidate id, not '", against, "'"));
  }
  return id;
}

absl::StatusOr<Program> ProgramOf(archive::Archive& archive, int64_t id) {
  CAMBRIAN_ASSIGN_OR_RETURN(archive::Candidate candidate, GetCandidateOrExplain(archive, id));
  return archive.GetProgram(candidate.program_hash);
}

absl::Status Diff(const DiffOptions& options) {
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun run,
                            OpenRun(RunDirFlag(options.run_dir), archive::OpenMode::kReadOnly));
  CAMBRIAN_ASSIGN_OR_RETURN(archive::Candidate candidate,
                            GetCandidateOrExplain(*run.archive, options.id));
  CAMBRIAN_ASSIGN_OR_RETURN(int64_t base_id, BaseId(*run.archive, candidate, options.against));
  CAMBRIAN_ASSIGN_OR_RETURN(Program base, ProgramOf(*run.archive, base_id));
  CAMBRIAN_ASSIGN_OR_RETURN(Program program, run.archive->GetProgram(candidate.program_hash));
  std::cout << UnifiedProgramDiff(base, program);
  return absl::OkStatus();
}

absl::Status Export(const ExportOptions& options) {
  if (options.patch == !options.out.empty()) {
    return absl::InvalidArgumentError("export needs exactly one of --out DIR or --patch");
  }
  CAMBRIAN_ASSIGN_OR_RETURN(OpenedRun run,
                            OpenRun(RunDirFlag(options.run_dir), archive::OpenMode::kReadOnly));
  CAMBRIAN_ASSIGN_OR_RETURN(Program program, ProgramOf(*run.archive, options.id));
  if (options.patch) {
    // Against the seed, so it applies to the task's program directory.
    CAMBRIAN_ASSIGN_OR_RETURN(int64_t seed_id, SeedId(*run.archive));
    CAMBRIAN_ASSIGN_OR_RETURN(Program seed, ProgramOf(*run.archive, seed_id));
    std::cout << UnifiedProgramDiff(seed, program);
    return absl::OkStatus();
  }
  CAMBRIAN_RETURN_IF_ERROR(WriteProgramTree(options.out, program));
  std::cerr << "wrote " << program.size() << " file(s) of #" << options.id << " to " << options.out
            << "\n";
  return absl::OkStatus();
}

}  // namespace

Command DiffCommand() {
  return {"diff", "Unified diff of a candidate against its parent, the seed or another",
          [](CLI::App& app) {
            auto options = std::make_shared<DiffOptions>();
            app.add_option("id", options->id, "Candidate id")->required();
            app.add_option("--run-dir", options->run_dir, "Run directory (default: latest)");
            app.add_option("--against", options->against, "parent, seed or a candidate id")
                ->capture_default_str();
            return [options] { return CommandResult{Diff(*options)}; };
          }};
}

Command ExportCommand() {
  return {"export", "Write a candidate's files to a directory, or print it as a patch",
          [](CLI::App& app) {
            auto options = std::make_shared<ExportOptions>();
            app.add_option("id", options->id, "Candidate id")->required();
            app.add_option("--run-dir", options->run_dir, "Run directory (default: latest)");
            app.add_option("--out", options->out, "Directory to write the program's files to");
            app.add_flag(
                "--patch", options->patch,
                "Print a patch against the seed (paths relative to the task's program dir)");
            return [options] { return CommandResult{Export(*options)}; };
          }};
}

}  // namespace cambrian::orchestrator
