#!/usr/bin/env bash
# The GPU run of the benchmarks, for a bare offline machine with an NVIDIA GPU (the
# device tool's H100/H200): unpacks what bench/gpu/prepare.sh packed into .gpu/, then
# runs bench/backends.ts (inference per backend and batch size, what BACKEND=auto
# picks, MNIST agreement) and the stage benchmarks, writing both into $OUT.
#
#   device run --carry .gpu: bash bench/gpu/run.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/gpu-out}
mkdir -p "$out"
for f in .gpu/deb/*.deb; do dpkg -x "$f" /; done
ldconfig
mkdir -p /tmp/deno-bin && xz -dc .gpu/deno.xz >/tmp/deno-bin/deno && chmod +x /tmp/deno-bin/deno
export PATH=/tmp/deno-bin:$PATH
tar -xJf .gpu/nm.tar.xz
export NO_COLOR=1 DENO_NO_UPDATE_CHECK=1
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$nvidia_icd" ] && ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$nvidia_icd
fi
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
  lscpu | grep -E '^(Model name|CPU\(s\))'
  deno --version | head -1
  VK_LOADER_DEBUG=error deno eval 'const a = await navigator.gpu.requestAdapter();
    console.log("WebGPU adapter:", a ? JSON.stringify(a.info) : "none")' 2>&1 | grep -v XDG_RUNTIME_DIR
} 2>&1 | tee "$out/machine.txt"
# --node-modules-dir=manual: use the node_modules unpacked above, never the network.
flags=(--node-modules-dir=manual --no-check -A)
timeout 240 deno run "${flags[@]}" bench/backends.ts --runs 100 --json "$out/backends.json" 2>&1 |
  grep -v XDG_RUNTIME_DIR | tee "$out/backends.md"
timeout 240 deno bench "${flags[@]}" bench/stages_bench.ts 2>&1 | tee "$out/stages.txt"
