// Output poisoning and guard zones, shared by the CPU and GPU judges.
//
// Before every call the judge fills the outputs with kPoisonWord, a quiet
// NaN in f32 (and two NaNs in f16 and bf16), so an element the kernel never
// wrote fails the comparison instead of passing with last call's value; the
// zones around each output are filled with a per-job random word, so a write
// outside the outputs shows as a changed guard.
#ifndef CAMBRIAN_KERNELS_POISON_H_
#define CAMBRIAN_KERNELS_POISON_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace cambrian::kernels {

inline constexpr uint32_t kPoisonWord = 0x7fc17fc1;  // f32 NaN; as two halves, f16 and bf16 NaNs

void FillWords(std::span<uint32_t> words, uint32_t value);
// How many of `words` differ from `value`.
size_t CountChanged(std::span<const uint32_t> words, uint32_t value);
// A guard word from `random`: never 0, never the poison, never a word a
// zeroing or poisoning kernel writes by accident (its halves differ).
uint32_t GuardWord(uint64_t random);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_POISON_H_
