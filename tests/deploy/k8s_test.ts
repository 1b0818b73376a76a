/**
 * deploy/k8s and docker-compose.yml: they parse, and their ports, probe paths and
 * environment names are the server's (server/config.ts, the real routes).
 * @module
 */

import assert from "node:assert/strict";
import { ENV_NAMES, loadConfig } from "../../server/config.ts";
import { ROOT, startServer } from "../support/test_utils.ts";
import { parseDockerfile, stages } from "./dockerfile.ts";
import { parse, parseAllDocuments } from "./yaml.ts";

// deno-lint-ignore no-explicit-any
type Doc = any;

const K8S = `${ROOT}deploy/k8s/`;
const docs: Doc[] = [];
for (const e of [...Deno.readDirSync(K8S)].sort((a, b) => a.name.localeCompare(b.name))) {
  if (!e.name.endsWith(".yaml")) continue;
  for (const d of parseAllDocuments(Deno.readTextFileSync(K8S + e.name))) {
    assert.deepEqual(d.errors, [], `${e.name}: ${d.errors.join("; ")}`);
    docs.push(d.toJS());
  }
}
const kind = (k: string): Doc => {
  const found = docs.filter((d) => d?.kind === k);
  assert.equal(found.length, 1, `one ${k} in deploy/k8s`);
  return found[0];
};
const deployment = kind("Deployment");
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const httpPort = container.ports.find((p: Doc) => p.name === "http");
const defaultPort = loadConfig({}).port;
const envNames = new Set<string>(ENV_NAMES);

/** A probe's or Service's port, named or numbered, as the container port number. */
const portNumber = (p: string | number) =>
  typeof p === "number" ? p : container.ports.find((c: Doc) => c.name === p)?.containerPort;

Deno.test("deploy/k8s: the manifests parse to a Deployment, Service, HPA and PDB", () => {
  for (const k of ["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"]) kind(k);
  for (const d of docs) assert.ok(d.apiVersion && d.metadata?.name, "apiVersion and metadata.name");
});

Deno.test("deploy/k8s: the container port and PORT are the server's default port", () => {
  assert.equal(httpPort?.containerPort, defaultPort);
  const port = container.env.find((e: Doc) => e.name === "PORT");
  assert.equal(Number(port?.value ?? defaultPort), defaultPort);
});

Deno.test("deploy/k8s: every environment variable is one the server reads", () => {
  for (const e of container.env) assert.ok(envNames.has(e.name), `${e.name} is not in ENV_NAMES`);
  // One worker per core the pod may use: the runtime sees the node's cores.
  const workers = container.env.find((e: Doc) => e.name === "WORKERS");
  assert.equal(workers?.valueFrom?.resourceFieldRef?.resource, "limits.cpu");
});

Deno.test("deploy/k8s: readiness is /ready, liveness /health, on the http port", () => {
  assert.equal(container.readinessProbe.httpGet.path, "/ready");
  assert.equal(container.livenessProbe.httpGet.path, "/health");
  for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe]) {
    if (probe) assert.equal(portNumber(probe.httpGet.port), defaultPort);
  }
});

/** A variable of the container, as a number (the server's default when unset). */
const envMs = (name: string, def: number) =>
  Number(container.env.find((e: Doc) => e.name === name)?.value ?? def);
const defaults = loadConfig({});
const drainDelayMs = envMs("DRAIN_DELAY_MS", defaults.drainDelayMs);
const drainTimeoutMs = envMs("DRAIN_TIMEOUT_MS", defaults.drainTimeoutMs);

