// -loom-check-numerics: every f32 output of a linalg op in an export is checked right after the op,
// with its first element's address, {rank, sizes, strides} and a text naming the op and its line.
// RUN: %loom-opt %s -loom-check-numerics | FileCheck %s

#id = affine_map<(i, j) -> (i, j)>

// Globals: one per distinct text or layout, shared by every check that uses it.
// CHECK-DAG: llvm.mlir.global internal constant @[[LOG:loom_check_[0-9]+]]("log at model.cpp:12:7\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[L42:loom_check_[0-9]+]](dense<[2, 4, 2, 2, 1]> : tensor<5xi64>) {{.*}} : !llvm.array<5 x i64>
// CHECK-DAG: llvm.mlir.global internal constant @[[GRAD:loom_check_[0-9]+]]("gradient of exp at model.cpp:13:9\00")
// A view at an offset inside a larger buffer: its own strides.
// CHECK-DAG: llvm.mlir.global internal constant @[[LSUB:loom_check_[0-9]+]](dense<[2, 2, 2, 8, 1]> : tensor<5xi64>)
// Several names in one location (an op fusion made of two) are listed; a bare line is "the op at".
// CHECK-DAG: llvm.mlir.global internal constant @{{loom_check_[0-9]+}}("log at model.cpp:12:7, fused with exp at model.cpp:14:3\00")
// CHECK-DAG: llvm.mlir.global internal constant @{{loom_check_[0-9]+}}("the op at model.cpp:20:1\00")

// CHECK-LABEL: func.func @export(
// CHECK: math.log
// CHECK: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: memref.extract_aligned_pointer_as_index %arg1
// CHECK: %[[FIRST:.*]] = llvm.getelementptr %{{.*}}[0] : (!llvm.ptr) -> !llvm.ptr, f32
// CHECK: %[[LAYOUT:.*]] = llvm.mlir.addressof @[[L42]]
// CHECK: %[[SITE:.*]] = llvm.mlir.addressof @[[LOG]]
// CHECK: call @loom_rt_check_finite(%[[FIRST]], %[[LAYOUT]], %[[SITE]]) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
// CHECK: linalg.generic
// CHECK: llvm.mlir.addressof @[[GRAD]]
// CHECK: call @loom_rt_check_finite
// A fill is not checked (-inf starts a max); the subview's first element is element 10 of its buffer.
// CHECK: linalg.fill
// CHECK-NEXT: linalg.generic
// CHECK: llvm.getelementptr %{{.*}}[10] : (!llvm.ptr) -> !llvm.ptr, f32
// CHECK: llvm.mlir.addressof @[[LSUB]]
// CHECK: call @loom_rt_check_finite
// CHECK: linalg.generic
// CHECK: call @loom_rt_check_finite
// CHECK: linalg.generic
// CHECK: call @loom_rt_check_finite
// An i64 output is not checked.
// CHECK: arith.fptosi
// CHECK-NEXT: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @export(%x: memref<4x2xf32>, %y: memref<4x2xf32>, %big: memref<8x8xf32>, %n: memref<4x2xi64>) {
  %c = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x2xf32>) outs(%y : memref<4x2xf32>) {
  ^bb0(%a: f32, %b: f32):
    %l = math.log %a : f32
    linalg.yield %l : f32
  } loc("log"("model.cpp":12:7))
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y : memref<4x2xf32>) outs(%x : memref<4x2xf32>) {
  ^bb0(%a: f32, %b: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  } loc("gradient of exp"("model.cpp":13:9))
  %sub = memref.subview %big[1, 2] [2, 2] [1, 1] : memref<8x8xf32> to memref<2x2xf32, strided<[8, 1], offset: 10>>
  linalg.fill ins(%c : f32) outs(%sub : memref<2x2xf32, strided<[8, 1], offset: 10>>) loc("log"("model.cpp":12:7))
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]}
      outs(%sub : memref<2x2xf32, strided<[8, 1], offset: 10>>) {
  ^bb0(%b: f32):
    %e = math.exp %b : f32
    linalg.yield %e : f32
  } loc("log"("model.cpp":12:7))
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x2xf32>) outs(%y : memref<4x2xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } loc(fused["log"("model.cpp":12:7), "exp"("model.cpp":14:3), "model.cpp":12:7])
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x2xf32>) outs(%y : memref<4x2xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  } loc("model.cpp":20:1)
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x2xf32>) outs(%n : memref<4x2xi64>) {
  ^bb0(%a: f32, %b: i64):
    %i = arith.fptosi %a : f32 to i64
    linalg.yield %i : i64
  }
  return
}

// Private functions (kernels, the runtime's entries) are not exports: not checked.
// CHECK-LABEL: func.func private @kernel(
// CHECK-NOT: call @loom_rt_check_finite
// CHECK: return
func.func private @kernel(%x: memref<4x2xf32>, %y: memref<4x2xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<4x2xf32>) outs(%y : memref<4x2xf32>) {
  ^bb0(%a: f32, %b: f32):
    linalg.yield %a : f32
  }
  return
}
