// The judge protocol's transport (kernels/PROTOCOL.md, "Transport"): one
// message per SOCK_SEQPACKET packet, a 16-byte little-endian header and a
// payload of at most 64 KiB, descriptors passed with SCM_RIGHTS.
//
// Everything received is validated before anyone looks at it: a packet that
// is short, oversized, truncated, carries a wrong magic, a non-zero reserved
// field, an unknown type, a payload of the wrong size for its type, or
// descriptors on anything but MEMORY is a kProtocol fault with a short
// reason. Descriptors that arrive with a rejected packet are closed.
#ifndef CAMBRIAN_KERNELS_WIRE_H_
#define CAMBRIAN_KERNELS_WIRE_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fault.h"
#include "unique_fd.h"

namespace cambrian::kernels {

inline constexpr uint32_t kMagic = 0x314A4343;  // "CCJ1" in little-endian bytes
inline constexpr size_t kHeaderBytes = 16;
inline constexpr size_t kMaxPayloadBytes = 65536;
inline constexpr size_t kCallPayloadBytes = 64;
inline constexpr size_t kMemoryPayloadBytes = 16;
inline constexpr int kCallArgs = 7;

enum class MessageType : uint16_t {
  kHello = 1,
  kMemory = 2,
  kCall = 3,
  kDone = 4,
  kFail = 5,
  kBye = 6,
};

// "HELLO", "MEMORY", ...; "?" for a value outside the enum.
const char* MessageTypeName(MessageType type);

struct Message {
  MessageType type = MessageType::kHello;
  uint64_t seq = 0;
  std::string payload;        // raw bytes
  std::vector<UniqueFd> fds;  // only ever non-empty for MEMORY (exactly two)
};

// A CALL's payload: an operation and seven arguments, meaning task-defined.
struct CallArgs {
  uint64_t op = 0;
  std::array<uint64_t, kCallArgs> arg = {};
};

// Header + payload bytes of one packet. `payload` must be at most
// kMaxPayloadBytes (longer payloads are cut there: callers never send one).
std::string EncodePacket(MessageType type, uint64_t seq, std::string_view payload);

// Parses one packet's bytes. Checks the header and the per-type shape rules
// that need no conversation state: payload size of MEMORY (16), CALL (64),
// BYE (0); seq 0 on HELLO, MEMORY and BYE, seq >= 1 on CALL and DONE.
// Descriptor rules are the receiver's (see Channel::Receive).
[[nodiscard]] std::optional<Message> DecodePacket(std::string_view packet, std::string* reason);

std::string EncodeCallArgs(const CallArgs& call);
std::optional<CallArgs> DecodeCallArgs(std::string_view payload);  // nullopt unless 64 bytes
std::string EncodeMemorySizes(uint64_t input_bytes, uint64_t output_bytes);
// nullopt unless exactly 16 bytes.
std::optional<std::array<uint64_t, 2>> DecodeMemorySizes(std::string_view payload);

// One end of the socket pair. Owns the descriptor. Not thread-safe.
class Channel {
 public:
  explicit Channel(UniqueFd fd) : fd_(std::move(fd)) {}
  int fd() const { return fd_.get(); }

  // Sends one message carrying `fds` (duplicated into the peer; the caller
  // keeps its own). Never raises SIGPIPE. A peer that is gone is a
  // kWorkerGone fault; any other failure a kProtocol fault naming errno.
  [[nodiscard]] std::optional<Fault> Send(MessageType type, uint64_t seq, std::string_view payload,
                                          std::span<const int> fds = {});

  // Waits up to `timeout_ms` (negative: forever) for one message and
  // validates it (DecodePacket; descriptors only on MEMORY, exactly two).
  // Faults: kTimeout when nothing arrived in time, kWorkerGone on end of
  // file, kProtocol on anything malformed. Interrupted waits resume with the
  // time that is left.
  [[nodiscard]] std::optional<Fault> Receive(int timeout_ms, Message* message);

  // True when a packet or end of file is waiting to be read now.
  bool Readable() const;

 private:
  UniqueFd fd_;
  std::string buffer_;  // one packet's bytes; allocated at the first Receive
};

// Milliseconds left until `deadline_ns` on CLOCK_MONOTONIC, at least 0.
int RemainingMs(int64_t deadline_ns);
// CLOCK_MONOTONIC now, in nanoseconds.
int64_t MonotonicNs();

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_WIRE_H_
