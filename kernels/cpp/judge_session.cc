#include "judge_session.h"

#include <cstdlib>
#include <cstring>

namespace cambrian::kernels {
namespace {

constexpr size_t kMaxQuoted = 200;

Fault Protocol(std::string reason) { return {FaultKind::kProtocol, std::move(reason)}; }

Fault Unexpected(const Message& message, const char* wanted) {
  return Protocol(std::string("got ") + MessageTypeName(message.type) + " (seq " +
                  std::to_string(message.seq) + ") while waiting for " + wanted);
}

Fault WorkerFailed(const Message& message) {
  return {FaultKind::kWorkerFailed, "the worker sent FAIL: " + QuoteWorkerText(message.payload)};
}

}  // namespace

std::string QuoteWorkerText(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxQuoted)) out += (c >= 0x20 && c <= 0x7e) ? c : '?';
  if (text.size() > kMaxQuoted) out += "...";
  return out;
}

JudgeSession::JudgeSession(UniqueFd socket, std::unique_ptr<CpuMeter> meter)
    : channel_(std::move(socket)), meter_(std::move(meter)) {}

std::unique_ptr<JudgeSession> JudgeSession::FromEnv(std::string* error) {
  const char* text = std::getenv("CAMBRIAN_WORKER_FD");
  char* end = nullptr;
  const long fd = text ? std::strtol(text, &end, 10) : -1;
  if (text == nullptr || *text == '\0' || *end != '\0' || fd < 0 || fd > 1 << 20) {
    *error = "CAMBRIAN_WORKER_FD is not set to a descriptor (is this a judged stage?)";
    return nullptr;
  }
  std::unique_ptr<CpuMeter> meter = CpuMeterFromEnv(error);
  if (!error->empty()) return nullptr;
  return std::make_unique<JudgeSession>(UniqueFd(static_cast<int>(fd)), std::move(meter));
}

std::optional<Fault> JudgeSession::Fail(Fault fault) {
  if (!fault_) fault_ = std::move(fault);
  return fault_;
}

std::optional<Fault> JudgeSession::AwaitHello(int timeout_ms, Declarations* declared) {
  if (fault_) return fault_;
  if (hello_) return Fail({FaultKind::kJudge, "AwaitHello called twice"});
  Message message;
  if (auto fault = channel_.Receive(timeout_ms, &message)) {
    if (fault->kind == FaultKind::kTimeout) fault->reason = "no HELLO within the deadline";
    return Fail(*fault);
  }
  if (message.type == MessageType::kFail) return Fail(WorkerFailed(message));
  if (message.type != MessageType::kHello) return Fail(Unexpected(message, "HELLO"));
  std::string error;
  std::optional<Declarations> parsed = ParseDeclarations(message.payload, &error);
  if (!parsed) return Fail(Protocol("HELLO: " + error));
  *declared = std::move(*parsed);
  hello_ = true;
  return std::nullopt;
}

std::optional<Fault> JudgeSession::ShareMemory(size_t input_bytes, size_t output_bytes) {
  if (fault_) return fault_;
  if (!hello_ || input_) return Fail({FaultKind::kJudge, "ShareMemory out of order"});
  std::string error;
  input_ = SharedBuffer::Create("cambrian-input", input_bytes, WorkerAccess::kReadOnly, &error);
  if (input_) {
    output_ =
        SharedBuffer::Create("cambrian-output", output_bytes, WorkerAccess::kReadWrite, &error);
  }
  if (!input_ || !output_) return Fail({FaultKind::kJudge, "creating a buffer: " + error});
  snapshot_.assign(output_bytes, std::byte{0});
  const int fds[2] = {input_->fd(), output_->fd()};
  std::optional<Fault> fault =
      channel_.Send(MessageType::kMemory, 0, EncodeMemorySizes(input_bytes, output_bytes), fds);
  input_->CloseFd();
  output_->CloseFd();
  if (fault) return Fail(*fault);
  return std::nullopt;
}

std::span<std::byte> JudgeSession::input() const {
  return input_ ? input_->bytes() : std::span<std::byte>();
}

std::span<std::byte> JudgeSession::output() const {
  return output_ ? output_->bytes() : std::span<std::byte>();
}

