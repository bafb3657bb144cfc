#ifndef LOOM_DIALECT_TD
#define LOOM_DIALECT_TD

include "mlir/IR/OpBase.td"

def Loom_Dialect : Dialect {
  let name = "loom";
  let summary = "Tensor-level neural-network ops traced from loom's C++ DSL";
  let description = [{
    One op per DSL op, on statically shaped builtin tensors. Broadcasting is
    explicit (`loom.broadcast_to`), so elementwise ops take operands of one type;
    this keeps every op's lowering and gradient rule local. A traced model is a
    `func.func` per export whose arguments carry `loom.param` / `loom.input`
    names and whose results carry `loom.output` names.
  }];
  let cppNamespace = "::loom";
}

class Loom_Op<string mnemonic, list<Trait> traits = []>
    : Op<Loom_Dialect, mnemonic, traits> {
  // How -loom-to-linalg lowers the op (loom-tblgen registers the pattern):
  // "Lower": a function `lower(Op, Op::Adaptor, ConversionPatternRewriter &)`
  // in one of the lowering files (its declaration is generated); another name:
  // a pattern template of LoomToLinalg.cpp taking the op class
  // (ElementwiseLowering: a linalg.generic over the op's entry in the scalar
  // table); "": the op stays legal.
  string lowering = "Lower";
}

#endif // LOOM_DIALECT_TD
