/**
 * Makes sure the machine has the system packages the tests need before any test runs:
 * Chromium for the browser tests, and a Vulkan driver (Mesa's lavapipe on a CPU-only
 * machine) for WebGPU in Deno. Run by `deno task test` first.
 *
 * - Everything present: prints nothing and exits 0.
 * - Missing, as root on Debian (`apt-get` present): installs Debian's packages, then checks again.
 * - Missing otherwise: prints one line with the exact command to run, and exits 1.
 *
 * `CHROMIUM` overrides the browser's path, as in `tests/e2e/browser.ts`.
 *
 * Runs in Deno.
 * @module
 */

/** Debian packages that provide what the tests need. */
export const DEBIAN_PACKAGES: readonly string[] = Object.freeze([
  "chromium",
  "mesa-vulkan-drivers",
  "libvulkan1",
  "fonts-dejavu-core",
]);

/** Where Vulkan drivers announce themselves (the loader's standard ICD folders). */
const ICD_DIRS = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d"];
const LIBVULKAN = [
  "/usr/lib/x86_64-linux-gnu/libvulkan.so.1",
  "/usr/lib/aarch64-linux-gnu/libvulkan.so.1",
  "/usr/lib/libvulkan.so.1",
  "/usr/lib64/libvulkan.so.1",
];

/** One line on stderr (the lint forbids console). */
const say = (line: string) => Deno.stderr.writeSync(new TextEncoder().encode(line + "\n"));

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function hasIcd(): Promise<boolean> {
  for (const dir of ICD_DIRS) {
    try {
      for await (const e of Deno.readDir(dir)) if (e.name.endsWith(".json")) return true;
    } catch {
      // No such folder: try the next one.
    }
  }
  return false;
}

/**
 * What is missing on this machine, as human-readable names.
 *
 * @param chromium The browser's path.
 * @returns The missing parts; empty when all are present.
 */
export async function missingParts(chromium: string): Promise<string[]> {
  const missing: string[] = [];
  if (!(await exists(chromium))) missing.push(`Chromium (${chromium})`);
  if (!(await hasIcd())) missing.push("a Vulkan driver (mesa-vulkan-drivers)");
  if (!(await Promise.all(LIBVULKAN.map(exists))).some(Boolean)) {
    missing.push("the Vulkan loader (libvulkan1)");
  }
  return missing;
}

async function run(cmd: string, args: string[]): Promise<boolean> {
  const { code } = await new Deno.Command(cmd, {
    args,
    env: { DEBIAN_FRONTEND: "noninteractive" },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  return code === 0;
}

async function main(): Promise<number> {
  const chromium = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
  const before = await missingParts(chromium);
  if (before.length === 0) return 0;
  const install = `apt-get install -y --no-install-recommends ${DEBIAN_PACKAGES.join(" ")}`;
  const canInstall = Deno.uid() === 0 && await exists("/usr/bin/apt-get") && !Deno.env.get("CHROMIUM");
  if (!canInstall) {
    // One line, the exact command: the tests would fail without these.
    say(
      `Missing ${before.join(", ")}. Run: sudo apt-get update && sudo ${install}` +
        (Deno.env.get("CHROMIUM") ? ` (or point CHROMIUM at a Chromium binary)` : ""),
    );
    return 1;
  }
  say(`Installing ${DEBIAN_PACKAGES.join(", ")} (missing: ${before.join(", ")})`);
  const ok = await run("apt-get", ["update", "-qq"]) && await run("apt-get", install.split(" ").slice(1));
  const after = await missingParts(chromium);
  if (!ok || after.length) {
    say(`Could not install ${after.join(", ") || "the packages"}. Run: apt-get update && ${install}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main());
