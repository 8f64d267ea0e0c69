// The honest worker of peers.py, written against the C++ worker library
// (kernels/cpp/worker.h), for judge_worker_test.py's interop test: op 1
// reverses the first arg[0] input bytes into the output; op 2 sums them and
// declares "sum". HELLO declares "kind cpp" and "params 7".
#include <algorithm>
#include <cstdint>
#include <string>

#include "worker.h"

using cambrian::kernels::Declarations;
using cambrian::kernels::RunWorkerFromEnv;
using cambrian::kernels::WorkerCall;
using cambrian::kernels::WorkerMemory;
using cambrian::kernels::WorkerReply;

int main() {
  Declarations hello;
  hello.Add("kind", "cpp");
  hello.Add("params", "7");
  return RunWorkerFromEnv(hello, [](const WorkerCall& call, const WorkerMemory& memory) {
    const uint64_t n = call.args.arg[0];
    if (n > memory.input.size() || n > memory.output.size()) {
      return WorkerReply::Failed("arg[0] is larger than the buffers");
    }
    if (call.args.op == 1) {
      std::reverse_copy(memory.input.begin(), memory.input.begin() + n, memory.output.begin());
      return WorkerReply::Done();
    }
    if (call.args.op == 2) {
      uint64_t sum = 0;
      for (uint64_t i = 0; i < n; ++i) sum += static_cast<uint8_t>(memory.input[i]);
      WorkerReply reply;
      reply.declared.Add("sum", std::to_string(sum));
      return reply;
    }
    return WorkerReply::Failed("unknown op " + std::to_string(call.args.op));
  });
}
