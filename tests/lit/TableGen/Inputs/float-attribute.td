// An op with an attribute kind loom-tblgen's tables do not know.
include "loom/Dialect/LoomDialect.td"

def Loom_ScaleOp : Loom_Op<"scale"> {
  let arguments = (ins AnyTensor:$input, F32Attr:$factor);
  let results = (outs AnyTensor:$result);
}
