// Included by a candidate's CUDA source: how it declares its launch
// configuration to the trusted judge (kernels/cpp/launch_decl.h).
//
//   #include "cambrian_launch.cuh"
//   CAMBRIAN_LAUNCH(kThreads, 1, 1,   // block x, y, z
//                   kRows, 1, 1,      // elements of each grid axis one block covers
//                   0);               // dynamic shared memory, bytes
//
// The judge reads this constant from the loaded module, checks it against
// the device's limits and launches ceil(extent / tile) blocks per axis. The
// candidate supplies device code only: the judge's host code owns the
// buffers, the launches, the clock and the report.
#ifndef CAMBRIAN_KERNELS_CUDA_CAMBRIAN_LAUNCH_CUH_
#define CAMBRIAN_KERNELS_CUDA_CAMBRIAN_LAUNCH_CUH_

struct CambrianLaunch {
  int block_x, block_y, block_z;
  int tile_x, tile_y, tile_z;
  int dynamic_smem;
};

#define CAMBRIAN_LAUNCH(...) \
  extern "C" __constant__ __device__ CambrianLaunch cambrian_launch = {__VA_ARGS__}

#endif  // CAMBRIAN_KERNELS_CUDA_CAMBRIAN_LAUNCH_CUH_
