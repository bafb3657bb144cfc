// -loom-outline-kernels: each linalg op on buffers a call of a kernel function, one per distinct kernel.
// RUN: %loom-opt %s -loom-outline-kernels -split-input-file | FileCheck %s

#id = affine_map<(d0) -> (d0)>

// The same op on other buffers, in two exports, is one kernel; another shape is another.
// CHECK-LABEL: func.func @f(
// CHECK-NOT: linalg.
// CHECK: call @k0_generic(%arg0, %arg1) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK: call @k0_generic(%arg1, %arg2) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK: call @k1_generic(%arg3, %arg4) : (memref<8xf32>, memref<8xf32>) -> ()
// CHECK-LABEL: func.func @g(
// CHECK: call @k0_generic(%arg0, %arg1)
// CHECK: func.func private @k0_generic(%arg0: memref<4xf32> {llvm.noalias}, %arg1: memref<4xf32> {llvm.noalias}) attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
// CHECK: %[[C:.*]] = arith.constant 2.0
// CHECK: linalg.generic {{.*}} ins(%arg0 : memref<4xf32>) outs(%arg1 : memref<4xf32>)
// CHECK: arith.mulf %{{.*}}, %[[C]]
// CHECK: return
// CHECK: func.func private @k1_generic(
// CHECK-NOT: func.func private
func.func @f(%a: memref<4xf32>, %b: memref<4xf32>, %c: memref<4xf32>, %d: memref<8xf32>, %e: memref<8xf32>) {
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %two : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%b : memref<4xf32>) outs(%c : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %two : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%d : memref<8xf32>) outs(%e : memref<8xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %two : f32
    linalg.yield %m : f32
  }
  return
}
func.func @g(%a: memref<4xf32>, %b: memref<4xf32>) {
  %two = arith.constant 2.0 : f32
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.mulf %x, %two : f32
    linalg.yield %m : f32
  }
  return
}

// -----

#id = affine_map<(d0) -> (d0)>

// An operand used twice (an update in place) is one argument; two views of one
// buffer may overlap and get no noalias; a scalar from outside the body that is
// not a constant becomes an argument.
// CHECK-LABEL: func.func @h(
// CHECK: call @k0_generic(%arg0, %arg1) : (memref<4xf32>, memref<4xf32>) -> ()
// CHECK: %[[LO:.*]] = memref.subview %alloc[0] [4] [1]
// CHECK: %[[HI:.*]] = memref.subview %alloc[4] [4] [1]
// CHECK: call @k1_generic(%[[LO]], %[[HI]], %[[S:.*]]) :
// CHECK: func.func private @k0_generic(%arg0: memref<4xf32> {llvm.noalias}, %arg1: memref<4xf32> {llvm.noalias})
// CHECK: ins(%arg0, %arg1 : memref<4xf32>, memref<4xf32>) outs(%arg0 : memref<4xf32>)
// CHECK: func.func private @k1_generic(%arg0: memref<4xf32, strided<[1]>>, %arg1: memref<4xf32, strided<[1], offset: 4>>, %arg2: f32)
// CHECK-NOT: llvm.noalias
// CHECK: arith.addf %{{.*}}, %arg2
func.func @h(%p: memref<4xf32>, %g: memref<4xf32>, %s: memref<f32>) {
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]} ins(%p, %g : memref<4xf32>, memref<4xf32>) outs(%p : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %m = arith.subf %x, %y : f32
    linalg.yield %m : f32
  }
  %buf = memref.alloc() : memref<8xf32>
  %lo = memref.subview %buf[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  %hi = memref.subview %buf[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  %sv = memref.load %s[] : memref<f32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%lo : memref<4xf32, strided<[1]>>) outs(%hi : memref<4xf32, strided<[1], offset: 4>>) {
  ^bb0(%x: f32, %y: f32):
    %m = arith.addf %x, %sv : f32
    linalg.yield %m : f32
  }
  memref.dealloc %buf : memref<8xf32>
  return
}