std::optional<Fault> JudgeSession::ReadMeter(std::optional<int64_t>* cpu) {
  cpu->reset();
  if (!meter_) return std::nullopt;
  std::string error;
  *cpu = meter_->ReadNs(&error);
  if (!*cpu && meter_->WorkerGone()) {
    return Fail({FaultKind::kWorkerGone, "the worker's job has ended (its CPU meter is gone)"});
  }
  if (!*cpu) return Fail({FaultKind::kJudge, error});
  return std::nullopt;
}

// A worker speaks only when asked: a packet waiting before CALL is either
// end of file, a FAIL, or a protocol breach (such as a DONE sent ahead).
std::optional<Fault> JudgeSession::CheckNothingPending() {
  if (!channel_.Readable()) return std::nullopt;
  Message message;
  if (auto fault = channel_.Receive(0, &message)) return Fail(*fault);
  if (message.type == MessageType::kFail) return Fail(WorkerFailed(message));
  return Fail(Protocol(std::string("unsolicited ") + MessageTypeName(message.type) + " (seq " +
                       std::to_string(message.seq) + ") before CALL " + std::to_string(next_seq_)));
}

std::optional<Fault> JudgeSession::AwaitDone(uint64_t seq, int timeout_ms, Declarations* declared) {
  Message message;
  if (auto fault = channel_.Receive(timeout_ms, &message)) {
    if (fault->kind == FaultKind::kTimeout) {
      fault->reason = "no answer to CALL " + std::to_string(seq) + " within " +
                      std::to_string(timeout_ms) + " ms";
    }
    return Fail(*fault);
  }
  if (message.type == MessageType::kFail && (message.seq == seq || message.seq == 0)) {
    return Fail(WorkerFailed(message));
  }
  if (message.type != MessageType::kDone || message.seq != seq) {
    return Fail(Unexpected(message, ("DONE " + std::to_string(seq)).c_str()));
  }
  std::string error;
  std::optional<Declarations> parsed = ParseDeclarations(message.payload, &error);
  if (!parsed) return Fail(Protocol("DONE: " + error));
  *declared = std::move(*parsed);
  return std::nullopt;
}

std::optional<Fault> JudgeSession::CheckCallable(const CallSpec& spec) {
  if (fault_) return fault_;
  if (!output_ || finished_ || spec.snapshot_offset > output().size() ||
      spec.snapshot_bytes > output().size() - spec.snapshot_offset) {
    return Fail({FaultKind::kJudge,
                 "Call before ShareMemory, after Finish, or with a snapshot outside the output "
                 "buffer"});
  }
  return std::nullopt;
}

CallResult JudgeSession::Call(const CallSpec& spec) {
  CallResult result;
  std::optional<int64_t> cpu;
  result.fault = CheckCallable(spec);
  if (!result.fault) result.fault = ReadMeter(&cpu);  // step 1: before the inputs exist
  if (result.fault) return result;
  result.index = timer_.Begin(cpu);
  if (spec.prepare) spec.prepare(input(), output());  // steps 2 and 3
  result.fault = CheckNothingPending();               // step 4
  if (result.fault) return result;
  const uint64_t seq = next_seq_++;
  timer_.Sent(MonotonicNs());
  if (auto fault = channel_.Send(MessageType::kCall, seq, EncodeCallArgs(spec.args))) {
    result.fault = Fail(*fault);
    return result;
  }
  result.fault = AwaitDone(seq, spec.timeout_ms, &result.declared);  // step 5
  if (result.fault) return result;
  const int64_t answered = MonotonicNs();
  // The snapshot at once: whatever the worker writes from now on is not judged.
  if (spec.snapshot_bytes > 0) {
    std::memcpy(snapshot_.data(), output().data() + spec.snapshot_offset, spec.snapshot_bytes);
  }
  result.snapshot = std::span<const std::byte>(snapshot_.data(), spec.snapshot_bytes);
  timer_.Answered(answered);
  return result;
}

std::optional<Fault> JudgeSession::Finish() {
  if (finished_) return fault_;
  finished_ = true;
  std::optional<int64_t> cpu;
  const bool had_fault = fault_.has_value();
  if (auto fault = ReadMeter(&cpu)) return fault;
  timer_.Settle(cpu);
  if (had_fault || !hello_) return fault_;
  if (auto fault = channel_.Send(MessageType::kBye, 0, "")) return Fail(*fault);
  return std::nullopt;
}

}  // namespace cambrian::kernels
