#include "worker.h"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "shared_buffer.h"

namespace cambrian::kernels {
namespace {

// What ends the loop: the judge said BYE or hung up (0), or something broke (1).
struct Stop {
  int status = 0;
  std::string error;
};

// Sends FAIL with `why` (best effort: the judge may be gone) and stops.
Stop FailWith(Channel& channel, uint64_t seq, const std::string& why) {
  (void)channel.Send(MessageType::kFail, seq, why.substr(0, kMaxPayloadBytes));
  return {1, why};
}

// Receives the next message; nullopt with *stop set when the loop must end.
std::optional<Message> Next(Channel& channel, MessageType wanted, uint64_t seq, Stop* stop) {
  Message message;
  if (auto fault = channel.Receive(-1, &message)) {
    *stop = fault->kind == FaultKind::kWorkerGone ? Stop{0, ""}
                                                  : FailWith(channel, 0, Describe(*fault));
    return std::nullopt;
  }
  if (message.type == MessageType::kBye) {
    *stop = {0, ""};
    return std::nullopt;
  }
  if (message.type != wanted || (wanted == MessageType::kCall && message.seq != seq)) {
    *stop = FailWith(channel, 0,
                     std::string("protocol: unexpected ") + MessageTypeName(message.type) +
                         " (seq " + std::to_string(message.seq) + ")");
    return std::nullopt;
  }
  return message;
}

struct Buffers {
  Mapping input, output;
};

std::optional<Buffers> MapBuffers(Message& memory, std::string* error) {
  std::optional<std::array<uint64_t, 2>> sizes = DecodeMemorySizes(memory.payload);
  if (!sizes) return std::nullopt;
  std::optional<Mapping> input =
      MapForWorker(std::move(memory.fds[0]), (*sizes)[0], WorkerAccess::kReadOnly, error);
  if (!input) return std::nullopt;
  std::optional<Mapping> output =
      MapForWorker(std::move(memory.fds[1]), (*sizes)[1], WorkerAccess::kReadWrite, error);
  if (!output) return std::nullopt;
  return Buffers{std::move(*input), std::move(*output)};
}

// Runs the handler, turning an exception into a FAIL reply.
WorkerReply Invoke(const CallHandler& handler, const WorkerCall& call, const WorkerMemory& memory) {
  try {
    return handler(call, memory);
  } catch (const std::exception& e) {
    return WorkerReply::Failed(std::string("exception: ") + e.what());
  } catch (...) {
    return WorkerReply::Failed("exception of an unknown type");
  }
}

Stop Serve(Channel& channel, const Declarations& hello, const CallHandler& handler) {
  if (auto fault = channel.Send(MessageType::kHello, 0, FormatDeclarations(hello))) {
    return {1, Describe(*fault)};
  }
  Stop stop;
  std::optional<Message> memory = Next(channel, MessageType::kMemory, 0, &stop);
  if (!memory) return stop;
  std::string error;
  std::optional<Buffers> buffers = MapBuffers(*memory, &error);
  if (!buffers) return FailWith(channel, 0, "cannot map the buffers: " + error);
  const WorkerMemory view{{buffers->input.data(), buffers->input.size()},
                          {buffers->output.data(), buffers->output.size()}};
  for (uint64_t seq = 1;; ++seq) {
    std::optional<Message> call = Next(channel, MessageType::kCall, seq, &stop);
    if (!call) return stop;
    const WorkerReply reply = Invoke(handler, {seq, *DecodeCallArgs(call->payload)}, view);
    if (!reply.ok) return FailWith(channel, seq, reply.reason);
    if (auto fault = channel.Send(MessageType::kDone, seq, FormatDeclarations(reply.declared))) {
      return {fault->kind == FaultKind::kWorkerGone ? 0 : 1, Describe(*fault)};
    }
  }
}

}  // namespace

int RunWorker(UniqueFd socket, const Declarations& hello, const CallHandler& handler,
              std::string* error) {
  Channel channel(std::move(socket));
  Stop stop = Serve(channel, hello, handler);
  *error = stop.error;
  return stop.status;
}

int RunWorkerFromEnv(const Declarations& hello, const CallHandler& handler) {
  const char* text = std::getenv("CAMBRIAN_JUDGE_FD");
  char* end = nullptr;
  const long fd = text ? std::strtol(text, &end, 10) : -1;
  if (text == nullptr || *text == '\0' || *end != '\0' || fd < 0 || fd > 1 << 20) {
    std::fprintf(stderr, "worker: CAMBRIAN_JUDGE_FD is not set (run me as a judged stage)\n");
    return 2;
  }
  std::string error;
  const int status = RunWorker(UniqueFd(static_cast<int>(fd)), hello, handler, &error);
  if (!error.empty()) std::fprintf(stderr, "worker: %s\n", error.c_str());
  return status;
}

}  // namespace cambrian::kernels
