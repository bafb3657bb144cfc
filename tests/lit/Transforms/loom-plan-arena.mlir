// -loom-plan-arena: temporaries become views of one arena, placed by lifetime (largest first, best fit).
// RUN: %loom-opt %s -loom-plan-arena -split-input-file -verify-diagnostics | FileCheck %s

// %b (128 bytes, kept alive through its subview until the third copy) goes
// first, at 0; %a after it; %c reuses %a's bytes (%a is dead by then) but not
// %b's: 192 bytes where three allocations took 320.
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %arg2: memref<192xi8> {llvm.align = 64 : i64, llvm.noalias, loom.arena}) attributes {loom.arena_bytes = 192 : i64}
// CHECK-NOT: memref.alloc
// CHECK: %[[A:.*]] = memref.view %arg2[%c128][] : memref<192xi8> to memref<16xf32>
// CHECK: %[[B:.*]] = memref.view %arg2[%c0][] : memref<192xi8> to memref<32xf32>
// CHECK: memref.subview %[[B]]
// CHECK: %[[C:.*]] = memref.view %arg2[%c128_1][] : memref<192xi8> to memref<16xf32>
// CHECK-NOT: memref.dealloc
// CHECK: llvm.mlir.global external constant @f_arena_bytes(192 : i64)
func.func @f(%x: memref<16xf32>, %y: memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  %b = memref.alloc() : memref<32xf32>
  %sb = memref.subview %b[0] [16] [1] : memref<32xf32> to memref<16xf32, strided<[1]>>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  linalg.copy ins(%a : memref<16xf32>) outs(%sb : memref<16xf32, strided<[1]>>)
  %c = memref.alloc() : memref<16xf32>
  linalg.copy ins(%sb : memref<16xf32, strided<[1]>>) outs(%c : memref<16xf32>)
  linalg.copy ins(%c : memref<16xf32>) outs(%y : memref<16xf32>)
  return
}

// -----

// A buffer's life starts at its first use, not at its allocation: %late is
// allocated first (as bufferization leaves the allocation of a tensor.empty
// that CSE merged into an earlier one) but written only after %a is dead, so
// the two share the arena's 64 bytes.
// CHECK-LABEL: func.func @hoisted(
// CHECK-SAME: memref<64xi8> {{.*}}loom.arena}) attributes {loom.arena_bytes = 64 : i64}
// CHECK: memref.view %arg2[%c0][] : memref<64xi8> to memref<16xf32>
// CHECK: memref.view %arg2[%c0_0][] : memref<64xi8> to memref<16xf32>
func.func @hoisted(%x: memref<16xf32>, %y: memref<16xf32>) {
  %late = memref.alloc() : memref<16xf32>
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  linalg.copy ins(%a : memref<16xf32>) outs(%y : memref<16xf32>)
  linalg.copy ins(%x : memref<16xf32>) outs(%late : memref<16xf32>)
  linalg.copy ins(%late : memref<16xf32>) outs(%y : memref<16xf32>)
  return
}

// -----

// A train step's activations: the buffers written before the first op named
// by -loom-autodiff and read after it. %act (64 bytes) is; %tmp (dead before
// the backward) and %g (the backward's own) are not.
// CHECK-LABEL: func.func @step(
// CHECK-SAME: loom.saved_bytes = 64 : i64
func.func @step(%x: memref<16xf32>, %y: memref<16xf32>) {
  %g = memref.alloc() : memref<16xf32> loc("gradient of mul")
  %tmp = memref.alloc() : memref<16xf32>
  %act = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%tmp : memref<16xf32>) loc("relu")
  linalg.copy ins(%tmp : memref<16xf32>) outs(%act : memref<16xf32>) loc("mul")
  linalg.copy ins(%act : memref<16xf32>) outs(%g : memref<16xf32>) loc("gradient of mul")
  linalg.copy ins(%g : memref<16xf32>) outs(%y : memref<16xf32>) loc("gradient of relu")
  return
}

// -----

// An export without temporaries still takes an (empty) arena: one ABI for all.
// CHECK-LABEL: func.func @none(
// CHECK-SAME: %arg1: memref<0xi8> {{.*}}loom.arena}) attributes {loom.arena_bytes = 0 : i64}
// CHECK: llvm.mlir.global external constant @none_arena_bytes(0 : i64)
func.func @none(%x: memref<4xf32>) {
  return
}

// -----

// expected-error@+1 {{loom-plan-arena: an export with control flow}}
func.func @branches(%x: memref<4xf32>, %c: i1) {
  cf.cond_br %c, ^a, ^b
^a:
  return
^b:
  return
}
