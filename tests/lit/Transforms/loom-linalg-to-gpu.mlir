// -loom-linalg-to-gpu: one gpu.launch per linalg op, shaped by its iteration space.
// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-linalg-to-gpu))' -split-input-file | FileCheck %s

// Elementwise: one thread per point of a 4x1000 space (16 blocks of 256),
// guarded, the point's coordinates recovered from the linear thread index.
// CHECK-LABEL: func.func @map
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[T1:.*]] = gpu.launch async [%[[T0]]] blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C16]], {{.*}} threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]],
// CHECK: %[[ID:.*]] = arith.addi %{{.*}}, %[[TX]]
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[ID]], %{{.*}}
// CHECK: scf.if %[[IN]]
// CHECK: %[[J:.*]] = arith.remui %[[ID]]
// CHECK: %[[I:.*]] = arith.divui %[[ID]]
// CHECK: %[[X:.*]] = memref.load %arg0[%[[I]], %[[J]]]
// CHECK: %[[E:.*]] = math.exp %[[X]]
// CHECK: memref.store %[[E]], %arg1[%[[I]], %[[J]]]
// The host waits once, for the last kernel, before returning.
// CHECK: gpu.wait [%[[T1]]]
// CHECK-NEXT: return
// CHECK-NOT: linalg.generic
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @map(%a: memref<4x1000xf32>, %b: memref<4x1000xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<4x1000xf32>) outs(%b : memref<4x1000xf32>) {
  ^bb0(%x: f32, %y: f32):
    %e = math.exp %x : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// A sum of 1000 elements into each of 4 outputs: one block per output, each
// thread a strided partial sum from 0, a block-wide gpu.all_reduce, and the
// first thread adds the total to the output's initial value.
// CHECK-LABEL: func.func @row_sum
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK: gpu.launch async [%{{.*}}] blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C4]], {{.*}} threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]],
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[P:.*]] = scf.for %[[R:.*]] = %[[TX]] to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]])
// CHECK:   %[[X:.*]] = memref.load %arg0[%[[BX]], %[[R]]]
// CHECK:   arith.addf %[[X]], %[[ACC]]
// CHECK: %[[T:.*]] = gpu.all_reduce add %[[P]] uniform
// CHECK: scf.if
// CHECK:   %[[OLD:.*]] = memref.load %arg1[%[[BX]]]
// CHECK:   %[[NEW:.*]] = arith.addf %[[T]], %[[OLD]]
// CHECK:   memref.store %[[NEW]], %arg1[%[[BX]]]
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @row_sum(%a: memref<4x1000xf32>, %s: memref<4xf32>) {
  linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<4x1000xf32>) outs(%s : memref<4xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %e = arith.addf %x, %acc : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// Max over 512 elements: the block reduction starts from -inf and uses maximumf.
// CHECK-LABEL: func.func @max
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: gpu.all_reduce maximumf
#id = affine_map<(d0) -> (d0)>
#all = affine_map<(d0) -> ()>
func.func @max(%a: memref<512xf32>, %m: memref<f32>) {
  linalg.generic {indexing_maps = [#id, #all], iterator_types = ["reduction"]}
      ins(%a : memref<512xf32>) outs(%m : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %e = arith.maximumf %acc, %x : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// A matmul (named op, generalized first): 16x16 output tiles, one block of
// 256 threads each; per 16-wide step of k the block stages a tile of A and of
// B in shared memory (zero past the edges: 40 and 50 are not multiples of 16)
// between barriers, and each thread multiply-adds its output from them.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[C6:.*]] = arith.constant 6 : index
// CHECK: gpu.launch async [%{{.*}}] blocks({{.*}}) in (%{{.*}} = %[[C6]], {{.*}} threads({{.*}}) in (%{{.*}} = %c256{{.*}} workgroup(%[[SA:.*]] : memref<256xf32, #gpu.address_space<workgroup>>, %[[SB:.*]] : memref<256xf32, #gpu.address_space<workgroup>>)
// CHECK: %[[INIT:.*]] = scf.if
// CHECK:   memref.load %arg2
// CHECK: %[[ACC:.*]] = scf.for %{{.*}} = %c0{{.*}} to %c4{{.*}} iter_args(%{{.*}} = %[[INIT]])
// CHECK:   scf.if
// CHECK:     memref.load %arg0
// CHECK:   memref.store %{{.*}}, %[[SA]]
// CHECK:   scf.if
// CHECK:     memref.load %arg1
// CHECK:   memref.store %{{.*}}, %[[SB]]
// CHECK:   gpu.barrier
// CHECK:   scf.for
// CHECK:     memref.load %[[SA]]
// CHECK:     memref.load %[[SB]]
// CHECK:     arith.mulf
// CHECK:     arith.addf
// CHECK:   gpu.barrier
// CHECK: scf.if
// CHECK:   memref.store %[[ACC]], %arg2
func.func @matmul(%a: memref<40x50xf32>, %b: memref<50x30xf32>, %c: memref<40x30xf32>) {
  linalg.matmul ins(%a, %b : memref<40x50xf32>, memref<50x30xf32>) outs(%c : memref<40x30xf32>)
  return
}

// -----

// Many outputs with a short reduction that is not a matmul: one thread per
// output, looping over the reduction from the output's current value.
// CHECK-LABEL: func.func @short_rows
// CHECK: gpu.launch async [%{{.*}}] blocks({{.*}}) in (%{{.*}} = %c16{{.*}}) threads({{.*}}) in (%{{.*}} = %c256
// CHECK: scf.if
// CHECK: %[[INIT:.*]] = memref.load %arg1
// CHECK: %[[SUM:.*]] = scf.for %[[K:.*]] = %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]])
// CHECK:   memref.load %arg0[%{{.*}}, %[[K]]]
// CHECK:   arith.maximumf
// CHECK: memref.store %[[SUM]], %arg1
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @short_rows(%a: memref<4096x8xf32>, %m: memref<4096xf32>) {
  linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<4096x8xf32>) outs(%m : memref<4096xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %e = arith.maximumf %x, %acc : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// Copies between views and fills become kernels too; a constant is first
// uploaded from its global into a buffer kernels can read, in stream order
// after the kernel before, and freed at the return.
// CHECK-LABEL: func.func @copies
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK: %[[T1:.*]] = gpu.launch async [%[[T0]]]
// CHECK:   memref.store %{{.*}}, %arg0
// CHECK: %[[G:.*]] = memref.get_global @table
// CHECK: %[[BUF:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[T2:.*]] = gpu.memcpy async [%[[T1]]] %[[BUF]], %[[G]]
// CHECK: %[[T3:.*]] = gpu.launch async [%[[T2]]]
// CHECK:   memref.load %[[BUF]]
// CHECK:   memref.store
// CHECK: memref.dealloc %[[BUF]]
// CHECK-NEXT: gpu.wait [%[[T3]]]
// CHECK-NEXT: return
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @copies(%a: memref<8xf32>, %b: memref<4xf32, strided<[2]>>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%a : memref<8xf32>)
  %t = memref.get_global @table : memref<4xf32>
  memref.copy %t, %b : memref<4xf32> to memref<4xf32, strided<[2]>>
  return
}
