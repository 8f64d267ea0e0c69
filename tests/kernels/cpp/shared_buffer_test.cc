#include "shared_buffer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "forked_peer.h"
#include "gtest/gtest.h"
#include "wire.h"

namespace cambrian::kernels {
namespace {

using testing::ForkedPeer;

constexpr size_t kBytes = 8192;

// Everything a hostile worker might try on the buffers it was handed; the
// list of what unexpectedly succeeded ("" when the seals held).
std::string TryToBreakTheSeals(Message& memory) {
  std::string broken;
  const int in = memory.fds[0].get(), out = memory.fds[1].get();
  if (mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, in, 0) != MAP_FAILED) {
    broken += "input mapped writable; ";
  }
  void* ro = mmap(nullptr, kBytes, PROT_READ, MAP_SHARED, in, 0);
  if (ro == MAP_FAILED) broken += "input not mappable read-only; ";
  if (ro != MAP_FAILED && mprotect(ro, kBytes, PROT_READ | PROT_WRITE) == 0) {
    broken += "input mprotect'ed writable; ";
  }
  if (pwrite(in, "x", 1, 0) == 1) broken += "input written; ";
  if (fallocate(in, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) == 0) {
    broken += "input hole punched; ";
  }
  for (int fd : {in, out}) {
    if (ftruncate(fd, 0) == 0) broken += "truncated; ";
    if (ftruncate(fd, kBytes * 2) == 0) broken += "grown; ";
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == 0) broken += "seals changed; ";
  }
  void* rw = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, out, 0);
  if (rw == MAP_FAILED) {
    broken += "output not mappable writable; ";
  } else {
    std::memcpy(rw, "written by the worker", 22);
  }
  return broken;
}

TEST(SharedBufferTest, AForkedWorkerCannotWriteTheInputOrResizeEither) {
  std::string error;
  auto input = SharedBuffer::Create("in", kBytes, WorkerAccess::kReadOnly, &error);
  auto output = SharedBuffer::Create("out", kBytes, WorkerAccess::kReadWrite, &error);
  ASSERT_TRUE(input && output) << error;
  std::memcpy(input->bytes().data(), "judge input", 12);
  ForkedPeer worker([](UniqueFd fd) {
    Channel channel(std::move(fd));
    Message memory;
    if (channel.Receive(5000, &memory)) return 1;
    return channel.Send(MessageType::kFail, 0, TryToBreakTheSeals(memory)) ? 2 : 0;
  });
  ASSERT_TRUE(worker.started());
  Channel judge(worker.TakeSocket());
  const int fds[2] = {input->fd(), output->fd()};
  ASSERT_FALSE(judge.Send(MessageType::kMemory, 0, EncodeMemorySizes(kBytes, kBytes), fds));
  Message answer;
  ASSERT_FALSE(judge.Receive(10000, &answer));
  EXPECT_EQ(answer.payload, "");
  EXPECT_EQ(worker.Wait(), 0);
  // The judge's own mapping of the input stays writable after the seal.
  std::memcpy(input->bytes().data(), "changed", 8);
  EXPECT_STREQ(reinterpret_cast<const char*>(output->bytes().data()), "written by the worker");
}

TEST(SharedBufferTest, MapForWorkerChecksTheSize) {
  std::string error;
  auto buffer = SharedBuffer::Create("b", 4096, WorkerAccess::kReadWrite, &error);
  ASSERT_TRUE(buffer) << error;
  EXPECT_FALSE(MapForWorker(UniqueFd(dup(buffer->fd())), 8192, WorkerAccess::kReadOnly, &error));
  EXPECT_NE(error.find("size"), std::string::npos);
  auto mapping = MapForWorker(UniqueFd(dup(buffer->fd())), 4096, WorkerAccess::kReadOnly, &error);
  ASSERT_TRUE(mapping) << error;
  buffer->bytes()[5] = std::byte{42};
  EXPECT_EQ(mapping->data()[5], std::byte{42});
}

TEST(SharedBufferTest, ZeroBytesIsAnEmptyBuffer) {
  std::string error;
  auto buffer = SharedBuffer::Create("z", 0, WorkerAccess::kReadOnly, &error);
  ASSERT_TRUE(buffer) << error;
  EXPECT_TRUE(buffer->bytes().empty());
  EXPECT_GE(buffer->fd(), 0);
  buffer->CloseFd();
  EXPECT_EQ(buffer->fd(), -1);
}

}  // namespace
}  // namespace cambrian::kernels
