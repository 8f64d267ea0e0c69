#include "wire.h"

#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace cambrian::kernels {
namespace {

// Room for more descriptors than any valid message carries, so that a
// packet with too many is seen (and its descriptors closed) rather than cut.
constexpr int kMaxFdsReceived = 8;

void PutU64(std::string* out, size_t at, uint64_t value) {
  for (int i = 0; i < 8; ++i) (*out)[at + i] = static_cast<char>(value >> (8 * i));
}

uint64_t GetLe(std::string_view in, size_t at, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    value |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  }
  return value;
}

Fault Protocol(std::string reason) { return {FaultKind::kProtocol, std::move(reason)}; }

// Per-type rules that need no conversation state ("" when the shape is right).
std::string ShapeProblem(MessageType type, uint64_t seq, size_t payload_bytes) {
  const bool seq_zero =
      type == MessageType::kHello || type == MessageType::kMemory || type == MessageType::kBye;
  if (seq_zero && seq != 0) return std::string(MessageTypeName(type)) + " with seq != 0";
  if ((type == MessageType::kCall || type == MessageType::kDone) && seq == 0) {
    return std::string(MessageTypeName(type)) + " with seq 0";
  }
  size_t want = payload_bytes;
  if (type == MessageType::kMemory) want = kMemoryPayloadBytes;
  if (type == MessageType::kCall) want = kCallPayloadBytes;
  if (type == MessageType::kBye) want = 0;
  if (want != payload_bytes) {
    return std::string(MessageTypeName(type)) + " payload of " + std::to_string(payload_bytes) +
           " bytes, expected " + std::to_string(want);
  }
  return "";
}

// Takes ownership of every descriptor in the control data, whatever else is
// wrong with the packet, so that none leaks into this process.
std::vector<UniqueFd> TakeFds(msghdr* msg) {
  std::vector<UniqueFd> fds;
  for (cmsghdr* c = CMSG_FIRSTHDR(msg); c != nullptr; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      fds.emplace_back(fd);
    }
  }
  return fds;
}

// Waits until the descriptor is readable or the deadline (-1: none) passes.
std::optional<Fault> WaitReadable(int fd, int64_t deadline_ns) {
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int wait_ms = deadline_ns < 0 ? -1 : RemainingMs(deadline_ns);
    const int ready = poll(&p, 1, wait_ms);
    if (ready > 0) return std::nullopt;
    if (ready == 0) return Fault{FaultKind::kTimeout, "no message within the deadline"};
    if (errno != EINTR) return Protocol(std::string("poll: ") + std::strerror(errno));
  }
}

bool HungUp(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & POLLHUP) != 0;
}

}  // namespace

const char* MessageTypeName(MessageType type) {
  switch (type) {
    case MessageType::kHello:
      return "HELLO";
    case MessageType::kMemory:
      return "MEMORY";
    case MessageType::kCall:
      return "CALL";
    case MessageType::kDone:
      return "DONE";
    case MessageType::kFail:
      return "FAIL";
    case MessageType::kBye:
      return "BYE";
  }
  return "?";
}

