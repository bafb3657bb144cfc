"""PyTorch's side of loom's step benchmarks: E4's CNN and MLP, and E1 i's
ConvNet (dropout 0.5), one SGD step at batch 64; prints images/s in the same
format as bench_edge_step. `--device cuda` times on the GPU (synchronizing
after each timed run), as bench_gpu_step does for loom."""
import argparse
import time

import torch
from torch import nn

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--steps", type=int, default=200)
ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
ap.add_argument("--nets", default="cnn,mlp", help="comma-separated: cnn, mlp (E4), convnet (E1 i)")
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
    "convnet": lambda: nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(), nn.Dropout(0.5),
        nn.Conv2d(16, 32, 3, padding=1), nn.MaxPool2d(2), nn.ReLU(), nn.Dropout(0.5),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10), nn.LogSoftmax(dim=1)),
}
x = torch.rand(64, 1, 28, 28, device=dev)
y = (torch.arange(64) % 3).to(dev)
for name in args.nets.split(","):
    net = nets[name]().to(dev)
    if name == "convnet":  # as E1 i: NLL on log-probabilities, plain SGD
        opt, loss_fn = torch.optim.SGD(net.parameters(), lr=3e-3), nn.NLLLoss()
    else:
        opt, loss_fn = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9), nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    for _ in range(5):
        step()
    best = 1e30
    for _ in range(3):
        if dev.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        for _ in range(args.steps):
            step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    print(f"torch {name}_train_step_images_per_s {64 * args.steps / best:.0f}")
