// Both sides of the protocol over a real socket pair, the worker a forked
// process: honest workers through RunWorker, hostile ones speaking raw.
#include "judge_session.h"

#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "forked_peer.h"
#include "gtest/gtest.h"
#include "worker.h"

namespace cambrian::kernels {
namespace {

using testing::ForkedPeer;

constexpr size_t kFloats = 1024;
constexpr size_t kBytes = kFloats * sizeof(float);

// out[i] = 2 * in[i] for the first arg[0] floats; declares the call's seq.
WorkerReply Doubler(const WorkerCall& call, const WorkerMemory& memory) {
  const size_t n = call.args.arg[0];
  if (n * sizeof(float) > memory.input.size() || n * sizeof(float) > memory.output.size()) {
    return WorkerReply::Failed("n out of range");
  }
  const auto* in = reinterpret_cast<const float*>(memory.input.data());
  auto* out = reinterpret_cast<float*>(memory.output.data());
  for (size_t i = 0; i < n; ++i) out[i] = 2 * in[i];
  WorkerReply reply;
  reply.declared.Add("seq", std::to_string(call.seq));
  return reply;
}

std::unique_ptr<ForkedPeer> Worker(CallHandler handler, Declarations hello = {}) {
  return std::make_unique<ForkedPeer>([handler, hello](UniqueFd fd) {
    std::string error;
    return RunWorker(std::move(fd), hello, handler, &error);
  });
}

// A worker that speaks raw packets: `script` runs with the channel.
std::unique_ptr<ForkedPeer> RawWorker(std::function<void(Channel&)> script) {
  return std::make_unique<ForkedPeer>([script](UniqueFd fd) {
    Channel channel(std::move(fd));
    script(channel);
    pause();  // stay connected until killed
    return 0;
  });
}

// HELLO, then wait for MEMORY: the usual start of a raw script.
void Greet(Channel& channel) {
  (void)channel.Send(MessageType::kHello, 0, "");
  Message memory;
  (void)channel.Receive(5000, &memory);
}

CallSpec DoubleCall(size_t n, float value, int timeout_ms = 10000) {
  CallSpec spec;
  spec.args.op = 1;
  spec.args.arg[0] = n;
  spec.timeout_ms = timeout_ms;
  spec.prepare = [n, value](std::span<std::byte> in, std::span<std::byte> out) {
    auto* a = reinterpret_cast<float*>(in.data());
    for (size_t i = 0; i < n; ++i) a[i] = value + static_cast<float>(i);
    std::memset(out.data(), 0xff, out.size());
  };
  spec.snapshot_bytes = n * sizeof(float);
  return spec;
}

float At(std::span<const std::byte> bytes, size_t i) {
  float x;
  std::memcpy(&x, bytes.data() + i * sizeof x, sizeof x);
  return x;
}

// Starts a session with `worker` and gets as far as the first call.
std::unique_ptr<JudgeSession> Started(ForkedPeer& worker, Declarations* hello = nullptr) {
  auto session = std::make_unique<JudgeSession>(worker.TakeSocket(), nullptr);
  Declarations ignored;
  EXPECT_FALSE(session->AwaitHello(10000, hello ? hello : &ignored));
  EXPECT_FALSE(session->ShareMemory(kBytes, kBytes));
  return session;
}

// What AwaitHello makes of `worker`'s opening.
std::optional<Fault> HelloFault(ForkedPeer& worker) {
  JudgeSession session(worker.TakeSocket(), nullptr);
  Declarations hello;
  return session.AwaitHello(10000, &hello);
}

int64_t MsSince(int64_t start) { return (MonotonicNs() - start) / 1'000'000; }

TEST(JudgeSessionTest, HonestWorkerServesCallsAndLeavesOnBye) {
  Declarations hello_sent;
  hello_sent.Add("impl", "doubler v1");
  auto worker = Worker(Doubler, hello_sent);
  Declarations hello;
  auto session = Started(*worker, &hello);
  EXPECT_EQ(hello.Find("impl"), "doubler v1");
  for (int call = 1; call <= 3; ++call) {
    CallResult result = session->Call(DoubleCall(kFloats, 10.0f * call));
    ASSERT_FALSE(result.fault) << Describe(*result.fault);
    EXPECT_EQ(result.index, static_cast<size_t>(call - 1));
    EXPECT_EQ(At(result.snapshot, 0), 20.0f * call);
    EXPECT_EQ(At(result.snapshot, kFloats - 1), 2 * (10.0f * call + kFloats - 1));
    EXPECT_EQ(result.declared.Find("seq"), std::to_string(call));
  }
  ASSERT_FALSE(session->Finish());
  EXPECT_EQ(worker->Wait(), 0);
  for (const CallCharge& charge : session->timer().calls()) {
    EXPECT_TRUE(charge.answered && charge.settled);
    EXPECT_GT(charge.wall_ns, 0);
    EXPECT_EQ(charge.charged_ns(), charge.wall_ns);  // unmetered
  }
}

// A worker that answers and keeps writing is judged on what it had written.
TEST(JudgeSessionTest, SnapshotIsTakenWhenDoneArrives) {
  auto worker = Worker([](const WorkerCall&, const WorkerMemory& memory) {
    auto* out = reinterpret_cast<float*>(memory.output.data());
    out[0] = 1.0f;
    std::thread([out] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      out[0] = 2.0f;
    }).detach();
    return WorkerReply::Done();
  });
  auto session = Started(*worker);
  CallResult result = session->Call(DoubleCall(1, 0));
  ASSERT_FALSE(result.fault);
  EXPECT_EQ(At(result.snapshot, 0), 1.0f);
  const int64_t start = MonotonicNs();
  while (At(session->output(), 0) != 2.0f && MsSince(start) < 10000) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(At(session->output(), 0), 2.0f);  // the live buffer changed later
  EXPECT_EQ(At(result.snapshot, 0), 1.0f);
}

TEST(JudgeSessionTest, FailInsteadOfHelloIsWorkerFailed) {
  auto worker = RawWorker([](Channel& c) { (void)c.Send(MessageType::kFail, 0, "no model\x01"); });
  std::optional<Fault> fault = HelloFault(*worker);
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->kind, FaultKind::kWorkerFailed);
  EXPECT_EQ(fault->reason, "the worker sent FAIL: no model?");
}

