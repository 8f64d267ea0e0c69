// The two shared-memory buffers of a judged stage (kernels/PROTOCOL.md,
// "Buffers"): the judge creates and seals them, the worker maps them.
#ifndef CAMBRIAN_KERNELS_SHARED_BUFFER_H_
#define CAMBRIAN_KERNELS_SHARED_BUFFER_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include "unique_fd.h"

namespace cambrian::kernels {

// A MAP_SHARED mapping, unmapped when the owner goes away. Move-only.
class Mapping {
 public:
  Mapping() = default;
  Mapping(void* data, size_t bytes) : data_(data), bytes_(bytes) {}
  Mapping(Mapping&& other) noexcept;
  Mapping& operator=(Mapping&& other) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();

  std::byte* data() const { return static_cast<std::byte*>(data_); }
  size_t size() const { return bytes_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

// Who may write a buffer once it is shared.
enum class WorkerAccess {
  kReadOnly,   // the input: sealed with F_SEAL_FUTURE_WRITE too
  kReadWrite,  // the output
};

// A judge's buffer: a sealed memfd and the judge's own writable mapping,
// made before sealing so that it stays writable after F_SEAL_FUTURE_WRITE.
// Every buffer is sealed F_SEAL_SHRINK | F_SEAL_GROW (| F_SEAL_FUTURE_WRITE
// for kReadOnly) | F_SEAL_SEAL, and the seals are read back to confirm.
class SharedBuffer {
 public:
  // nullopt and `*error` (naming the failing call) if the memfd cannot be
  // made, sized, mapped or sealed. `bytes` may be 0 (no mapping then).
  [[nodiscard]] static std::optional<SharedBuffer> Create(const char* name, size_t bytes,
                                                          WorkerAccess access, std::string* error);

  std::span<std::byte> bytes() const { return {mapping_.data(), mapping_.size()}; }
  // The memfd to pass to the worker; -1 after CloseFd.
  int fd() const { return fd_.get(); }
  // Closes the memfd once it has been sent; the mapping stays.
  void CloseFd() { fd_.Reset(); }

 private:
  SharedBuffer(UniqueFd fd, Mapping mapping) : fd_(std::move(fd)), mapping_(std::move(mapping)) {}
  UniqueFd fd_;
  Mapping mapping_;
};

// The worker's side: maps `fd` MAP_SHARED, PROT_READ for kReadOnly and
// PROT_READ | PROT_WRITE for kReadWrite, after checking that the memfd holds
// exactly `bytes`. The descriptor is closed either way. nullopt and `*error`
// on failure.
[[nodiscard]] std::optional<Mapping> MapForWorker(UniqueFd fd, size_t bytes, WorkerAccess access,
                                                  std::string* error);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_SHARED_BUFFER_H_
