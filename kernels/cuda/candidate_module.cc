#include "candidate_module.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <vector>

namespace cambrian::kernels::gpu {
namespace {

std::vector<char> ReadBounded(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CandidateError("cannot read the compiled kernel " + path);
  std::vector<char> bytes;
  bytes.reserve(1 << 20);
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    bytes.insert(bytes.end(), chunk, chunk + in.gcount());
    if (bytes.size() > CandidateModule::kMaxFileBytes) {
      throw CandidateError(path + " is larger than 64 MiB");
    }
  }
  if (bytes.empty()) throw CandidateError(path + " is empty");
  bytes.push_back('\0');  // PTX text must be terminated; a binary ignores it
  return bytes;
}

int FunctionAttribute(CUfunction function, CUfunction_attribute attribute) {
  int value = 0;
  Check(cuFuncGetAttribute(&value, attribute, function), "cuFuncGetAttribute");
  return value;
}

}  // namespace

CandidateModule::CandidateModule(const std::string& path, const std::string& kernel, const Gpu& gpu)
    : limits_(gpu.limits()) {
  const std::vector<char> image = ReadBounded(path);
  char log[4096] = {};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void* values[] = {log, reinterpret_cast<void*>(sizeof log - 1)};
  const CUresult loaded = cuModuleLoadDataEx(&module_, image.data(), 2, options, values);
  if (loaded != CUDA_SUCCESS) {
    throw CandidateError("the driver refused the module (" + ErrorName(loaded) +
                         (log[0] ? "): " + std::string(log) : ")") +
                         "; is it built for this GPU's architecture?");
  }
  try {
    Inspect(kernel);
  } catch (...) {
    cuModuleUnload(module_);  // the destructor does not run for a failed constructor
    throw;
  }
}

void CandidateModule::Inspect(const std::string& kernel) {
  if (cuModuleGetFunction(&function_, module_, kernel.c_str()) != CUDA_SUCCESS) {
    throw CandidateError("no extern \"C\" __global__ function '" + kernel + "' in the module");
  }
  CUdeviceptr address = 0;
  size_t bytes = 0;
  if (cuModuleGetGlobal(&address, &bytes, module_, "cambrian_launch") != CUDA_SUCCESS) {
    throw CandidateError("no CAMBRIAN_LAUNCH(...) declaration (cambrian_launch.cuh)");
  }
  if (bytes != sizeof decl_) {
    throw CandidateError("cambrian_launch has " + std::to_string(bytes) + " bytes, not " +
                         std::to_string(sizeof decl_));
  }
  Check(cuMemcpyDtoH(&decl_, address, sizeof decl_), "reading cambrian_launch");
  facts_.registers = FunctionAttribute(function_, CU_FUNC_ATTRIBUTE_NUM_REGS);
  facts_.local_bytes = FunctionAttribute(function_, CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES);
  facts_.static_smem = FunctionAttribute(function_, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES);
  facts_.max_threads = FunctionAttribute(function_, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
  facts_.binary_version = FunctionAttribute(function_, CU_FUNC_ATTRIBUTE_BINARY_VERSION);
  // The opt-in maximum covers static and dynamic shared memory together.
  limits_.max_dynamic_smem = std::max(0, limits_.max_dynamic_smem - facts_.static_smem);
  // Shared memory beyond the default 48 KiB needs an opt-in per function.
  if (decl_.dynamic_smem > 0 && decl_.dynamic_smem <= limits_.max_dynamic_smem) {
    const CUresult set = cuFuncSetAttribute(
        function_, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, decl_.dynamic_smem);
    if (set != CUDA_SUCCESS) {
      throw CandidateError("the driver refused " + std::to_string(decl_.dynamic_smem) +
                           " B of dynamic shared memory (" + ErrorName(set) + ")");
    }
  }
}

CandidateModule::~CandidateModule() {
  if (module_ != nullptr) cuModuleUnload(module_);
}

void CandidateModule::CheckFor(const std::array<int64_t, 3>& extents) const {
  LaunchLimits limits = limits_;
  limits.max_threads_per_block = std::min(limits.max_threads_per_block, facts_.max_threads);
  const std::string refused = CheckLaunch(decl_, extents, limits);
  if (!refused.empty()) {
    throw CandidateError("launch declaration refused: " + refused + " (" + DescribeLaunch(decl_) +
                         ", " + std::to_string(facts_.registers) + " registers per thread)");
  }
}

void CandidateModule::CheckParameters(const std::vector<size_t>& sizes) const {
  const std::string expected = std::to_string(sizes.size()) + " parameters";
  for (size_t i = 0; i <= sizes.size(); ++i) {
    size_t offset = 0, size = 0;
    const CUresult result = cuFuncGetParamInfo(function_, i, &offset, &size);
    if (i == sizes.size()) {
      if (result == CUDA_SUCCESS) throw CandidateError("the kernel takes more than " + expected);
    } else if (result == CUDA_ERROR_INVALID_VALUE) {
      throw CandidateError("the kernel takes " + std::to_string(i) + " parameters, not " +
                           expected);
    } else {
      Check(result, "cuFuncGetParamInfo");
      if (size != sizes[i]) {
        throw CandidateError("parameter " + std::to_string(i + 1) + " of the kernel has " +
                             std::to_string(size) + " bytes, not " + std::to_string(sizes[i]));
      }
    }
  }
}

void CandidateModule::Launch(const std::array<int64_t, 3>& extents, void** args,
                             CUstream stream) const {
  CheckFor(extents);
  const Grid grid = GridFor(decl_, extents);
  Check(cuLaunchKernel(function_, static_cast<unsigned>(grid.x), static_cast<unsigned>(grid.y),
                       static_cast<unsigned>(grid.z), decl_.block_x, decl_.block_y, decl_.block_z,
                       decl_.dynamic_smem, stream, args, nullptr),
        "launching the candidate's kernel");
}

}  // namespace cambrian::kernels::gpu
