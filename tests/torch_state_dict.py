"""torchvision's ResNet-18 (10 classes, defined here layer by layer with
torchvision's names, so torchvision itself is not needed) in PyTorch: random
weights and BatchNorm statistics, its state_dict saved as safetensors (with
safetensors.torch.save_file when the package is there, else written in the
same format here), an input and PyTorch's eval-mode logits for it.
resnet_test's "PyTorch state_dict" case loads the file by name and compares.
Exits 77 (skipped) when torch is not installed.

    python3 torch_state_dict.py OUT_DIR
"""
import json
import os
import struct
import sys

try:
    import torch
    from torch import nn
except ImportError:
    print("skipped: PyTorch (torch) is not installed for this Python; bench/run.sh makes a venv with it")
    sys.exit(77)


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class ResNet18(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = 64
        for i, planes in enumerate([64, 128, 256, 512]):
            stride = 1 if i == 0 else 2
            setattr(self, f"layer{i + 1}", nn.Sequential(BasicBlock(inplanes, planes, stride), BasicBlock(planes, planes, 1)))
            inplanes = planes
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def save_safetensors(tensors, path):
    """The safetensors format: u64 header length, JSON header, data (8-byte aligned)."""
    dtypes = {torch.float32: "F32", torch.int64: "I64"}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        flat = t.reshape(-1).tolist()  # no numpy needed
        data = struct.pack(f"<{len(flat)}{'f' if t.dtype == torch.float32 else 'q'}", *flat)
        header[name] = {"dtype": dtypes[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode() + b"".join(blobs))


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    net = ResNet18()
    with torch.no_grad():  # statistics and affine parameters that matter, as after training
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(123)
    net.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        logits = net(x)
    state = {k: v.detach().cpu() for k, v in net.state_dict().items()}
    try:
        from safetensors.torch import save_file
        save_file(state, os.path.join(out, "resnet18.safetensors"))
        how = "safetensors.torch.save_file"
    except ImportError:
        save_safetensors(state, os.path.join(out, "resnet18.safetensors"))
        how = "this script's safetensors writer"
    for name, t in (("x.bin", x), ("logits.bin", logits)):
        flat = t.reshape(-1).tolist()
        with open(os.path.join(out, name), "wb") as f:
            f.write(struct.pack(f"<{len(flat)}f", *flat))
    print(f"wrote {len(state)} tensors ({how}), torch {torch.__version__}; logits[0,:3] = {logits[0, :3].tolist()}")


main()
