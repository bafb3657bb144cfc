// -loom-gpu-emulate: each kernel as loops over blocks and threads on the CPU.
// RUN: %loom-opt %s -pass-pipeline='builtin.module(func.func(loom-gpu-emulate))' -split-input-file -verify-diagnostics | FileCheck %s

// A kernel without a reduction: a loop over blocks around a loop over threads,
// the ids replaced by the loop variables; stream tokens and waits go.
// CHECK-LABEL: func.func @map
// CHECK-NOT: gpu.
// CHECK: scf.for %[[BX:.*]] = %c0 to %c4 step
// CHECK-NEXT: scf.for %[[TX:.*]] = %c0 to %c256 step
// CHECK: %[[I:.*]] = arith.muli %[[BX]], %c256
// CHECK: arith.addi %[[I]], %[[TX]]
// CHECK: memref.store
// CHECK-NOT: gpu.
// CHECK: return
func.func @map(%a: memref<1000xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  %c1000 = arith.constant 1000 : index
  %t0 = gpu.wait async
  %t1 = gpu.launch async [%t0] blocks(%bx, %by, %bz) in (%gx = %c4, %gy = %c1, %gz = %c1)
                              threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    %base = arith.muli %bx, %c256 : index
    %i = arith.addi %base, %tx : index
    %in = arith.cmpi ult, %i, %c1000 : index
    scf.if %in {
      %zero = arith.constant 0.0 : f32
      memref.store %zero, %a[%i] : memref<1000xf32>
    }
    gpu.terminator
  }
  gpu.wait [%t1]
  return
}

// -----

// A block reduction: pass 1 stores each thread's value, they are combined in
// thread order, and pass 2 runs the kernel with the total.
// CHECK-LABEL: func.func @block_sum
// CHECK: %[[P:.*]] = memref.alloca(%{{.*}}) : memref<?xf32>
// CHECK: scf.for %[[BX:.*]] =
// CHECK:   scf.for %[[TX:.*]] =
// CHECK:     %[[V:.*]] = memref.load %arg0[%[[BX]], %[[TX]]]
// CHECK:     memref.store %[[V]], %[[P]][%[[TX]]]
// CHECK:   %[[FIRST:.*]] = memref.load %[[P]][%c0]
// CHECK:   %[[TOTAL:.*]] = scf.for %[[J:.*]] = %c1{{.*}} to %{{.*}} iter_args(%[[ACC:.*]] = %[[FIRST]])
// CHECK:     %[[X:.*]] = memref.load %[[P]][%[[J]]]
// CHECK:     %[[S:.*]] = arith.addf %[[ACC]], %[[X]]
// CHECK:     scf.yield %[[S]]
// CHECK:   scf.for
// CHECK:     memref.store %[[TOTAL]], %arg1[%[[BX]]]
func.func @block_sum(%a: memref<4x32xf32>, %s: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c32 = arith.constant 32 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c4, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    %v = memref.load %a[%bx, %tx] : memref<4x32xf32>
    %t = gpu.all_reduce add %v uniform {} : (f32) -> f32
    %c0 = arith.constant 0 : index
    %first = arith.cmpi eq, %tx, %c0 : index
    scf.if %first {
      memref.store %t, %s[%bx] : memref<4xf32>
    }
    gpu.terminator
  }
  return
}

// -----

// Barriers inside one loop (a tiled kernel's k loop): each step of the loop
// runs its phases for all threads in turn; shared memory is one buffer per
// block; the value the loop carries is kept per thread.
// CHECK-LABEL: func.func @phased
// CHECK-DAG: %[[SHARED:.*]] = memref.alloca() : memref<32xf32>
// CHECK-DAG: %[[CARRIED:.*]] = memref.alloca(%{{.*}}) : memref<?xf32>
// CHECK: scf.for %[[BX:.*]] =
// CHECK:   scf.for %[[T0:.*]] =
// CHECK:     memref.store %{{.*}}, %[[CARRIED]][%[[T0]]]
// CHECK:   scf.for %[[STEP:.*]] = %c0{{.*}} to %c2
// CHECK:     scf.for %[[T1:.*]] =
// CHECK:       memref.store %{{.*}}, %[[SHARED]][%[[T1]]]
// CHECK:     scf.for %[[T2:.*]] =
// CHECK:       %[[OLD:.*]] = memref.load %[[CARRIED]][%[[T2]]]
// CHECK:       memref.load %[[SHARED]]
// CHECK:       memref.store %{{.*}}, %[[CARRIED]][%[[T2]]]
// CHECK:   scf.for %[[T3:.*]] =
// CHECK:     %[[FINAL:.*]] = memref.load %[[CARRIED]][%[[T3]]]
// CHECK:     memref.store %[[FINAL]], %arg1
// CHECK-NOT: gpu.
func.func @phased(%a: memref<2x32xf32>, %out: memref<32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c31 = arith.constant 31 : index
  %c32 = arith.constant 32 : index
  %zero = arith.constant 0.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1)
             workgroup(%sh : memref<32xf32, #gpu.address_space<workgroup>>) {
    %sum = scf.for %s = %c0 to %c2 step %c1 iter_args(%acc = %zero) -> (f32) {
      %v = memref.load %a[%s, %tx] : memref<2x32xf32>
      memref.store %v, %sh[%tx] : memref<32xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      // each thread reads its neighbour's value
      %n = arith.subi %c31, %tx : index
      %w = memref.load %sh[%n] : memref<32xf32, #gpu.address_space<workgroup>>
      %next = arith.addf %acc, %w : f32
      gpu.barrier
      scf.yield %next : f32
    }
    memref.store %sum, %out[%tx] : memref<32xf32>
    gpu.terminator
  }
  return
}

// -----

func.func @barrier(%a: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{loom-gpu-emulate: a kernel with barriers or several (or nested) reductions}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.barrier
    gpu.terminator
  }
  return
}
