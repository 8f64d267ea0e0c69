#include "poison.h"

#include <algorithm>

namespace cambrian::kernels {

void FillWords(std::span<uint32_t> words, uint32_t value) {
  std::fill(words.begin(), words.end(), value);
}

size_t CountChanged(std::span<const uint32_t> words, uint32_t value) {
  return static_cast<size_t>(
      std::count_if(words.begin(), words.end(), [value](uint32_t w) { return w != value; }));
}

uint32_t GuardWord(uint64_t random) {
  uint32_t word = static_cast<uint32_t>(random ^ (random >> 32));
  if ((word >> 16) == (word & 0xffff)) word ^= 0x00010000;  // halves differ: not 0, not poison
  return word;
}

}  // namespace cambrian::kernels
