// -loom-all-reduce-to-runtime: a data-parallel step's all-reduce of buffers as
// runtime calls: one add per buffer (address, element count), in order, then wait.
// RUN: %loom-opt %s -loom-all-reduce-to-runtime -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[W:.*]]: memref<16x8xf32>, %[[ARENA:.*]]: memref<1024xi8>)
// CHECK: %[[B:.*]] = memref.view %[[ARENA]]
// CHECK: memref.extract_aligned_pointer_as_index %[[W]]
// CHECK: %[[WP:.*]] = llvm.inttoptr
// CHECK: %[[WE:.*]] = llvm.getelementptr %[[WP]][0] : (!llvm.ptr) -> !llvm.ptr, f32
// CHECK: %[[N0:.*]] = arith.constant 128 : i64
// CHECK: call @loom_rt_all_reduce_add(%[[WE]], %[[N0]]) : (!llvm.ptr, i64) -> ()
// The arena buffer's address is the arena's plus the view's byte shift.
// CHECK: memref.extract_aligned_pointer_as_index %[[ARENA]]
// CHECK: %[[AP:.*]] = llvm.inttoptr
// CHECK: %[[BP:.*]] = llvm.getelementptr %[[AP]][%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK: %[[BE:.*]] = llvm.getelementptr %[[BP]][0] : (!llvm.ptr) -> !llvm.ptr, f32
// CHECK: %[[N1:.*]] = arith.constant 16 : i64
// CHECK: call @loom_rt_all_reduce_add(%[[BE]], %[[N1]])
// CHECK-NEXT: call @loom_rt_all_reduce_wait() : () -> ()
// CHECK-NOT: loom.all_reduce
// CHECK: return
// CHECK: func.func private @loom_rt_all_reduce_add(!llvm.ptr, i64)
// CHECK: func.func private @loom_rt_all_reduce_wait()
func.func @step(%w: memref<16x8xf32>, %arena: memref<1024xi8>) {
  %c512 = arith.constant 512 : index
  %b = memref.view %arena[%c512][] : memref<1024xi8> to memref<16xf32>
  loom.all_reduce %w, %b : memref<16x8xf32>, memref<16xf32>
  return
}

// -----

// A strided view is not one run of elements: said, not reduced in pieces.
func.func @strided(%w: memref<16x8xf32>) {
  %s = memref.subview %w[0, 0] [16, 4] [1, 1] : memref<16x8xf32> to memref<16x4xf32, strided<[8, 1]>>
  // expected-error @below {{needs dense f32 buffers of static shape, got 'memref<16x4xf32, strided<[8, 1]>>'}}
  loom.all_reduce %s : memref<16x4xf32, strided<[8, 1]>>
  return
}
