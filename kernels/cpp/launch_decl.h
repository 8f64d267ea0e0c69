// The launch configuration a candidate's device code declares
// (kernels/cuda/cambrian_launch.cuh), checked against the device's limits
// and turned into a grid by the judge. Plain data, so the checks are tested
// without a GPU.
//
// The candidate declares its block shape, how many elements of each grid
// axis one block covers (its tile), and the dynamic shared memory it wants;
// the task says how many elements each axis has (its extents); the judge
// launches ceil(extent / tile) blocks along each axis. A kernel that covers
// less than its tile leaves outputs poisoned and fails the check.
#ifndef CAMBRIAN_KERNELS_LAUNCH_DECL_H_
#define CAMBRIAN_KERNELS_LAUNCH_DECL_H_

#include <array>
#include <cstdint>
#include <string>

namespace cambrian::kernels {

// Field for field the device struct CambrianLaunch (7 ints, 28 bytes).
struct LaunchDecl {
  int block_x = 0, block_y = 0, block_z = 0;
  int tile_x = 0, tile_y = 0, tile_z = 0;
  int dynamic_smem = 0;
};
static_assert(sizeof(LaunchDecl) == 28);

struct LaunchLimits {
  int max_threads_per_block = 1024;
  std::array<int, 3> max_block = {1024, 1024, 64};
  std::array<int64_t, 3> max_grid = {2147483647, 65535, 65535};
  int max_dynamic_smem = 48 * 1024;  // the opt-in maximum per block
};

struct Grid {
  int64_t x = 1, y = 1, z = 1;
};

// "" when `decl` can be launched over `extents` within `limits`, else why
// not ("block 64x32x1 has 2048 threads, the device allows 1024").
std::string CheckLaunch(const LaunchDecl& decl, const std::array<int64_t, 3>& extents,
                        const LaunchLimits& limits);

// ceil(extent / tile) per axis (at least 1). Only for a decl CheckLaunch
// accepted.
Grid GridFor(const LaunchDecl& decl, const std::array<int64_t, 3>& extents);

// "block 16x16x1, tile 64x64x1, 0 B dynamic shared memory".
std::string DescribeLaunch(const LaunchDecl& decl);

}  // namespace cambrian::kernels

#endif  // CAMBRIAN_KERNELS_LAUNCH_DECL_H_
