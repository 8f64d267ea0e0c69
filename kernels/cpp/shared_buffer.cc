#include "shared_buffer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <utility>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010  // Linux 5.1; older libc headers lack it
#endif

namespace cambrian::kernels {
namespace {

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Maps `bytes` of `fd` shared with `prot`; an empty Mapping for 0 bytes.
std::optional<Mapping> MapShared(int fd, size_t bytes, int prot, std::string* error) {
  if (bytes == 0) return Mapping();
  void* data = mmap(nullptr, bytes, prot, MAP_SHARED, fd, 0);
  if (data == MAP_FAILED) {
    *error = Errno("mmap");
    return std::nullopt;
  }
  return Mapping(data, bytes);
}

}  // namespace

Mapping::Mapping(Mapping&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) munmap(data_, bytes_);
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

Mapping::~Mapping() {
  if (data_ != nullptr) munmap(data_, bytes_);
}

std::optional<SharedBuffer> SharedBuffer::Create(const char* name, size_t bytes,
                                                 WorkerAccess access, std::string* error) {
  UniqueFd fd(memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd.valid()) {
    *error = Errno("memfd_create");
    return std::nullopt;
  }
  if (ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0) {
    *error = Errno("ftruncate");
    return std::nullopt;
  }
  // The judge's writable mapping must exist before F_SEAL_FUTURE_WRITE,
  // which forbids only new writable mappings.
  std::optional<Mapping> mapping = MapShared(fd.get(), bytes, PROT_READ | PROT_WRITE, error);
  if (!mapping) return std::nullopt;
  int seals = F_SEAL_SHRINK | F_SEAL_GROW;
  if (access == WorkerAccess::kReadOnly) seals |= F_SEAL_FUTURE_WRITE;
  if (fcntl(fd.get(), F_ADD_SEALS, seals) != 0 || fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SEAL) != 0) {
    *error = Errno("F_ADD_SEALS");
    return std::nullopt;
  }
  if (fcntl(fd.get(), F_GET_SEALS) != (seals | F_SEAL_SEAL)) {
    *error = "the memfd's seals read back differ from those added";
    return std::nullopt;
  }
  return SharedBuffer(std::move(fd), std::move(*mapping));
}

std::optional<Mapping> MapForWorker(UniqueFd fd, size_t bytes, WorkerAccess access,
                                    std::string* error) {
  struct stat st;
  if (fstat(fd.get(), &st) != 0) {
    *error = Errno("fstat");
    return std::nullopt;
  }
  if (st.st_size < 0 || static_cast<uint64_t>(st.st_size) != bytes) {
    *error = "a buffer's size differs from the size MEMORY states";
    return std::nullopt;
  }
  const int prot = access == WorkerAccess::kReadOnly ? PROT_READ : PROT_READ | PROT_WRITE;
  return MapShared(fd.get(), bytes, prot, error);
}

}  // namespace cambrian::kernels
