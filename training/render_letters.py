"""Render the letters the not-a-digit tests and training draw, from DejaVu fonts, as MNIST digits are made.

    /usr/bin/python3 training/render_letters.py          # writes tests/testdata/letters/

Each of A-Z and a-z in each font of FONTS is rendered large, cropped to its ink, its
longer side scaled to 20 px (anti-aliased) and pasted into 28x28 with its centre of
mass in the middle: the 28x28 layout of an MNIST digit, light ink on dark. The atlas
is one grey PNG, a row per font and a 28x28 tile per letter, with letters.json naming
the rows and columns. The drawing code (tests/model_validation/not_digits.ts) then
draws a tile on the 280x280 pad exactly as it draws an MNIST digit. Deterministic:
the same fonts give the same bytes (Debian fonts-dejavu-core, PIL).
"""

import json
import os

import numpy as np
from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "testdata", "letters")
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
# Training draws the first TRAIN_FONTS; calibration and the tests draw the others too,
# so letters are also checked in fonts the model never saw.
FONTS = [
    "DejaVuSans",
    "DejaVuSans-Bold",
    "DejaVuSerif",
    "DejaVuSansMono",
    "DejaVuSansCondensed-Oblique",
    "DejaVuSerif-Italic",
    "DejaVuSans-ExtraLight",
    "DejaVuSans-Oblique",
    "DejaVuSerif-Bold",
    "DejaVuSansMono-Bold",
]
TRAIN_FONTS = 7
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def tile(font: ImageFont.FreeTypeFont, ch: str) -> np.ndarray:
    """One letter as an MNIST-style 28x28 uint8 image (255 ink on 0)."""
    img = Image.new("L", (400, 400), 0)
    ImageDraw.Draw(img).text((100, 60), ch, fill=255, font=font)
    a = np.asarray(img)
    ys, xs = np.nonzero(a > 0)
    crop = img.crop((xs.min(), ys.min(), xs.max() + 1, ys.max() + 1))
    w, h = crop.size
    s = 20 / max(w, h)
    crop = crop.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BOX)
    c = np.asarray(crop).astype(np.float64)
    yy, xx = np.mgrid[0 : c.shape[0], 0 : c.shape[1]]
    cy, cx = (c * yy).sum() / c.sum(), (c * xx).sum() / c.sum()
    out = np.zeros((28, 28), np.uint8)
    oy, ox = int(round(13.5 - cy)), int(round(13.5 - cx))
    for y in range(c.shape[0]):
        for x in range(c.shape[1]):
            ty, tx = y + oy, x + ox
            if 0 <= ty < 28 and 0 <= tx < 28:
                out[ty, tx] = c[y, x]
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    atlas = np.zeros((28 * len(FONTS), 28 * len(LETTERS)), np.uint8)
    for r, name in enumerate(FONTS):
        font = ImageFont.truetype(os.path.join(FONT_DIR, name + ".ttf"), 200)
        for c, ch in enumerate(LETTERS):
            atlas[r * 28 : (r + 1) * 28, c * 28 : (c + 1) * 28] = tile(font, ch)
    Image.fromarray(atlas).save(os.path.join(OUT, "letters.png"), optimize=True)
    with open(os.path.join(OUT, "letters.json"), "w") as f:
        json.dump({"fonts": FONTS, "train_fonts": TRAIN_FONTS, "letters": LETTERS, "tile": 28}, f, indent=2)
        f.write("\n")
    print(f"{len(FONTS)} fonts x {len(LETTERS)} letters -> {OUT}/letters.png")


if __name__ == "__main__":
    main()
