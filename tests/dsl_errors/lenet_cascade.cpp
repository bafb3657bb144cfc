// One mistake, one error: LeNet-5 with a wrong first layer (3 input channels
// for a 1-channel image). The layers after it carry on with the shapes they
// would have had, so none of them reports an error of its own.
// EXPECT: Conv2d<3,6,5>: expects input [N,3,H,W], got [4,1,32,32]
// EXPECT-NOT: Linear<
// EXPECT-NOT: Conv2d<6,16,5>
// EXPECT-NOT: cross_entropy:
#include <loom/loom.hpp>
using namespace loom;
struct LeNet5 {
  Conv2d<3, 6, 5> c1{"c1"};
  Conv2d<6, 16, 5> c3{"c3"};
  Linear<400, 120> f5{"f5"};
  Linear<120, 84> f6{"f6"};
  Linear<84, 10> f7{"f7"};
  template <class X> auto operator()(const X &x) {
    auto a = max_pool2d<2, 2, 0>(relu(c1(x)));
    auto b = max_pool2d<2, 2, 0>(relu(c3(a)));
    return f7(relu(f6(relu(f5(flatten(b))))));
  }
};
LOOM_GENERATOR(g) {
  LeNet5 net;
  export_train_step("train", [&](In<"x", f32, 4, 1, 32, 32> x, In<"y", i64, 4> y) {
    return out<"loss">(cross_entropy(net(x), y));
  }, SGD{});
}
