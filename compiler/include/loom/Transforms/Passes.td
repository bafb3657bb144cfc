#ifndef LOOM_PASSES_TD
#define LOOM_PASSES_TD

include "mlir/Pass/PassBase.td"

def LoomToLinalg : Pass<"loom-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower `loom` ops to linalg, tensor and arith ops on tensors";
  let description = [{
    Elementwise ops, broadcasts and transposes become `linalg.generic` ops with
    identity or projected indexing maps, so that upstream elementwise fusion can
    merge them; matmul (batched or not) becomes a `linalg.generic` contraction
    on a zero-filled init, its loop order chosen by B's layout (a transpose of
    B is read in place) and marked `loom.matmul`; convolutions become
    contractions marked `loom.conv`; reductions become `linalg.generic`
    reductions; reshape, slice and concat become tensor dialect ops. Which
    pattern lowers an op is its ODS `lowering` field (loom-tblgen writes the
    registration, LoomLowerings.inc). Every loom op must lower: a leftover op
    is an error naming it.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect"
  ];
}

def LoomFreshResults : Pass<"loom-fresh-results", "mlir::func::FuncOp"> {
  let summary = "Give every returned tensor a value of its own";
  let description = [{
    An export may return one of its arguments, or one value under two names.
    Each such result is replaced by a copy (`bufferization.alloc_tensor`
    with `copy`), so that after bufferization every result is a buffer the
    function writes and `buffer-results-to-out-params` can turn it into the
    caller's out-parameter. (Upstream's hoist-static-allocs also crashes on a
    returned block argument in LLVM 19.)

    ```mlir
    return %arg0, %0, %0 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
    // becomes
    %1 = bufferization.alloc_tensor() copy(%arg0) : tensor<4xf32>
    %2 = bufferization.alloc_tensor() copy(%0) : tensor<4xf32>
    return %1, %0, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
    ```
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

def LoomFreshInits : Pass<"loom-fresh-inits", "mlir::func::FuncOp"> {
  let summary = "Give every op's output its own fill";
  let description = [{
    A `linalg.fill` read as the initial value of several ops' outputs (the
    zero a convolution or matmul accumulates into, which CSE merged across
    same-shape ops) is cloned before each of them. Bufferization then writes
    each fill in place into its op's output, instead of keeping one zero
    buffer alive for the whole function and copying it into every output.

    ```mlir
    %z = linalg.fill ins(%cst : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
    %a = linalg.matmul ins(...) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
    %b = linalg.matmul ins(...) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
    // becomes
    %z0 = linalg.fill ins(%cst : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
    %a = linalg.matmul ins(...) outs(%z0 : tensor<4x4xf32>) -> tensor<4x4xf32>
    %z = linalg.fill ins(%cst : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
    %b = linalg.matmul ins(...) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
    ```
  }];
}

def LoomAutodiff : Pass<"loom-autodiff", "mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation: train steps and gradient exports";
  let description = [{
    For each function marked `loom.train` (a train step) or `loom.grad` (a
    gradient export), differentiates the result named "loss" (a scalar) with
    respect to every parameter not marked `loom.frozen` (and, for `loom.grad`,
    every f32 input; the reserved `step` and `seed` are i64 and get none). Each op's VJP comes from
    its `VJPOpInterface`; gradients of values used twice are summed; values not
    on a path from a parameter to the loss get none.

    A gradient export returns `grad_<name>` results, each marked
    `loom.gradient_of` with the parameter or input it belongs to (the header
    pairs them so). A train step also applies
    its optimizer (`loom.train = {optimizer = "sgd"|"adam"|"adamw", ...}`, with
    PyTorch's semantics, the learning rate a run-time input `lr` and the step
    count `step`) to the optimizer-state arguments the importer made
    (`loom.state`, named `<export>.<param>.<state>`) and returns the new value
    of every parameter and state tensor, marked `loom.update` with the name of
    the argument it replaces.
    A train step marked `loom.data_parallel` averages its gradients over the
    run's processes first: one `loom.all_reduce` of all of them, between the
    backward pass and the update.

    ```mlir
    func.func @f(%w: tensor<2xf32> {loom.param = "w"}, %x: tensor<1x2xf32> {loom.input = "x"},
                 %lr: tensor<f32> {loom.input = "lr"}, ...) -> (tensor<f32> {loom.output = "loss"})
        attributes {loom.train = {optimizer = "sgd", ...}}
    // becomes: ... -> (tensor<f32> {loom.output = "loss"}, tensor<2xf32> {loom.update = "w"})
    ```
  }];
}

