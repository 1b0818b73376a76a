"""Export a PyTorch classifier to ONNX and write the metadata the server and page read.

Shared by train.py (our ConvNet) and export_onnx.py (checkpoints of the old kedro
pipeline), so every model in models/ is described the same way.
"""

import datetime
import hashlib
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

INPUT_NAME = "input"  # float32 [N, 1, 28, 28], normalised with metadata mean/std
OUTPUT_NAME = "logits"  # float32 [N, 10] (or [N, 11]: the 11th is "not a digit"), softmax by the caller


@torch.no_grad()
def evaluate(model: torch.nn.Module, images: np.ndarray, labels: np.ndarray, mean: float, std: float):
    """Accuracy, mean cross-entropy and per-class accuracy on uint8 images (N, 28, 28)."""
    model.eval()
    x = (torch.from_numpy(images.copy()).float().div(255.0).unsqueeze(1) - mean) / std
    y = torch.from_numpy(labels.astype(np.int64))
    logits = torch.cat([model(x[i : i + 1000]) for i in range(0, len(x), 1000)])
    loss = F.cross_entropy(logits, y).item()
    pred = logits.argmax(1)
    per_class = {}
    for c in range(10):
        mask = y == c
        per_class[str(c)] = round((pred[mask] == c).float().mean().item(), 4)
    return {
        "accuracy": round((pred == y).float().mean().item(), 4),
        "loss": round(loss, 4),
        "per_class_accuracy": per_class,
        "samples": int(len(y)),
    }


def export(model: torch.nn.Module, out_dir: str, stem: str, meta: dict) -> dict:
    """Write {stem}.onnx (dynamic batch, opset 13) and {stem}.json; return the metadata.

    meta["outputs"] (default 10) is the number of logits; meta["not_digit"], when given,
    says which one is "not a digit" and the threshold on p(digit) (src/metadata.ts).
    """
    model.eval()
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, f"{stem}.onnx")
    torch.onnx.export(
        model,
        torch.zeros(1, 1, 28, 28),
        onnx_path,
        input_names=[INPUT_NAME],
        output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
        opset_version=13,
        do_constant_folding=True,
    )
    with open(onnx_path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    full = {
        "name": meta["name"],
        "version": meta["version"],
        "file": f"{stem}.onnx",
        "sha256": digest,
        "input": {"name": INPUT_NAME, "shape": ["batch", 1, 28, 28], "dtype": "float32"},
        "output": {
            "name": OUTPUT_NAME,
            "shape": ["batch", meta.get("outputs", 10)],
            "dtype": "float32",
            "kind": "logits",
        },
        "normalization": {"mean": meta["mean"], "std": meta["std"]},
        "labels": [str(i) for i in range(10)],
        "parameters": int(sum(p.numel() for p in model.parameters())),
        "test": meta["test"],
        "training": meta["training"],
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    for key in ("description", "macs", "not_digit"):
        if key in meta:
            full[key] = meta[key]
    with open(os.path.join(out_dir, f"{stem}.json"), "w") as f:
        json.dump(full, f, indent=2)
        f.write("\n")
    return full