Deno.test("deploy/k8s: the probe paths answer 200 on the real server, and /ready turns 503 on SIGTERM", async () => {
  // The manifest's drain settings, shortened to keep the test quick.
  const server = await startServer({ DRAIN_DELAY_MS: "1000", DRAIN_TIMEOUT_MS: "3000" });
  try {
    for (const path of [container.readinessProbe.httpGet.path, container.livenessProbe.httpGet.path]) {
      const r = await fetch(`${server.url}${path}`);
      await r.body?.cancel();
      assert.equal(r.status, 200, path);
    }
    server.process.kill("SIGTERM");
    let status = 0;
    while (status !== 503) {
      const r = await fetch(`${server.url}${container.readinessProbe.httpGet.path}`);
      await r.body?.cancel();
      status = r.status;
      if (status !== 503) await new Promise((res) => setTimeout(res, 20));
      else {
        assert.equal(r.headers.get("connection"), "close", "keep-alive clients are told to leave");
      }
    }
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

/** Seconds a preStop hook waits (an exec `sleep N` or the `sleep` action), 0 without one. */
function preStopSeconds(): number {
  const pre = container.lifecycle?.preStop;
  if (!pre) return 0;
  if (pre.sleep) return Number(pre.sleep.seconds);
  const cmd: string[] = pre.exec?.command ?? [];
  assert.equal(cmd[0], "sleep", `a preStop hook this test can time: ${JSON.stringify(pre)}`);
  return Number(cmd[1]);
}

Deno.test("deploy/k8s: preStop, the drain delay and the drain timeout fit in the termination grace period", () => {
  const preMs = preStopSeconds() * 1000;
  // The server accepts these values (it exits 2 on one out of range).
  loadConfig({ DRAIN_DELAY_MS: String(drainDelayMs), DRAIN_TIMEOUT_MS: String(drainTimeoutMs) });
  // Endpoints drop a terminating pod a moment after SIGTERM (or after preStop): traffic must
  // still be served meanwhile, and keep-alive clients told to leave, so the delay is the server's.
  assert.ok(drainDelayMs > 0, "DRAIN_DELAY_MS set: the Connection: close window");
  assert.ok(preMs + drainDelayMs >= 5000, `${preMs + drainDelayMs} ms before the listener closes`);
  assert.ok(drainTimeoutMs > 0, "DRAIN_TIMEOUT_MS set");
  // main.ts gives up DRAIN_DELAY_MS + DRAIN_TIMEOUT_MS + 1 s after the signal; the kubelet's
  // SIGKILL must not come before.
  const worstMs = preMs + drainDelayMs + drainTimeoutMs + 1000;
  assert.ok(
    worstMs <= pod.terminationGracePeriodSeconds * 1000,
    `${worstMs} ms > terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds}`,
  );
});

Deno.test("deploy/k8s: requests, limits and a non-root, read-only security context", () => {
  for (const r of ["cpu", "memory"]) {
    assert.ok(container.resources.requests[r] && container.resources.limits[r], `${r} request and limit`);
  }
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.ok(pod.securityContext.runAsUser > 0);
  assert.equal(container.securityContext.allowPrivilegeEscalation, false);
  assert.equal(container.securityContext.readOnlyRootFilesystem, true);
  // With a read-only root, Deno needs its cache dir (the image's DENO_DIR) writable.
  assert.ok(container.volumeMounts.some((m: Doc) => m.mountPath === "/deno-dir"));
});

Deno.test("deploy/k8s: Service, HPA and PDB point at the Deployment's pods", () => {
  const labels = deployment.spec.template.metadata.labels;
  const matches = (sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
  const svc = kind("Service");
  assert.ok(matches(svc.spec.selector));
  assert.equal(portNumber(svc.spec.ports[0].targetPort), defaultPort);
  const hpa = kind("HorizontalPodAutoscaler");
  assert.deepEqual([hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name], [
    "Deployment",
    deployment.metadata.name,
  ]);
  assert.ok(hpa.spec.minReplicas >= 2 && hpa.spec.maxReplicas > hpa.spec.minReplicas);
  assert.ok(matches(kind("PodDisruptionBudget").spec.selector.matchLabels));
});

Deno.test("docker-compose.yml: builds the image, maps the default port, mounts models, checks health", () => {
  const compose = parse(Deno.readTextFileSync(`${ROOT}docker-compose.yml`));
  const [name, svc] = Object.entries(compose.services)[0] as [string, Doc];
  assert.ok(name && (svc.build === "." || svc.build?.context === "."));
  assert.ok(
    svc.ports.some((p: string) => p.endsWith(`:${defaultPort}`)),
    "container side is the default PORT",
  );
  for (const k of Object.keys(svc.environment)) assert.ok(envNames.has(k), `${k} is not in ENV_NAMES`);
  assert.equal(Number(svc.environment.PORT ?? defaultPort), defaultPort);
  // Docker's SIGKILL must not come before the server's own give-up time.
  const drainMs = Number(svc.environment.DRAIN_DELAY_MS ?? defaults.drainDelayMs) +
    Number(svc.environment.DRAIN_TIMEOUT_MS ?? defaults.drainTimeoutMs) + 1000;
  const grace = /^(\d+)s$/.exec(svc.stop_grace_period);
  assert.ok(
    grace && Number(grace[1]) * 1000 >= drainMs,
    `stop_grace_period ${svc.stop_grace_period} < ${drainMs} ms`,
  );
  const all = stages(parseDockerfile(Deno.readTextFileSync(`${ROOT}Dockerfile`)));
  const runtime = all[all.length - 1].steps;
  const workdir = runtime.filter((s) => s.keyword === "WORKDIR").pop()!.rest;
  assert.ok(svc.volumes.some((v: string) => v.split(":")[1] === `${workdir}/${loadConfig({}).modelDir}`));
  assert.ok(["always", "unless-stopped", "on-failure"].includes(svc.restart));
  // Compose interpolates "$": "$$" stands for one.
  const test = (svc.healthcheck.test as string[]).map((a) => a.replaceAll("$$", "$"));
  assert.deepEqual(test, ["CMD", ...runtime.find((s) => s.keyword === "HEALTHCHECK")!.exec!]);
});