TEST(JudgeSessionTest, MalformedHelloDeclarationsAreAProtocolFault) {
  auto worker = RawWorker([](Channel& c) { (void)c.Send(MessageType::kHello, 0, "x\n"); });
  std::optional<Fault> fault = HelloFault(*worker);
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->kind, FaultKind::kProtocol);
  EXPECT_NE(fault->reason.find("HELLO: declaration line 1"), std::string::npos);
}

TEST(JudgeSessionTest, SilentWorkerTimesOutAtHello) {
  auto worker = RawWorker([](Channel&) {});
  JudgeSession session(worker->TakeSocket(), nullptr);
  Declarations hello;
  const int64_t start = MonotonicNs();
  std::optional<Fault> fault = session.AwaitHello(200, &hello);
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->kind, FaultKind::kTimeout);
  EXPECT_LT(MsSince(start), 5000);
}

TEST(JudgeSessionTest, HangingCallTimesOutAndTheFaultSticks) {
  auto worker = Worker([](const WorkerCall&, const WorkerMemory&) {
    std::this_thread::sleep_for(std::chrono::seconds(60));
    return WorkerReply::Done();
  });
  auto session = Started(*worker);
  const int64_t start = MonotonicNs();
  CallResult result = session->Call(DoubleCall(4, 0, 200));
  ASSERT_TRUE(result.fault);
  EXPECT_EQ(result.fault->kind, FaultKind::kTimeout);
  EXPECT_EQ(result.fault->reason, "no answer to CALL 1 within 200 ms");
  EXPECT_GE(MsSince(start), 190);
  EXPECT_LT(MsSince(start), 5000);
  CallResult again = session->Call(DoubleCall(4, 0));
  ASSERT_TRUE(again.fault);
  EXPECT_EQ(again.fault->reason, result.fault->reason);
  EXPECT_TRUE(session->Finish());
  EXPECT_FALSE(session->timer().calls()[0].answered);
}

TEST(JudgeSessionTest, WorkerThatExitsMidCallIsGone) {
  auto worker = Worker([](const WorkerCall&, const WorkerMemory&) -> WorkerReply { _exit(0); });
  auto session = Started(*worker);
  CallResult result = session->Call(DoubleCall(4, 0));
  ASSERT_TRUE(result.fault);
  EXPECT_EQ(result.fault->kind, FaultKind::kWorkerGone);
}

