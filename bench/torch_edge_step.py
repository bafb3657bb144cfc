"""PyTorch's side of loom's step benchmarks: E4's CNN and MLP, LeNet-5 and E1 i's
ConvNet (dropout 0.5), one SGD step at batch 64; prints images/s in the same
format as bench_edge_step. `--device cuda` times on the GPU (synchronizing
after each timed run), as bench_gpu_step does for loom. `--e1-steps N` also
times E1's regression step (batch 1024, inverted dropout 0.5 on the inputs,
MSE, SGD; bench_e1_step's model) and prints `torch e1_train_step_ms`."""
import argparse
import time

import torch
from torch import nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--steps", type=int, default=200)
ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
ap.add_argument("--nets", default="cnn,mlp", help="comma-separated: cnn, mlp (E4), lenet (LeNet-5), convnet (E1 i)")
ap.add_argument("--e1-steps", type=int, default=0, help="also time E1's regression step, this many steps per run")
args = ap.parse_args()
torch.set_num_threads(args.threads)
dev = torch.device(args.device)

nets = {
    "cnn": lambda: nn.Sequential(
        nn.Conv2d(1, 3, 7, padding=3, padding_mode="reflect"), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(3, 3, 7, padding=3, padding_mode="reflect"), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 3)),
    "mlp": lambda: nn.Sequential(nn.Flatten(), nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10), nn.ReLU(),
                                 nn.Linear(10, 3)),
    "lenet": lambda: nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)),
    "convnet": lambda: nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(), nn.Dropout(0.5),
        nn.Conv2d(16, 32, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(), nn.Dropout(0.5),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10), nn.LogSoftmax(dim=1)),
}


def best_seconds(step, steps):
    """Best of 3 runs of `steps` steps after 5 warm-up steps."""
    for _ in range(5):
        step()
    best = 1e30
    for _ in range(3):
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return best


x = torch.rand(64, 1, 28, 28, device=dev)
y = (torch.arange(64) % 3).to(dev)
for name in [n for n in args.nets.split(",") if n]:
    net = nets[name]().to(dev)
    if name == "convnet":  # as E1 i: NLL on log-probabilities, plain SGD
        opt, loss_fn = torch.optim.SGD(net.parameters(), lr=3e-3), nn.NLLLoss()
    else:
        opt, loss_fn = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9), nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    print(f"torch {name}_train_step_images_per_s {64 * args.steps / best_seconds(step, args.steps):.0f}")

if args.e1_steps:
    # E1: y_hat = dropout(x) . w, no bias, w from zero; x rows (10, 1), y 11.
    ex = torch.tensor([[10.0, 1.0]], device=dev).repeat(1024, 1)
    ey = torch.full((1024,), 11.0, device=dev)
    w = torch.zeros(2, device=dev, requires_grad=True)
    opt = torch.optim.SGD([w], lr=1e-3)

    def e1_step():
        opt.zero_grad()
        nn.functional.mse_loss((nn.functional.dropout(ex, 0.5) * w).sum(1), ey).backward()
        opt.step()

    print(f"torch e1_train_step_ms {1e3 * best_seconds(e1_step, args.e1_steps) / args.e1_steps:.5f}")
