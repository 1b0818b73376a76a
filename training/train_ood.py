"""Fine-tune the digit ConvNet with an 11th output, "not a digit", and calibrate its threshold.

    deno run -A training/ood_data.ts --split train --shard 0/2 --out /tmp/ood-data &   # the drawn sets:
    deno run -A training/ood_data.ts --split train --shard 1/2 --out /tmp/ood-data &   # ~10 min for both
    deno run -A training/ood_data.ts --split cal --out /tmp/ood-data; wait
    /usr/bin/python3 training/train_ood.py --data /tmp/ood-data --out models           # ~15 min on 2 cores

Starts from the weights of --base (training/base/convnet-2.0.0.onnx: digitnet-m 2.0.0,
the 10-logit model train.py made, kept here so the recipe does not depend on what is in
models/; read with Debian's python3-onnx; its batch norm is already folded into the
convolutions, so the network is rebuilt without it) and adds one row to the last layer.
Training data per epoch: the 55,000 first MNIST training digits (label 0-9), the same
digits drawn on the pad and pre-processed by src/ (training/ood_data.ts), and generated
not-digits pre-processed the same way (label 10), all with train.py's augmentation. MNIST training digits 55,000-59,999 are never
trained on: with the drawn calibration set they choose the threshold.

The score is p(digit) = 1 - softmax(logits)[10]; a row is a digit when the score is at
least the threshold. The threshold is the largest for which no calibration set of
digits (MNIST as it is, drawn from grey levels, drawn with the pad's pen) has more than
--max-rejected of its digits rejected. It is written to the metadata with the
calibration figures (`not_digit`). Reproducible: fixed seed, deterministic kernels.
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
from mnist_idx import DEFAULT_DIR, load_split, read_idx  # noqa: E402
from onnx_meta import evaluate, export  # noqa: E402
from train import MEAN, STD, augment, macs  # noqa: E402

NOT_DIGIT = 10
ROW_KINDS = ["drawn", "pad", "scribble", "zigzag", "dots", "tiny", "letter", "digits", "noise"]


class FoldedNet(nn.Module):
    """DigitNet with its batch norm folded into the convolutions, and `outputs` logits."""

    def __init__(self, c1: int, c2: int, hidden: int, outputs: int):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, 5),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c2 * 16, hidden),
            nn.ReLU(),
            nn.Dropout(0.25),
            nn.Linear(hidden, outputs),
        )

    def forward(self, x):
        return self.head(self.features(x))


class Digits(nn.Module):
    """The first ten logits only: what onnx_meta.evaluate() scores as accuracy."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)[:, :NOT_DIGIT]


def load_base(path: str) -> FoldedNet:
    """The ONNX model's weights in a FoldedNet with an 11th output (zero weights, bias -2)."""
    import onnx
    from onnx import numpy_helper

    g = onnx.load(path).graph
    init = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in g.initializer}
    convs = [n for n in g.node if n.op_type == "Conv"]
    gemms = [n for n in g.node if n.op_type == "Gemm"]
    w1, w2 = init[convs[0].input[1]], init[convs[1].input[1]]
    fc1, fc2 = init[gemms[0].input[1]], init[gemms[1].input[1]]
    if fc2.shape[0] != NOT_DIGIT:
        raise ValueError(f"{path}: the base model must have 10 logits, it has {fc2.shape[0]}")
    model = FoldedNet(w1.shape[0], w2.shape[0], fc1.shape[0], fc2.shape[0] + 1)
    with torch.no_grad():
        model.features[0].weight.copy_(w1)
        model.features[0].bias.copy_(init[convs[0].input[2]])
        model.features[3].weight.copy_(w2)
        model.features[3].bias.copy_(init[convs[1].input[2]])
        model.head[1].weight.copy_(fc1)
        model.head[1].bias.copy_(init[gemms[0].input[2]])
        model.head[4].weight.zero_()
        model.head[4].bias.fill_(-2.0)
        model.head[4].weight[:NOT_DIGIT].copy_(fc2)
        model.head[4].bias[:NOT_DIGIT].copy_(init[gemms[1].input[2]])
    return model


def load_rows(data: str, split: str):
    """Images, labels and kinds of a written split, its shards joined in order."""
    tail = "-images-idx3-ubyte"
    stems = sorted(f[: -len(tail)] for f in os.listdir(data) if f.startswith(split) and f.endswith(tail))
    if not stems:
        raise FileNotFoundError(f"no {split}*{tail} in {data}: run training/ood_data.ts --split {split}")
    files = ("images-idx3-ubyte", "labels-idx1-ubyte", "kinds-idx1-ubyte")
    parts = [[read_idx(os.path.join(data, f"{s}-{n}")) for n in files] for s in stems]
    return [np.concatenate([p[k] for p in parts]) for k in range(3)]


@torch.no_grad()
def digit_scores(model: nn.Module, images: np.ndarray) -> np.ndarray:
    """p(digit) for uint8 images (N, 28, 28)."""
    model.eval()
    x = (torch.from_numpy(images.copy()).float().div(255.0).unsqueeze(1) - MEAN) / STD
    out = [1 - F.softmax(model(x[i : i + 1000]), 1)[:, NOT_DIGIT] for i in range(0, len(x), 1000)]
    return torch.cat(out).double().numpy()


