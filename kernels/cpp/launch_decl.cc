#include "launch_decl.h"

#include <cstdio>

namespace cambrian::kernels {
namespace {

std::string Format(const char* format, auto... args) {
  char text[200];
  std::snprintf(text, sizeof text, format, args...);
  return text;
}

int64_t Blocks(int64_t extent, int tile) { return extent <= 0 ? 1 : (extent + tile - 1) / tile; }

}  // namespace

std::string CheckLaunch(const LaunchDecl& d, const std::array<int64_t, 3>& extents,
                        const LaunchLimits& limits) {
  const int block[3] = {d.block_x, d.block_y, d.block_z};
  const int tile[3] = {d.tile_x, d.tile_y, d.tile_z};
  for (int axis = 0; axis < 3; ++axis) {
    if (block[axis] < 1 || block[axis] > limits.max_block[axis]) {
      return Format("block size %d on axis %c is outside 1..%d", block[axis], "xyz"[axis],
                    limits.max_block[axis]);
    }
    if (tile[axis] < 1)
      return Format("tile %d on axis %c is not positive", tile[axis], "xyz"[axis]);
    if (Blocks(extents[axis], tile[axis]) > limits.max_grid[axis]) {
      return Format("%lld blocks on axis %c, the device allows %lld",
                    static_cast<long long>(Blocks(extents[axis], tile[axis])), "xyz"[axis],
                    static_cast<long long>(limits.max_grid[axis]));
    }
  }
  const int64_t threads = int64_t{d.block_x} * d.block_y * d.block_z;
  if (threads > limits.max_threads_per_block) {
    return Format("block %dx%dx%d has %lld threads, the device allows %d", d.block_x, d.block_y,
                  d.block_z, static_cast<long long>(threads), limits.max_threads_per_block);
  }
  if (d.dynamic_smem < 0 || d.dynamic_smem > limits.max_dynamic_smem) {
    return Format("%d B of dynamic shared memory, the device allows 0..%d", d.dynamic_smem,
                  limits.max_dynamic_smem);
  }
  return "";
}

Grid GridFor(const LaunchDecl& d, const std::array<int64_t, 3>& extents) {
  return {Blocks(extents[0], d.tile_x), Blocks(extents[1], d.tile_y), Blocks(extents[2], d.tile_z)};
}

std::string DescribeLaunch(const LaunchDecl& d) {
  return Format("block %dx%dx%d, tile %dx%dx%d, %d B dynamic shared memory", d.block_x, d.block_y,
                d.block_z, d.tile_x, d.tile_y, d.tile_z, d.dynamic_smem);
}

}  // namespace cambrian::kernels
