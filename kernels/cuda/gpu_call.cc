#include "gpu_call.h"

#include <cstring>

#include "poison.h"

namespace cambrian::kernels::gpu {
namespace {

// Values rounded to `type`, and their raw bytes.
std::vector<std::byte> Encode(DType type, std::vector<float>& values) {
  std::vector<std::byte> bytes(values.size() * DTypeBytes(type));
  if (type == DType::kF32) {
    std::memcpy(bytes.data(), values.data(), bytes.size());
    return bytes;
  }
  auto* out = reinterpret_cast<uint16_t*>(bytes.data());
  for (size_t i = 0; i < values.size(); ++i) {
    out[i] = type == DType::kF16 ? FloatToHalf(values[i]) : FloatToBf16(values[i]);
    values[i] = type == DType::kF16 ? HalfToFloat(out[i]) : Bf16ToFloat(out[i]);
  }
  return bytes;
}

std::vector<float> Decode(DType type, const std::vector<std::byte>& bytes, size_t count) {
  std::vector<float> values(count);
  if (type == DType::kF32) {
    std::memcpy(values.data(), bytes.data(), count * 4);
    return values;
  }
  const auto* in = reinterpret_cast<const uint16_t*>(bytes.data());
  for (size_t i = 0; i < count; ++i) {
    values[i] = type == DType::kF16 ? HalfToFloat(in[i]) : Bf16ToFloat(in[i]);
  }
  return values;
}

}  // namespace

GpuCall::GpuCall(std::vector<TensorSpec> tensors, std::vector<int> scalars, uint32_t guard_word)
    : specs_(std::move(tensors)), scalars_(std::move(scalars)), guard_word_(guard_word) {
  for (size_t i = 0; i < specs_.size(); ++i) {
    memory_.emplace_back(2 * kGuardBytes + PayloadBytes(i));
    pointers_.push_back(memory_.back().ptr() + kGuardBytes);
  }
  uploaded_.resize(specs_.size());
  for (CUdeviceptr& pointer : pointers_) args_.push_back(&pointer);
  for (int& scalar : scalars_) args_.push_back(&scalar);
}

std::vector<size_t> GpuCall::ArgSizes() const {
  std::vector<size_t> sizes(pointers_.size(), sizeof(CUdeviceptr));
  sizes.resize(sizes.size() + scalars_.size(), sizeof(int));
  return sizes;
}

// Rounded up to whole words, so poisoning covers a trailing half.
size_t GpuCall::PayloadBytes(size_t index) const {
  const TensorSpec& spec = specs_[index];
  return (spec.count * DTypeBytes(spec.dtype) + 3) / 4 * 4;
}

void GpuCall::NewInputs(FastRng& rng, CUstream stream) {
  input_values_.clear();
  for (size_t i = 0; i < specs_.size(); ++i) {
    const TensorSpec& spec = specs_[i];
    Check(cuMemsetD32Async(memory_[i].ptr(), guard_word_, memory_[i].bytes() / 4, stream),
          "filling guards");
    if (spec.output) continue;
    std::vector<float> values(spec.count);
    rng.Fill(values, spec.lo, spec.hi);
    uploaded_[i] = Encode(spec.dtype, values);
    Check(cuMemcpyHtoDAsync(pointers_[i], uploaded_[i].data(), uploaded_[i].size(), stream),
          "uploading inputs");
    input_values_.push_back(std::move(values));
  }
  PoisonOutputs(stream);
  Check(cuStreamSynchronize(stream), "staging inputs");  // the host copies may be reused
}

void GpuCall::PoisonOutputs(CUstream stream) {
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (!specs_[i].output) continue;
    Check(cuMemsetD32Async(pointers_[i], kPoisonWord, PayloadBytes(i) / 4, stream),
          "poisoning outputs");
  }
}

std::string GpuCall::CheckInputsAndGuards() const {
  std::vector<uint32_t> guard(kGuardBytes / 4);
  for (size_t i = 0; i < specs_.size(); ++i) {
    const TensorSpec& spec = specs_[i];
    for (CUdeviceptr zone : {memory_[i].ptr(), pointers_[i] + PayloadBytes(i)}) {
      Check(cuMemcpyDtoH(guard.data(), zone, kGuardBytes), "reading guards");
      const size_t changed = CountChanged(guard, guard_word_);
      if (changed > 0) {
        return "wrote outside its outputs: " + std::to_string(changed) + " guard words around '" +
               spec.name + "' changed";
      }
    }
    if (spec.output) continue;
    std::vector<std::byte> now(uploaded_[i].size());
    Check(cuMemcpyDtoH(now.data(), pointers_[i], now.size()), "reading inputs back");
    if (now != uploaded_[i]) return "modified its input '" + spec.name + "'";
  }
  return "";
}

std::vector<std::vector<float>> GpuCall::Outputs() const {
  std::vector<std::vector<float>> outputs;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const TensorSpec& spec = specs_[i];
    if (!spec.output) continue;
    std::vector<std::byte> bytes(PayloadBytes(i));
    Check(cuMemcpyDtoH(bytes.data(), pointers_[i], bytes.size()), "reading outputs");
    outputs.push_back(Decode(spec.dtype, bytes, spec.count));
  }
  return outputs;
}

}  // namespace cambrian::kernels::gpu