TEST(JudgeSessionTest, HandlerFailureAndExceptionAreWorkerFailed) {
  auto failing = Worker(Doubler);
  auto session = Started(*failing);
  CallSpec too_many = DoubleCall(kFloats, 0);
  too_many.args.arg[0] = kFloats + 1;
  CallResult result = session->Call(too_many);
  ASSERT_TRUE(result.fault);
  EXPECT_EQ(result.fault->kind, FaultKind::kWorkerFailed);
  EXPECT_NE(result.fault->reason.find("n out of range"), std::string::npos);
  EXPECT_EQ(failing->Wait(), 1);

  auto throwing = Worker([](const WorkerCall&, const WorkerMemory&) -> WorkerReply {
    throw std::runtime_error("boom");
  });
  session = Started(*throwing);
  result = session->Call(DoubleCall(1, 0));
  ASSERT_TRUE(result.fault);
  EXPECT_NE(result.fault->reason.find("exception: boom"), std::string::npos);
}

TEST(JudgeSessionTest, DoneWithTheWrongSeqIsAProtocolFault) {
  auto worker = RawWorker([](Channel& c) {
    Greet(c);
    Message call;
    (void)c.Receive(5000, &call);
    (void)c.Send(MessageType::kDone, call.seq + 1, "");
  });
  auto session = Started(*worker);
  CallResult result = session->Call(DoubleCall(1, 0));
  ASSERT_TRUE(result.fault);
  EXPECT_EQ(result.fault->kind, FaultKind::kProtocol);
  EXPECT_EQ(result.fault->reason, "got DONE (seq 2) while waiting for DONE 1");
}

// Answering ahead: a DONE for the next call, sent before its CALL.
TEST(JudgeSessionTest, UnsolicitedDoneBeforeCallIsAProtocolFault) {
  int sent[2];
  ASSERT_EQ(pipe(sent), 0);
  auto worker = RawWorker([&sent](Channel& c) {
    Greet(c);
    (void)c.Send(MessageType::kDone, 1, "");
    (void)write(sent[1], "x", 1);
  });
  close(sent[1]);
  auto session = Started(*worker);
  pollfd ready{sent[0], POLLIN, 0};
  ASSERT_EQ(poll(&ready, 1, 10000), 1);  // the DONE is in the socket now
  close(sent[0]);
  CallResult result = session->Call(DoubleCall(1, 0));
  ASSERT_TRUE(result.fault);
  EXPECT_EQ(result.fault->kind, FaultKind::kProtocol);
  EXPECT_EQ(result.fault->reason, "unsolicited DONE (seq 1) before CALL 1");
}

TEST(JudgeSessionTest, FloodOfJunkIsAProtocolFault) {
  auto worker = RawWorker([](Channel& c) {
    for (int i = 0; i < 1000; ++i) {
      if (send(c.fd(), "junk junk junk junk", 19, MSG_DONTWAIT) < 0) break;
    }
  });
  std::optional<Fault> fault = HelloFault(*worker);
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->kind, FaultKind::kProtocol);
  EXPECT_EQ(fault->reason, "bad magic");
}

TEST(JudgeSessionTest, OversizedDoneIsAProtocolFault) {
  auto worker = RawWorker([](Channel& c) {
    Greet(c);
    Message call;
    (void)c.Receive(5000, &call);
    std::string packet = EncodePacket(MessageType::kDone, call.seq, "");
    packet.resize(kHeaderBytes + kMaxPayloadBytes + 1, 'a');
    (void)send(c.fd(), packet.data(), packet.size(), 0);
  });
  auto session = Started(*worker);
  CallResult result = session->Call(DoubleCall(1, 0));
  ASSERT_TRUE(result.fault);
  EXPECT_EQ(result.fault->reason, "payload over 65536 bytes");
}

// The worker library refuses a judge that breaks the order, and says why.
TEST(JudgeSessionTest, WorkerRefusesACallBeforeMemory) {
  auto worker = Worker(Doubler);
  Channel judge(worker->TakeSocket());
  Message hello;
  ASSERT_FALSE(judge.Receive(10000, &hello));
  ASSERT_FALSE(judge.Send(MessageType::kCall, 1, EncodeCallArgs({})));
  Message fail;
  ASSERT_FALSE(judge.Receive(10000, &fail));
  EXPECT_EQ(fail.type, MessageType::kFail);
  EXPECT_EQ(fail.payload, "protocol: unexpected CALL (seq 1)");
  EXPECT_EQ(worker->Wait(), 1);
}

TEST(JudgeSessionTest, WorkerLeavesQuietlyWhenTheJudgeHangsUp) {
  auto worker = Worker(Doubler);
  {
    auto session = Started(*worker);
    ASSERT_FALSE(session->Call(DoubleCall(1, 0)).fault);
  }  // the session's socket closes here
  EXPECT_EQ(worker->Wait(), 0);
}

}  // namespace
}  // namespace cambrian::kernels
