#include "sandbox/output_tail.h"

#include <cstddef>

namespace cambrian::sandbox {

OutputTail::OutputTail(int64_t capacity) : capacity_(capacity > 0 ? capacity : 0) {}

void OutputTail::Append(std::string_view bytes) {
  total_ += static_cast<int64_t>(bytes.size());
  if (capacity_ == 0) return;
  const auto capacity = static_cast<size_t>(capacity_);
  if (bytes.size() >= capacity) {
    buffer_.assign(bytes.substr(bytes.size() - capacity));
    return;
  }
  buffer_.append(bytes);
  // Trim only once the buffer doubles, so a long stream of small chunks costs
  // amortised O(1) per byte instead of a memmove per chunk.
  if (buffer_.size() > 2 * capacity) buffer_.erase(0, buffer_.size() - capacity);
}

std::string OutputTail::Tail() const {
  const auto capacity = static_cast<size_t>(capacity_);
  size_t start = buffer_.size() > capacity ? buffer_.size() - capacity : 0;
  // Only skip continuation bytes where bytes were actually cut off.
  if (total_ > capacity_) {
    for (int i = 0; i < 3 && start < buffer_.size(); ++i) {
      if ((static_cast<unsigned char>(buffer_[start]) & 0xC0) != 0x80) break;
      ++start;
    }
  }
  return buffer_.substr(start);
}

}  // namespace cambrian::sandbox
