"""E4's CNN and MLP in PyTorch, one SGD step at batch 64, one thread; prints
images/s in the same format as bench_edge_step."""
import sys
import time

import torch
from torch import nn

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
steps = int(sys.argv[2]) if len(sys.argv) > 2 else 200

cnn = nn.Sequential(
    nn.Conv2d(1, 3, 7, padding=3, padding_mode="reflect"), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(3, 3, 7, padding=3, padding_mode="reflect"), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 3))
mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10), nn.ReLU(), nn.Linear(10, 3))
x = torch.rand(64, 1, 28, 28)
y = torch.arange(64) % 3
for name, net in [("cnn", cnn), ("mlp", mlp)]:
    opt = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()

    for _ in range(5):
        step()
    best = 1e30
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, time.perf_counter() - t0)
    print(f"torch {name}_train_step_images_per_s {64 * steps / best:.0f}")