def choose_threshold(groups: dict, max_rejected: float) -> float:
    """Largest threshold rejecting at most max_rejected of every group of digit scores."""
    # Rejecting at most k of n digits: the threshold may rise to the (k+1)-th lowest score.
    limits = []
    for scores in groups.values():
        s = np.sort(scores)
        k = int(math.floor(max_rejected * len(s)))
        limits.append(s[k])
    return float(min(limits))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", default=os.path.join(os.path.dirname(__file__), "base", "convnet-2.0.0.onnx"))
    ap.add_argument("--data", default="/tmp/ood-data")
    ap.add_argument("--mnist", default=DEFAULT_DIR)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--max-rejected", type=float, default=0.002)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    ap.add_argument("--stem", default="convnet")
    ap.add_argument("--version", default="2.1.0")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(args.seed)

    mnist_x, mnist_y = load_split("train", args.mnist)
    test_x, test_y = load_split("t10k", args.mnist)
    tr_x, tr_y, tr_k = load_rows(args.data, "train")
    cal_x, cal_y, cal_k = load_rows(args.data, "cal")
    xs = torch.from_numpy(np.concatenate([mnist_x[:55000], tr_x]).copy()).float().div(255.0).unsqueeze(1)
    ys = torch.from_numpy(np.concatenate([mnist_y[:55000], tr_y]).astype(np.int64))
    print(f"training rows: {len(xs)} ({int((ys == NOT_DIGIT).sum())} not digits)", flush=True)

    model = load_base(args.base)
    c1, c2 = model.features[0].out_channels, model.features[3].out_channels
    hidden = model.head[1].out_features
    base_test = evaluate(Digits(model), test_x, test_y, MEAN, STD)
    print(f"base model: test_acc={base_test['accuracy']:.4f}", flush=True)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps = args.epochs * math.ceil(len(xs) / args.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.15)

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
        test = evaluate(Digits(model), test_x, test_y, MEAN, STD)
        print(
            f"epoch {epoch + 1}/{args.epochs} train_loss={loss_sum / total:.4f} "
            f"train_acc={correct / total:.4f} test_acc={test['accuracy']:.4f} t={time.time() - t0:.0f}s",
            flush=True,
        )

    # Calibration: digits never trained on.
    groups = {
        "mnist": digit_scores(model, mnist_x[55000:]),
        "drawn": digit_scores(model, cal_x[cal_k == 0]),
        "pad": digit_scores(model, cal_x[cal_k == 1]),
    }
    threshold = choose_threshold(groups, args.max_rejected)
    cal_scores = digit_scores(model, cal_x)
    rejected = {k: round(float((v < threshold).mean()), 5) for k, v in groups.items()}
    caught = {}
    for j, kind in enumerate(ROW_KINDS[2:], start=2):
        s = cal_scores[cal_k == j]
        caught[kind] = round(float((s < threshold).mean()), 4)
    neg = cal_scores[cal_y == NOT_DIGIT]
    caught["all"] = round(float((neg < threshold).mean()), 4)
    print(f"threshold {threshold:.6f}; calibration rejected {rejected}; caught {caught}", flush=True)

    test = evaluate(Digits(model), test_x, test_y, MEAN, STD)
    keys = ("epochs", "batch", "lr", "seed", "max_rejected", "stem", "version")
    command = "/usr/bin/python3 training/train_ood.py " + " ".join(
        f"--{k.replace('_', '-')} {getattr(args, k)}" for k in keys
    )
    meta = export(
        model,
        args.out,
        args.stem,
        {
            "name": "digitnet-m",
            "version": args.version,
            "description": f"conv5({c1})-pool, conv5({c2})-pool, FC({hidden}), FC(10 digits + not a digit)",
            "macs": macs(c1, c2, hidden) + hidden,
            "mean": MEAN,
            "std": STD,
            "outputs": NOT_DIGIT + 1,
            "test": test,
            "not_digit": {
                "output_index": NOT_DIGIT,
                "score": "digit_probability",
                "threshold": round(threshold, 6),
                "calibration": {
                    "rule": f"largest threshold rejecting at most {args.max_rejected:.2%} "
                    "of each calibration digit set",
                    "digits": {
                        "mnist": "MNIST training digits 55,000-59,999 (never trained on), as they are",
                        "drawn": f"{len(groups['drawn'])} of them drawn from grey levels (drawn_digits.ts), "
                        "pre-processed",
                        "pad": f"{len(groups['pad'])} of them drawn with the pad's pen (pad_digits.ts), "
                        "pre-processed",
                    },
                    "not_digits": "training/ood_data.ts --split cal: 1,000 per kind, held-out fonts, seed 2002",
                    "rejected": rejected,
                    "caught": caught,
                },
            },
            "training": {
                "base": f"{os.path.relpath(args.base, os.path.join(os.path.dirname(__file__), '..'))} "
                f"(test accuracy {base_test['accuracy']})",
                "seed": args.seed,
                "epochs": args.epochs,
                "batch": args.batch,
                "optimizer": f"AdamW lr={args.lr} wd=1e-4, OneCycle (15 % warm-up)",
                "augmentation": "train.py's: affine (rot +-15deg, scale 0.85-1.15, aspect 0.9-1.1, shear +-0.2, "
                "shift +-2px), stroke dilation/erosion",
                "data": f"MNIST train 0-54,999 as they are, {int((tr_y < NOT_DIGIT).sum())} of them drawn "
                f"and {int((tr_y == NOT_DIGIT).sum())} not-digits (training/ood_data.ts --split train), "
                "pre-processed by src/",
                "command": command,
                "torch": torch.__version__,
                "seconds": round(time.time() - t0),
            },
        },
    )
    print(f"exported {args.stem}.onnx: acc={meta['test']['accuracy']} threshold={threshold:.6f}")


if __name__ == "__main__":
    main()
