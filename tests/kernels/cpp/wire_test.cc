#include "wire.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace cambrian::kernels {
namespace {

// A connected pair, both ends owned by the test.
struct Pair {
  Pair() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds), 0);
    a = Channel(UniqueFd(fds[0]));
    raw = fds[1];
  }
  ~Pair() {
    if (raw >= 0) close(raw);
  }
  void SendRaw(const std::string& bytes) {
    ASSERT_EQ(send(raw, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  Channel a{UniqueFd()};
  int raw = -1;
};

int OpenFdCount() {
  int count = 0;
  DIR* dir = opendir("/proc/self/fd");
  while (dirent* entry = readdir(dir)) count += entry->d_name[0] != '.';
  closedir(dir);
  return count;
}

Fault ExpectFault(Channel& channel, int timeout_ms = 1000) {
  Message message;
  std::optional<Fault> fault = channel.Receive(timeout_ms, &message);
  EXPECT_TRUE(fault.has_value());
  return fault.value_or(Fault{});
}

TEST(WireTest, PacketRoundTrip) {
  const std::string packet = EncodePacket(MessageType::kDone, 42, "x 1\n");
  ASSERT_EQ(packet.size(), kHeaderBytes + 4);
  EXPECT_EQ(packet.substr(0, 4), "CCJ1");
  std::string reason;
  std::optional<Message> message = DecodePacket(packet, &reason);
  ASSERT_TRUE(message) << reason;
  EXPECT_EQ(message->type, MessageType::kDone);
  EXPECT_EQ(message->seq, 42u);
  EXPECT_EQ(message->payload, "x 1\n");
}

TEST(WireTest, CallAndMemoryPayloads) {
  CallArgs call{7, {1, 2, 3, 4, 5, 6, ~uint64_t{0}}};
  std::optional<CallArgs> back = DecodeCallArgs(EncodeCallArgs(call));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->op, 7u);
  EXPECT_EQ(back->arg, call.arg);
  EXPECT_FALSE(DecodeCallArgs(std::string(63, '\0')));
  auto sizes = DecodeMemorySizes(EncodeMemorySizes(1 << 20, 5));
  ASSERT_TRUE(sizes);
  EXPECT_EQ((*sizes)[0], 1u << 20);
  EXPECT_EQ((*sizes)[1], 5u);
}

TEST(WireTest, RejectsMalformedHeaders) {
  std::string reason;
  std::string packet = EncodePacket(MessageType::kHello, 0, "");
  EXPECT_FALSE(DecodePacket(packet.substr(0, 15), &reason));
  EXPECT_NE(reason.find("shorter"), std::string::npos);
  std::string bad = packet;
  bad[0] = 'X';
  EXPECT_FALSE(DecodePacket(bad, &reason));
  EXPECT_EQ(reason, "bad magic");
  bad = packet;
  bad[6] = 1;
  EXPECT_FALSE(DecodePacket(bad, &reason));
  EXPECT_NE(reason.find("reserved"), std::string::npos);
  bad = packet;
  bad[4] = 9;
  EXPECT_FALSE(DecodePacket(bad, &reason));
  EXPECT_NE(reason.find("unknown message type 9"), std::string::npos);
  bad = packet;
  bad[4] = 0;
  EXPECT_FALSE(DecodePacket(bad, &reason));
}

TEST(WireTest, RejectsWrongShapes) {
  std::string reason;
  EXPECT_FALSE(DecodePacket(EncodePacket(MessageType::kHello, 3, ""), &reason));
  EXPECT_FALSE(DecodePacket(EncodePacket(MessageType::kDone, 0, ""), &reason));
  EXPECT_FALSE(DecodePacket(EncodePacket(MessageType::kCall, 1, std::string(63, 'a')), &reason));
  EXPECT_NE(reason.find("CALL payload of 63 bytes, expected 64"), std::string::npos);
  EXPECT_FALSE(DecodePacket(EncodePacket(MessageType::kBye, 0, "x"), &reason));
  EXPECT_FALSE(DecodePacket(EncodePacket(MessageType::kMemory, 0, "short"), &reason));
  EXPECT_TRUE(DecodePacket(EncodePacket(MessageType::kFail, 0, "why"), &reason));
}

TEST(WireTest, ChannelCarriesMessages) {
  Pair pair;
  Channel b{UniqueFd(dup(pair.raw))};
  ASSERT_FALSE(b.Send(MessageType::kHello, 0, "name x\n"));
  Message message;
  ASSERT_FALSE(pair.a.Receive(1000, &message));
  EXPECT_EQ(message.type, MessageType::kHello);
  EXPECT_EQ(message.payload, "name x\n");
  EXPECT_FALSE(pair.a.Readable());
}

TEST(WireTest, MemoryCarriesTwoDescriptors) {
  Pair pair;
  Channel b{UniqueFd(dup(pair.raw))};
  UniqueFd x(open("/dev/null", O_RDONLY)), y(open("/dev/null", O_RDONLY));
  const int fds[2] = {x.get(), y.get()};
  ASSERT_FALSE(b.Send(MessageType::kMemory, 0, EncodeMemorySizes(1, 2), fds));
  Message message;
  ASSERT_FALSE(pair.a.Receive(1000, &message));
  ASSERT_EQ(message.fds.size(), 2u);
  EXPECT_GE(fcntl(message.fds[0].get(), F_GETFD), 0);
  EXPECT_TRUE(fcntl(message.fds[0].get(), F_GETFD) & FD_CLOEXEC);
}

TEST(WireTest, DescriptorsOnOtherMessagesAreAProtocolFaultAndClosed) {
  Pair pair;
  Channel b{UniqueFd(dup(pair.raw))};
  UniqueFd x(open("/dev/null", O_RDONLY));
  const int fds[1] = {x.get()};
  ASSERT_FALSE(b.Send(MessageType::kDone, 1, "", fds));
  const int before = OpenFdCount();
  Fault fault = ExpectFault(pair.a);
  EXPECT_EQ(fault.kind, FaultKind::kProtocol);
  EXPECT_NE(fault.reason.find("DONE with 1 descriptors"), std::string::npos);
  EXPECT_EQ(OpenFdCount(), before);
}

TEST(WireTest, TooManyDescriptorsAreAProtocolFaultAndNoneLeak) {
  Pair pair;
  Channel b{UniqueFd(dup(pair.raw))};
  std::vector<UniqueFd> owned;
  std::vector<int> fds;
  for (int i = 0; i < 20; ++i) {
    owned.emplace_back(open("/dev/null", O_RDONLY));
    fds.push_back(owned.back().get());
  }
  ASSERT_FALSE(b.Send(MessageType::kMemory, 0, EncodeMemorySizes(1, 1), fds));
  owned.clear();
  const int before = OpenFdCount();
  EXPECT_EQ(ExpectFault(pair.a).kind, FaultKind::kProtocol);
  EXPECT_EQ(OpenFdCount(), before);
}

TEST(WireTest, OversizedAndEmptyPacketsAreProtocolFaults) {
  Pair pair;
  std::string huge = EncodePacket(MessageType::kDone, 1, "");
  huge.resize(kHeaderBytes + kMaxPayloadBytes + 100, 'a');
  pair.SendRaw(huge);
  Fault fault = ExpectFault(pair.a);
  EXPECT_EQ(fault.kind, FaultKind::kProtocol);
  EXPECT_EQ(fault.reason, "payload over 65536 bytes");
  pair.SendRaw("");
  fault = ExpectFault(pair.a);
  EXPECT_EQ(fault.kind, FaultKind::kProtocol);
  EXPECT_EQ(fault.reason, "empty packet");
}

TEST(WireTest, EndOfFileIsWorkerGone) {
  Pair pair;
  close(pair.raw);
  pair.raw = -1;
  EXPECT_EQ(ExpectFault(pair.a).kind, FaultKind::kWorkerGone);
  EXPECT_TRUE(pair.a.Readable());
  EXPECT_EQ(pair.a.Send(MessageType::kBye, 0, "")->kind, FaultKind::kWorkerGone);
}

TEST(WireTest, SilenceIsATimeoutWithinTheDeadline) {
  Pair pair;
  const int64_t start = MonotonicNs();
  Fault fault = ExpectFault(pair.a, 100);
  const int64_t elapsed_ms = (MonotonicNs() - start) / 1'000'000;
  EXPECT_EQ(fault.kind, FaultKind::kTimeout);
  EXPECT_GE(elapsed_ms, 90);
  EXPECT_LT(elapsed_ms, 5000);
}

}  // namespace
}  // namespace cambrian::kernels
