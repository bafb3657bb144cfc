"""PyTorch's side of bench/run.sh (with --matmuls, square matmuls too; with
--bn-relu, batch norm + ReLU alone, forward and backward): the CIFAR ResNet-18 (torchvision's
BasicBlock structure, 3x3 stem, no max pool, 10 classes) at batch 64, one SGD
momentum step and one forward (eval mode, as loom's predict), and each distinct
convolution of it (forward, filter gradient, input gradient). Prints
`<mode> <name> <ms>` lines, mode `torch` (eager) or `torch_compile`, and the
process's peak RSS after the eager ResNet-18 steps (`resnet18_peak_rss_mb`)."""
import argparse
import resource
import time

import torch
import torch.nn.functional as F
from torch import nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--runs", type=int, default=3)
ap.add_argument("--compile", action="store_true", help="also torch.compile the train step and forward")
ap.add_argument("--convs", default="", help="file of the convolutions to time: lines 'name in out size k stride pad'")
ap.add_argument("--matmuls", default="", help="comma-separated sizes of square matmuls to time (torch.mm)")
ap.add_argument("--bn-relu", default="", help="comma-separated CxS: batch norm (train) + ReLU on [64, C, S, S], "
                "loss mean(relu(bn(x))) and its gradients for x, weight and bias")
args = ap.parse_args()
torch.set_num_threads(args.threads)


def best_ms(fn, runs):
    fn()  # warm-up (and, compiled, the compilation)
    best = 1e30
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best * 1e3


class BasicBlock(nn.Module):
    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class ResNet18(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, cin = [], 64
        for planes, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers.append(nn.Sequential(BasicBlock(cin, planes, stride), BasicBlock(planes, planes, 1)))
            cin = planes
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


torch.manual_seed(0)
x = torch.rand(64, 3, 32, 32) - 0.5
y = torch.arange(64) % 10
net = ResNet18()
assert sum(p.numel() for p in net.parameters()) == 11173962
opt = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9)


def train():
    net.train()
    opt.zero_grad()
    F.cross_entropy(net(x), y).backward()
    opt.step()


def forward():
    net.eval()
    with torch.no_grad():
        return net(x)  # returned, or torch.compile drops the whole graph as dead code


print(f"torch resnet18_train {best_ms(train, args.runs):.1f}", flush=True)
print(f"torch resnet18_forward {best_ms(forward, args.runs):.1f}", flush=True)
# The training process's peak resident set so far (eager train steps and forwards only), MB.
print(f"torch resnet18_peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.1f}", flush=True)
if args.compile:
    ctrain, cforward = torch.compile(train), torch.compile(forward)
    print(f"torch_compile resnet18_train {best_ms(ctrain, args.runs):.1f}", flush=True)
    print(f"torch_compile resnet18_forward {best_ms(cforward, args.runs):.1f}", flush=True)

if args.convs:
    for line in open(args.convs):
        name, cin, cout, size, k, stride, pad = line.split()
        cin, cout, size, k, stride, pad = map(int, (cin, cout, size, k, stride, pad))
        xi = torch.rand(64, cin, size, size)
        w = torch.rand(cout, cin, k, k)
        yo = F.conv2d(xi, w, stride=stride, padding=pad)
        gy = torch.rand_like(yo)
        shape = [cout, cin, k, k]
        conv_args = ([stride, stride], [pad, pad], [1, 1], False, [0, 0], 1)

        def grad(mask):
            return lambda: torch.ops.aten.convolution_backward(gy, xi, w, None, *conv_args, mask)

        times = {
            "fwd": best_ms(lambda: F.conv2d(xi, w, stride=stride, padding=pad), args.runs),
            "wgrad": best_ms(grad([False, True, False]), args.runs),
            "dgrad": best_ms(grad([True, False, False]), args.runs),
        }
        for kind, ms in times.items():
            print(f"torch {name}_{kind} {ms:.3f}", flush=True)

for spec in [v for v in args.bn_relu.split(",") if v]:
    c, s = map(int, spec.split("x"))
    xb = torch.rand(64, c, s, s, requires_grad=True)
    bn = nn.BatchNorm2d(c).train()
    ms = best_ms(lambda: torch.autograd.grad(F.relu(bn(xb)).mean(), [xb, bn.weight, bn.bias]), args.runs)
    print(f"torch bn_relu_{spec} {ms:.3f}", flush=True)

for n in [int(v) for v in args.matmuls.split(",") if v]:
    a, b = torch.rand(n, n), torch.rand(n, n)
    print(f"torch matmul_{n} {best_ms(lambda: torch.mm(a, b), args.runs):.3f}", flush=True)
