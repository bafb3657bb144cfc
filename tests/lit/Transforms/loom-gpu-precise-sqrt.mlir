// -loom-gpu-precise-sqrt: square roots in kernels become the llvm.sqrt intrinsic
// (sqrt.rn on NVPTX), not libdevice calls that LLVM 19 makes approximate.
// RUN: %loom-opt %s -pass-pipeline='builtin.module(gpu.module(loom-gpu-precise-sqrt))' | FileCheck %s
// RUN: %loom-opt %s -pass-pipeline='builtin.module(gpu.module(loom-gpu-precise-sqrt,convert-gpu-to-nvvm))' | FileCheck %s --check-prefix=NVVM

// CHECK-LABEL: gpu.func @k
// CHECK: llvm.call_intrinsic "llvm.sqrt"(%{{.*}}) : (f32) -> f32
// CHECK: llvm.call_intrinsic "llvm.sqrt"(%{{.*}}) : (f64) -> f64
// CHECK: llvm.call_intrinsic "llvm.sqrt"(%{{.*}}) : (f16) -> f16
// CHECK-NOT: math.sqrt
// Host code is left alone (the CPU lowers math.sqrt exactly already).
// CHECK-LABEL: func.func @host
// CHECK: math.sqrt
// NVVM-NOT: __nv_sqrtf
// NVVM-NOT: __nv_sqrt(
// NVVM: llvm.call_intrinsic "llvm.sqrt"
module attributes {gpu.container_module} {
  gpu.module @m {
    gpu.func @k(%x: f32, %y: f64, %h: f16, %o: memref<3xf32>) kernel {
      %a = math.sqrt %x : f32
      %b = math.sqrt %y : f64
      %c = math.sqrt %h : f16
      %bt = arith.truncf %b : f64 to f32
      %ct = arith.extf %c : f16 to f32
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c2 = arith.constant 2 : index
      memref.store %a, %o[%c0] : memref<3xf32>
      memref.store %bt, %o[%c1] : memref<3xf32>
      memref.store %ct, %o[%c2] : memref<3xf32>
      gpu.return
    }
  }
  func.func @host(%x: f32) -> f32 {
    %r = math.sqrt %x : f32
    return %r : f32
  }
}
