// -loom-parallel-kernels: an outlined kernel with enough work runs in ranges of one parallel loop on the runtime's threads.
// RUN: %loom-opt %s -loom-parallel-kernels=min-work=1024 -split-input-file | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>

// An elementwise kernel with a scalar argument and linalg.index: split along
// d0 (64 rows, at least 1024 iterations a range: 4 rows); the scalar travels
// as a 0-d buffer, the index is shifted back by the range's start.
// CHECK-LABEL: func.func private @k0_generic(%arg0: memref<64x256xf32> {llvm.noalias}, %arg1: f32, %arg2: memref<64x256xf32> {llvm.noalias})
// CHECK: %[[ARGS:.*]] = llvm.alloca %{{.*}} x !llvm.ptr
// CHECK: memref.extract_aligned_pointer_as_index %arg0
// CHECK: %[[BOX:.*]] = memref.alloca() : memref<f32>
// CHECK: memref.store %arg1, %[[BOX]][]
// CHECK: memref.extract_aligned_pointer_as_index %[[BOX]]
// CHECK: memref.extract_aligned_pointer_as_index %arg2
// CHECK: %[[F:.*]] = constant @k0_generic_part : (memref<64x256xf32>, memref<f32>, memref<64x256xf32>, index, index) -> ()
// CHECK: %[[FP:.*]] = builtin.unrealized_conversion_cast %[[F]] {{.*}} to !llvm.ptr
// CHECK-DAG: %[[NARGS:.*]] = arith.constant 3 : i64
// CHECK-DAG: %[[N:.*]] = arith.constant 64 : i64
// CHECK-DAG: %[[GRAIN:.*]] = arith.constant 4 : i64
// CHECK: call @loom_rt_parallel_for(%[[FP]], %[[ARGS]], %[[NARGS]], %[[N]], %[[GRAIN]]) : (!llvm.ptr, !llvm.ptr, i64, i64, i64) -> ()
// CHECK-NOT: linalg.generic
// CHECK: return
// CHECK: func.func private @k0_generic_part(%arg0: memref<64x256xf32> {llvm.noalias}, %arg1: memref<f32>, %arg2: memref<64x256xf32> {llvm.noalias}, %[[LO:.*]]: index, %[[HI:.*]]: index) attributes {passthrough = ["noinline"]}
// CHECK: %[[S:.*]] = memref.load %arg1[]
// CHECK: %[[LEN:.*]] = arith.subi %[[HI]], %[[LO]]
// CHECK: %[[X:.*]] = memref.subview %arg0[%[[LO]], 0] [%[[LEN]], 256] [1, 1]
// CHECK: %[[Y:.*]] = memref.subview %arg2[%[[LO]], 0] [%[[LEN]], 256] [1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[X]] : {{.*}}) outs(%[[Y]] : {{.*}})
// CHECK: %[[I:.*]] = linalg.index 0
// CHECK: affine.apply #{{.*}}(%[[I]])[%[[LO]]]
// CHECK: arith.mulf %{{.*}}, %[[S]]
// CHECK: func.func private @loom_rt_parallel_for(!llvm.ptr, !llvm.ptr, i64, i64, i64)
func.func private @k0_generic(%x: memref<64x256xf32> {llvm.noalias}, %s: f32, %y: memref<64x256xf32> {llvm.noalias}) attributes {passthrough = ["noinline"]} {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<64x256xf32>) outs(%y : memref<64x256xf32>) {
  ^bb0(%a: f32, %b: f32):
    %i = linalg.index 0 : index
    %ii = arith.index_cast %i : index to i32
    %f = arith.sitofp %ii : i32 to f32
    %m = arith.mulf %a, %s : f32
    %r = arith.addf %m, %f : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A per-channel sum (batch-norm statistics): the reductions stay whole, the
// channel loop d1 is split; the input is sliced along its second dimension.
// CHECK-LABEL: func.func private @k1_generic(
// CHECK: call @loom_rt_parallel_for
// CHECK: func.func private @k1_generic_part(%arg0: memref<8x64x16xf32>, %arg1: memref<64xf32>, %[[LO:.*]]: index, %[[HI:.*]]: index)
// CHECK: memref.subview %arg0[0, %[[LO]], 0] [8, %{{.*}}, 16] [1, 1, 1]
// CHECK: memref.subview %arg1[%[[LO]]] [%{{.*}}] [1]
// CHECK: iterator_types = ["reduction", "parallel", "reduction"]
func.func private @k1_generic(%x: memref<8x64x16xf32>, %y: memref<64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1)>], iterator_types = ["reduction", "parallel", "reduction"]} ins(%x : memref<8x64x16xf32>) outs(%y : memref<64xf32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Left on one thread: too little work, a full reduction (no parallel loop),
// loops that an operand reads only shifted by another (a window), and an
// export (public: only outlined kernels are split).
// CHECK-LABEL: func.func private @small(
// CHECK-NEXT: linalg.generic
// CHECK-LABEL: func.func private @total(
// CHECK-NEXT: linalg.generic
// CHECK-LABEL: func.func private @window(
// CHECK-NEXT: linalg.generic
// CHECK-LABEL: func.func @export(
// CHECK-NEXT: linalg.generic
// CHECK-NOT: loom_rt_parallel_for
func.func private @small(%x: memref<16x16xf32>, %y: memref<16x16xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<16x16xf32>) outs(%y : memref<16x16xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return
}
func.func private @total(%x: memref<64x256xf32>, %y: memref<f32>) {
  linalg.generic {indexing_maps = [#id, affine_map<(d0, d1) -> ()>], iterator_types = ["reduction", "reduction"]} ins(%x : memref<64x256xf32>) outs(%y : memref<f32>) {
  ^bb0(%a: f32, %b: f32):
    %r = arith.addf %a, %b : f32
    linalg.yield %r : f32
  }
  return
}
func.func private @window(%x: memref<128x128xf32>, %y: memref<64x64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0 + d1, d1 + d0)>, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<128x128xf32>) outs(%y : memref<64x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return
}
func.func @export(%x: memref<64x256xf32>, %y: memref<64x256xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%x : memref<64x256xf32>) outs(%y : memref<64x256xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return
}