def LoomUpdateInPlace : Pass<"loom-update-in-place", "mlir::func::FuncOp"> {
  let summary = "Write each `loom.update` result into the argument it replaces";
  let description = [{
    Wraps every result marked `loom.update = "name"` in
    `bufferization.materialize_in_destination` into the argument of that
    name, so that after bufferization parameters and optimizer state are
    updated in the runtime's buffers and `drop-equivalent-buffer-results`
    removes the result from the signature. Each `tensor.empty` with several
    uses is first split into one per use, so that empty-tensor elimination
    gives the argument's buffer to the update alone.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect", "mlir::tensor::TensorDialect"];
}

def LoomLinalgToGpu : Pass<"loom-linalg-to-gpu", "mlir::func::FuncOp"> {
  let summary = "Turn every linalg op on buffers into a `gpu.launch`";
  let description = [{
    Runs after bufferization, for the CUDA target. Named linalg ops are
    generalized and `memref.copy` becomes a copy generic, then each
    `linalg.generic` becomes one kernel, by its iteration space:

    - no reduction: one thread per point of the iteration space (a fused
      elementwise chain is one kernel);
    - a reduction whose body is `combiner(f(inputs), out)` (add, mul, max,
      min) over many elements into few outputs: one block per output, each
      thread accumulating a strided share, then `gpu.all_reduce` across the
      block;
    - a contraction `C(I,J) += A(I,K) * B(K,J)` over groups of dimensions (a
      matmul in any layout, a convolution as an implicit GEMM) with many
      outputs: 16x16 output tiles per block, A and B staged in shared memory
      (workgroup attributions) 16 values of K at a time, between barriers;
    - any other reduction: one thread per output, looping over the
      reduction dimensions.

    Constants (`memref.get_global`) are uploaded into a fresh buffer first
    (`gpu.memcpy`), since a kernel cannot read host globals. Kernels and
    uploads are `async`, each depending on the one before (one stream, in
    program order); the function waits once, before it returns. Everything
    else stays on the host: allocations (device-visible memory, reused in
    stream order by the runtime), views, launches.

    ```mlir
    linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%a : memref<1000xf32>) outs(%b : memref<1000xf32>) { ... }
    // becomes
    %t0 = gpu.wait async
    %t1 = gpu.launch async [%t0] blocks(%bx, %by, %bz) in (%gx = %c4, ...) threads(%tx, %ty, %tz) in (%sx = %c256, ...) {
      // i = bx * 256 + tx; if i < 1000: b[i] = body(a[i])
    }
    gpu.wait [%t1]
    ```
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "threads per block for elementwise and thread-per-output kernels">,
  ];
  let dependentDialects = [
    "mlir::gpu::GPUDialect", "mlir::scf::SCFDialect", "mlir::affine::AffineDialect",
    "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"
  ];
}

def LoomPlanArena : Pass<"loom-plan-arena", "mlir::ModuleOp"> {
  let summary = "Every temporary of an export a view of one arena, planned from lifetimes";
  let description = [{
    For each export (a public function of one block, as every traced export
    is after bufferization), each `memref.alloc` gets a live range: from the
    first to the last top-level op that uses it or a view of it (not from the
    allocation, which bufferization leaves wherever CSE merged the
    tensor.empty it came from). Buffers
    are then placed largest first, each at the smallest gap between the
    buffers already placed whose ranges overlap its own (XLA's heap
    simulator, global decreasing-size best fit), 64-byte aligned. The export
    gains a last argument `memref<Nxi8> {loom.arena, llvm.noalias, llvm.align = 64}`,
    every allocation becomes a `memref.view` of it, and the module exports
    the size as `<export>_arena_bytes` (an i64 constant) for the runtime, which
    allocates the arena once per Model: no allocation, free or first-touch page
    fault inside a step after the first, and buffers that are never live at
    once share memory. Replaces `buffer-deallocation-pipeline` on the CPU.
    In a train step it also sums the buffers written before the first op
    that -loom-autodiff named ("gradient of ...", "... update of ...") and
    read after it: the activations kept for the backward pass
    (`loom.saved_bytes`, the memory plan's category).

    ```mlir
    func.func @f(%x: memref<4xf32>, %y: memref<4xf32>) {
      %a = memref.alloc() : memref<4xf32>
      linalg.generic ... ins(%x) outs(%a)
      linalg.generic ... ins(%a) outs(%y)
    // becomes
    func.func @f(%x: memref<4xf32>, %y: memref<4xf32>, %arena: memref<64xi8> {loom.arena, llvm.align = 64 : i64, llvm.noalias})
        attributes {loom.arena_bytes = 64 : i64} {
      %c0 = arith.constant 0 : index
      %a = memref.view %arena[%c0][] : memref<64xi8> to memref<4xf32>
      ...
    llvm.mlir.global external constant @f_arena_bytes(64 : i64) : i64
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect", "mlir::LLVM::LLVMDialect"];
}

def LoomFuseElementwise : Pass<"loom-fuse-elementwise"> {
  let summary = "Upstream's elementwise fusion, optionally keeping producers out of convolutions";
  let description = [{
    The patterns and control of `-linalg-fuse-elementwise-ops` (MLIR 19):
    an elementwise producer with one use is merged into its consumer,
    reshapes fold into generics, constants fold. A generic that only moves
    its input's elements (a broadcast, a transpose, a copy) and is read by
    several elementwise ops is first cloned for each of them, so that it
    fuses into every reader instead of being written out at full size (batch
    norm's per-channel scale, which the forward and the backward pass both
    read). With `keep-convolutions`
    (the CPU target), nothing is merged into a `linalg.generic` marked
    `loom.conv`: zero padding or a forward export's batch norm would be
    recomputed at each of the convolution's taps, behind bounds checks, and
    the convolution would no longer match the CPU's micro-kernel
    (-loom-cpu-ukernels). The producer then writes its buffer once.

    ```mlir
    %p = linalg.generic {...} ins(%x) ...          // zero padding (selects)
    %y = linalg.generic {..., loom.conv = {...}} ins(%p, %w) ...
    // keep-convolutions=false: %p's body is inlined into %y's, per tap
    // keep-convolutions=true: unchanged
    ```
  }];
  let options = [
    Option<"keepConvolutions", "keep-convolutions", "bool", /*default=*/"false",
           "fuse nothing into a convolution marked loom.conv">
  ];
  let dependentDialects = ["mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def LoomCheckNumerics : Pass<"loom-check-numerics", "mlir::ModuleOp"> {
  let summary = "Check every f32 output of an export's linalg ops for NaN and Inf (the generator's --check-numerics)";
  let description = [{
    After each `linalg` op on buffers in a public function (an export) but
    fills (a constant, where the next op starts accumulating: -inf for a max),
    for each f32 output, a call of the runtime's `loom_rt_check_finite` with the
    address of the view's first element, a constant {rank, sizes, strides}
    and a constant text naming the op and its model-source line, read off the
    op's location: the importer names each op (`NameLoc`), -loom-autodiff
    names gradients ("gradient of log") and optimizer updates ("sgd update of
    fc.weight"). The runtime keeps a call's first non-finite value; the
    generated header throws it as an Error naming op, line, element and step
    (loom/rt/numerics.hpp). Runs before -loom-cpu-ukernels, so convolutions
    are checked too; the generator turns elementwise fusion off with it, so
    each check follows one op of the model. An output of dynamic layout is an
    error.

    ```mlir
    linalg.generic {...} ins(%x : memref<4x2xf32>) outs(%y : memref<4x2xf32>) {... math.log ...}  // loc("log"("model.cpp":12:7))
    // is followed by
    call @loom_rt_check_finite(%first, %layout, %site) : (!llvm.ptr, !llvm.ptr, !llvm.ptr) -> ()
    // with %layout = llvm.mlir.addressof @loom_check_1 ([2, 4, 2, 2, 1]) and
    // %site = llvm.mlir.addressof @loom_check_0 ("log at model.cpp:12:7")
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def LoomCpuUkernels : Pass<"loom-cpu-ukernels", "mlir::ModuleOp"> {
  let summary = "Convolutions and contractions on buffers as calls of the runtime's CPU micro-kernels";
  let description = [{
    Contractions (`C[b, m, n] += A[b, m, k] B[b, k, n]` by
    `linalg::inferContractionDims`: matmuls, batched or not, either operand
    transposed or reshaped in its indexing map by fusion; each group of
    dimensions flattened where its strides compose in every operand) with
    M, N and K of at least `min-channels` become calls of
    `loom_rt_matmul_f32`, the same GEMM; smaller ones (a 10-class
    classifier) stay loops.

    Each `linalg.generic` that -loom-to-linalg marked `loom.conv` (a
    convolution, its filter gradient or its input gradient) and that still
    computes just `out + a * b` (elementwise fusion did not merge anything
    into it) becomes a call of `loom_rt_conv2d_f32` (runtime/src/ukernels):
    a packed GEMM with register and cache tiles whose packing gathers the
    windows from the (padded) input and whose writer scatters into the
    output's real layout. The call passes the three buffers as pointers (the
    aligned pointer plus the static offset), the geometry and every operand's
    strides; the results are added to the output, or, where a zero fill of
    the output directly precedes the convolution (only ops without memory
    effects between them), the fill goes and the kernel sets the output
    (`LOOM_RT_CONV_OVERWRITE` added to the kind). The input gradient's operand is dy spread into zeros by
    the strides and padded; the micro-kernel is handed a strided view of dy's
    own elements in it, so no multiplication by an inserted zero happens.
    The mark's `border` (x's rows and columns that a zero `loom.pad` made, or
    for an input gradient those its zero `loom.unpad` drops) is passed too,
    zeros where the mark has none: the input gradient's forward form then
    computes dx's interior only.
    Convolutions whose GEMM would have fewer than `min-channels` rows or a
    shorter reduction stay loops (E4's 1->3 channel convolutions are faster
    so), but for filter gradients, whose rows the runtime does not mind (few
    filter elements take its dot products along the pixels), and forward
    convolutions with up to 8 output channels and 8 or more taps (its
    few-output kernel).

    ```mlir
    linalg.generic {..., loom.conv = {kind = "forward", strides = array<i64: 1, 1>, ...}}
        ins(%x, %w : memref<64x64x34x34xf32>, memref<64x64x3x3xf32>) outs(%y : memref<64x64x32x32xf32>) {...}
    // becomes
    call @loom_rt_conv2d_f32(%c0_i64, %xp, %wp, %yp, %c64_i64, ...) : (i64, !llvm.ptr, !llvm.ptr, !llvm.ptr, i64, ...) -> ()
    ```
  }];
  let options = [
    Option<"minChannels", "min-channels", "int64_t", /*default=*/"16",
           "smallest GEMM dimension worth a micro-kernel (rows and reduction; for matmuls also columns)">
  ];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def LoomAllReduceToRuntime : Pass<"loom-all-reduce-to-runtime", "mlir::ModuleOp"> {
  let summary = "loom.all_reduce on buffers as calls of the runtime's data-parallel all-reduce";
  let description = [{
    Each `loom.all_reduce` of buffers becomes one `loom_rt_all_reduce_add`
    call per buffer (its first element's address and its element count), in
    operand order, then one `loom_rt_all_reduce_wait`: the runtime packs the
    buffers into buckets (DDP's bucket_cap_mb, 25 MiB unless
    LOOM_DP_BUCKET_MB says otherwise), all-reduces each bucket once over the
    process's communicator, and writes each buffer's mean back before `wait`
    returns (runtime/src/distributed.cpp). Every target runs it: the calls
    are host code.

    ```mlir
    loom.all_reduce %dw, %db : memref<16x8xf32>, memref<16xf32>
    // becomes
    call @loom_rt_all_reduce_add(%pw, %c128_i64) : (!llvm.ptr, i64) -> ()
    call @loom_rt_all_reduce_add(%pb, %c16_i64) : (!llvm.ptr, i64) -> ()
    call @loom_rt_all_reduce_wait() : () -> ()
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect"];
}

def LoomOutlineKernels : Pass<"loom-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Outline every linalg op on buffers into a kernel function, one per distinct kernel";
  let description = [{
    The CPU target's counterpart of GPU kernel outlining. Each `linalg` op
    with buffer semantics becomes a `func.call` of a private function holding
    just that op (its constants cloned in, every other value an argument);
    ops that print the same once outlined (same op, shapes, indexing maps,
    body, attributes) share one function, across all exports of the module.
    The export is left as a flat sequence of allocations and calls, and LLVM
    optimises each distinct kernel once: compile time follows the number of
    distinct shapes, not the depth of the network.

    Kernels are `noinline` (inlined back, LLVM would optimise one huge
    function again). An argument that is the only view of its buffer among
    the call's operands gets `llvm.noalias` (distinct export arguments are
    distinct buffers: the ABI's rule), so the kernel keeps the alias facts it
    had inside the export; two views of one buffer get none.

    ```mlir
    func.func @f(%x: memref<4xf32>, %y: memref<4xf32>, %z: memref<4xf32>) {
      linalg.generic {...} ins(%x : memref<4xf32>) outs(%y : memref<4xf32>) {...}
      linalg.generic {...} ins(%y : memref<4xf32>) outs(%z : memref<4xf32>) {...}
    // becomes
    func.func @f(...) {
      call @k0_generic(%x, %y) : (memref<4xf32>, memref<4xf32>) -> ()
      call @k0_generic(%y, %z) : (memref<4xf32>, memref<4xf32>) -> ()
    func.func private @k0_generic(%arg0: memref<4xf32> {llvm.noalias},
                                  %arg1: memref<4xf32> {llvm.noalias})
        attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]} {...}
    ```
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect"];
}

def LoomVectorizeReductions : Pass<"loom-vectorize-reductions"> {
  let summary = "Let LLVM vectorize reductions whose innermost loop is the reduction";
  let description = [{
    For a `linalg.generic` with one output whose innermost iterator is a
    reduction and whose body yields `arith.addf` of the accumulator, marks
    that add `reassoc`: LLVM's loop vectorizer then sums the innermost loop
    in vector lanes of partial sums instead of one chain of dependent scalar
    adds (batch norm's statistics, bias gradients, losses). The order of the
    sum is still fixed by the code, and -loom-parallel-kernels never splits a
    reduction, so results stay bit-identical for any thread count. Where
    the trailing reduction loops read contiguous elements of identity-layout
    buffers (a batch norm's H and W), they are first collapsed into one
    (`linalg::collapseOpIterationDims`): LLVM fully unrolls a 32 x 32 nest and
    then gathers across rows, while one loop of 1024 it vectorizes along
    memory. Runs on the CPU after -loom-cpu-ukernels, which takes
    convolutions and matmuls.

    ```mlir
    linalg.generic {iterator_types = ["parallel", "reduction"]} ins(%x) outs(%s) {
    ^bb0(%in: f32, %acc: f32):
      %0 = arith.addf %in, %acc : f32
    // becomes
      %0 = arith.addf %in, %acc fastmath<reassoc> : f32
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect"];
}

def LoomParallelKernels : Pass<"loom-parallel-kernels", "mlir::ModuleOp"> {
  let summary = "Run each outlined CPU kernel with enough work on the runtime's threads";
  let description = [{
    Runs after -loom-outline-kernels. For a kernel (a private function whose
    body is one linalg op on buffers) of at least twice `min-work` loop
    iterations, picks a parallel loop that every operand indexes by itself
    (the outermost with at least `threads` iterations, else the longest) and
    splits the kernel in two:

    - `@k_part(args..., %lo, %hi)`: the same op on subviews of its operands
      restricted to [lo, hi) of that loop (`linalg.index` shifted back);
      scalar arguments arrive as 0-d buffers;
    - `@k(args...)`: stores its arguments' addresses in an array and calls
      `loom_rt_parallel_for(@k_part, args, nargs, n, grain)`, which runs
      contiguous ranges of the n iterations, at least `grain` long (so each
      thread has `min-work` iterations or more), on the runtime's threads.

    No reduction is split: every output element is computed by one thread
    in the original loop order, so results are bit-identical for any thread
    count. Convolutions and matmuls are calls of the micro-kernels by now,
    which thread themselves.

    ```mlir
    func.func private @k0_generic(%x: memref<64x256xf32>, %y: memref<64x256xf32>) {
      linalg.generic {...} ins(%x : memref<64x256xf32>) outs(%y : memref<64x256xf32>) {...}
    // becomes
    func.func private @k0_generic(%x: memref<64x256xf32>, %y: memref<64x256xf32>) {
      ... llvm.store of each argument's address into %args ...
      %f = func.constant @k0_generic_part : (memref<64x256xf32>, memref<64x256xf32>, index, index) -> ()
      call @loom_rt_parallel_for(%fp, %args, %c2, %c64, %c1) : (!llvm.ptr, !llvm.ptr, i64, i64, i64) -> ()
    func.func private @k0_generic_part(%x: memref<64x256xf32>, %y: memref<64x256xf32>, %lo: index, %hi: index) {
      %xs = memref.subview %x[%lo, 0] [%n, 256] [1, 1] ...
      linalg.generic {...} ins(%xs : ...) outs(%ys : ...) {...}
    ```
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"32768",
           "fewest loop iterations worth handing to a thread">,
    Option<"maxThreads", "threads", "int64_t", /*default=*/"16",
           "prefer the outermost parallel loop with at least this many iterations">
  ];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect", "mlir::arith::ArithDialect",
                           "mlir::memref::MemRefDialect", "mlir::affine::AffineDialect"];
}

def LoomMergeGpuModules : Pass<"loom-merge-gpu-modules", "mlir::ModuleOp"> {
  let summary = "Put every outlined kernel into one `gpu.module`";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per kernel; a model's
    hundreds of kernels would then be hundreds of PTX modules, each loaded
    and JIT-compiled on its own. This pass moves every kernel into the first
    module (named after the model's first kernel) and repoints the
    `gpu.launch_func` ops, so each model embeds a single PTX module.

    ```mlir
    gpu.module @f_kernel { gpu.func @f_kernel(...) kernel {...} }
    gpu.module @f_kernel_0 { gpu.func @f_kernel(...) kernel {...} }
    gpu.launch_func @f_kernel_0::@f_kernel ...
    // becomes
    gpu.module @f_kernel { gpu.func @f_kernel(...) kernel {...}  gpu.func @f_kernel_0(...) kernel {...} }
    gpu.launch_func @f_kernel::@f_kernel_0 ...
    ```
  }];
}

def LoomGpuPreciseSqrt : Pass<"loom-gpu-precise-sqrt", "mlir::gpu::GPUModuleOp"> {
  let summary = "Square roots in kernels as the `llvm.sqrt` intrinsic, correctly rounded like the CPU's";
  let description = [{
    `convert-gpu-to-nvvm` turns `math.sqrt` into a call of libdevice's
    `__nv_sqrtf`, which picks `sqrt.approx.f32` unless `__nvvm_reflect`
    says `__CUDA_PREC_SQRT` (nvcc's default); LLVM 19 has no way to say it,
    so every GPU square root was approximate (Adam's steps then drifted 4x
    further from PyTorch's rule than on the CPU, found on the first H100 run).
    The `llvm.sqrt` intrinsic becomes `sqrt.rn.f32` / `sqrt.rn.f64`,
    IEEE-rounded as on the CPU. Runs on each `gpu.module` before
    `convert-gpu-to-nvvm` (which refuses `llvm.intr.sqrt` itself, hence
    `llvm.call_intrinsic`).

    ```mlir
    %r = math.sqrt %x : f32
    // becomes
    %r = llvm.call_intrinsic "llvm.sqrt"(%x) : (f32) -> f32
    ```
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def LoomGpuEmulate : Pass<"loom-gpu-emulate", "mlir::func::FuncOp"> {
  let summary = "Run each `gpu.launch` as loops on the CPU (the cuda-emulator target)";
  let description = [{
    Checks GPU kernels without a GPU, as Triton's interpreter does: each
    one-dimensional launch becomes a loop over blocks around a loop over
    threads. A kernel with one `gpu.all_reduce` runs its threads twice: the
    first pass stores each thread's operand, the values are combined in
    thread order, and the second pass runs the whole kernel with that total.
    Stream order is program order: `gpu.memcpy` becomes `memref.copy`, and
    async tokens and `gpu.wait` go.
    (The code before the reduction must then be free of side effects, as
    `-loom-linalg-to-gpu` makes it.) Barriers are supported inside one
    top-level `scf.for` (a tiled kernel's loop over K): each step runs the
    phases between barriers for every thread in turn, shared memory is one
    buffer per block, the loop's carried values are kept per thread, and ops
    without stores are recomputed where a later phase needs their values.
    Anything else (barriers elsewhere, several reductions) is refused.

    ```mlir
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c4, ...) threads(%tx, %ty, %tz) in (%sx = %c256, ...) {
      ... gpu.terminator
    }
    // becomes
    scf.for %bx = %c0 to %c4 step %c1 {
      scf.for %tx = %c0 to %c256 step %c1 { ... }
    }
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

#endif // LOOM_PASSES_TD
