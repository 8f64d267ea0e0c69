// Keeps the last N bytes of a stream and counts all of it, in bounded memory:
// a job may print gigabytes, the harness keeps a few kilobytes.
#ifndef CAMBRIAN_SANDBOX_OUTPUT_TAIL_H_
#define CAMBRIAN_SANDBOX_OUTPUT_TAIL_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace cambrian::sandbox {

// Not thread-safe; one per job. Memory use stays below 2 * capacity + one
// appended chunk.
class OutputTail {
 public:
  // `capacity` <= 0 keeps nothing (bytes are still counted).
  explicit OutputTail(int64_t capacity);

  void Append(std::string_view bytes);

  // Total bytes appended so far.
  int64_t total_bytes() const { return total_; }

  // The last `capacity` bytes (fewer if less was appended). When the cut
  // falls inside a UTF-8 sequence the partial sequence is dropped, so a tail
  // of valid UTF-8 output is valid UTF-8. Output is otherwise raw bytes.
  std::string Tail() const;

 private:
  int64_t capacity_;
  int64_t total_ = 0;
  std::string buffer_;  // the last capacity_..2*capacity_ bytes
};

}  // namespace cambrian::sandbox

#endif  // CAMBRIAN_SANDBOX_OUTPUT_TAIL_H_