std::string EncodePacket(MessageType type, uint64_t seq, std::string_view payload) {
  payload = payload.substr(0, kMaxPayloadBytes);
  std::string out(kHeaderBytes, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(kMagic >> (8 * i));
  const auto type_value = static_cast<uint16_t>(type);
  out[4] = static_cast<char>(type_value & 0xff);
  out[5] = static_cast<char>(type_value >> 8);
  PutU64(&out, 8, seq);
  out.append(payload);
  return out;
}

std::optional<Message> DecodePacket(std::string_view packet, std::string* reason) {
  if (packet.size() < kHeaderBytes) {
    *reason = "packet of " + std::to_string(packet.size()) + " bytes, shorter than a header";
    return std::nullopt;
  }
  if (packet.size() > kHeaderBytes + kMaxPayloadBytes) {
    *reason = "payload over " + std::to_string(kMaxPayloadBytes) + " bytes";
    return std::nullopt;
  }
  if (GetLe(packet, 0, 4) != kMagic) {
    *reason = "bad magic";
    return std::nullopt;
  }
  const uint64_t type = GetLe(packet, 4, 2);
  if (GetLe(packet, 6, 2) != 0) {
    *reason = "reserved header field not 0";
    return std::nullopt;
  }
  if (type < 1 || type > 6) {
    *reason = "unknown message type " + std::to_string(type);
    return std::nullopt;
  }
  Message message;
  message.type = static_cast<MessageType>(type);
  message.seq = GetLe(packet, 8, 8);
  message.payload.assign(packet.substr(kHeaderBytes));
  *reason = ShapeProblem(message.type, message.seq, message.payload.size());
  if (!reason->empty()) return std::nullopt;
  return message;
}

std::string EncodeCallArgs(const CallArgs& call) {
  std::string out(kCallPayloadBytes, '\0');
  PutU64(&out, 0, call.op);
  for (int i = 0; i < kCallArgs; ++i) PutU64(&out, 8 * (i + 1), call.arg[i]);
  return out;
}

std::optional<CallArgs> DecodeCallArgs(std::string_view payload) {
  if (payload.size() != kCallPayloadBytes) return std::nullopt;
  CallArgs call;
  call.op = GetLe(payload, 0, 8);
  for (int i = 0; i < kCallArgs; ++i) call.arg[i] = GetLe(payload, 8 * (i + 1), 8);
  return call;
}

std::string EncodeMemorySizes(uint64_t input_bytes, uint64_t output_bytes) {
  std::string out(kMemoryPayloadBytes, '\0');
  PutU64(&out, 0, input_bytes);
  PutU64(&out, 8, output_bytes);
  return out;
}

std::optional<std::array<uint64_t, 2>> DecodeMemorySizes(std::string_view payload) {
  if (payload.size() != kMemoryPayloadBytes) return std::nullopt;
  return std::array<uint64_t, 2>{GetLe(payload, 0, 8), GetLe(payload, 8, 8)};
}

std::optional<Fault> Channel::Send(MessageType type, uint64_t seq, std::string_view payload,
                                   std::span<const int> fds) {
  std::string packet = EncodePacket(type, seq, payload);
  iovec iov{packet.data(), packet.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  std::vector<char> control;
  if (!fds.empty()) {
    control.assign(CMSG_SPACE(sizeof(int) * fds.size()), 0);
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  ssize_t sent;
  do {
    sent = sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent == static_cast<ssize_t>(packet.size())) return std::nullopt;
  if (sent < 0 && (errno == EPIPE || errno == ECONNRESET)) {
    return Fault{FaultKind::kWorkerGone, "the peer closed the socket"};
  }
  return Protocol(std::string("sendmsg: ") + (sent < 0 ? std::strerror(errno) : "short write"));
}

std::optional<Fault> Channel::Receive(int timeout_ms, Message* message) {
  const int64_t deadline = timeout_ms < 0 ? -1 : MonotonicNs() + int64_t{timeout_ms} * 1'000'000;
  // One byte more than the largest packet, so that a larger one shows
  // (besides MSG_TRUNC) as a payload over the limit.
  buffer_.resize(kHeaderBytes + kMaxPayloadBytes + 1);
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFdsReceived)];
  for (;;) {
    if (auto fault = WaitReadable(fd_.get(), deadline)) return fault;
    iovec iov{buffer_.data(), buffer_.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t got = recvmsg(fd_.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    std::vector<UniqueFd> fds = TakeFds(&msg);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (got < 0 && errno == ECONNRESET) return Fault{FaultKind::kWorkerGone, "connection reset"};
    if (got < 0) return Protocol(std::string("recvmsg: ") + std::strerror(errno));
    if (got == 0) {
      if (HungUp(fd_.get())) return Fault{FaultKind::kWorkerGone, "end of file on the socket"};
      return Protocol("empty packet");
    }
    if (msg.msg_flags & MSG_TRUNC) {
      return Protocol("payload over " + std::to_string(kMaxPayloadBytes) + " bytes");
    }
    if (msg.msg_flags & MSG_CTRUNC) return Protocol("too many descriptors");
    std::string reason;
    std::optional<Message> decoded = DecodePacket(std::string_view(buffer_.data(), got), &reason);
    if (!decoded) return Protocol(reason);
    const size_t want_fds = decoded->type == MessageType::kMemory ? 2 : 0;
    if (fds.size() != want_fds) {
      return Protocol(std::string(MessageTypeName(decoded->type)) + " with " +
                      std::to_string(fds.size()) + " descriptors, expected " +
                      std::to_string(want_fds));
    }
    decoded->fds = std::move(fds);
    *message = std::move(*decoded);
    return std::nullopt;
  }
}

bool Channel::Readable() const {
  pollfd p{fd_.get(), POLLIN, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP)) != 0;
}

int64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int RemainingMs(int64_t deadline_ns) {
  const int64_t left = deadline_ns - MonotonicNs();
  if (left <= 0) return 0;
  return static_cast<int>(std::min<int64_t>((left + 999'999) / 1'000'000, 1 << 30));
}

}  // namespace cambrian::kernels
