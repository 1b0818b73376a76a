/**
 * Prometheus metrics with prom-client: one registry per worker, merged on scrape.
 *
 * Runs in Deno.
 * @module
 */

import client from "prom-client";

/** The metrics one worker records. */
export interface Metrics {
  registry: client.Registry;
  requests: client.Counter<"route" | "method" | "status">;
  requestSeconds: client.Histogram<"route">;
  inferenceSeconds: client.Histogram<"backend" | "batch">;
  predictions: client.Counter<"class">;
  modelInfo: client.Gauge<"name" | "version" | "sha256" | "backend">;
  shed: client.Counter;
  decodeTimeouts: client.Counter;
}

const LATENCY = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Create a worker's registry and metrics.
 *
 * @returns The metrics, registered in a fresh registry.
 */
export function createMetrics(): Metrics {
  const registry = new client.Registry();
  const registers = [registry];
  return {
    registry,
    requests: new client.Counter({
      name: "http_requests_total",
      help: "HTTP requests by route, method and status",
      labelNames: ["route", "method", "status"],
      registers,
    }),
    requestSeconds: new client.Histogram({
      name: "http_request_duration_seconds",
      help: "HTTP request latency by route",
      labelNames: ["route"],
      buckets: LATENCY,
      registers,
    }),
    inferenceSeconds: new client.Histogram({
      name: "inference_duration_seconds",
      help: "Model run latency by backend and batch-size bucket",
      labelNames: ["backend", "batch"],
      buckets: LATENCY,
      registers,
    }),
    predictions: new client.Counter({
      name: "predictions_total",
      help: "Predictions by predicted class",
      labelNames: ["class"],
      registers,
    }),
    modelInfo: new client.Gauge({
      name: "model_info",
      help: "The model serving now (value 1), with its version and sha256",
      labelNames: ["name", "version", "sha256", "backend"],
      registers,
      aggregator: "max",
    }),
    decodeTimeouts: new client.Counter({
      name: "image_decode_timeouts_total",
      help: "Uploads whose decoding overran DECODE_TIMEOUT_MS (the decode worker was replaced)",
      registers,
    }),
    shed: new client.Counter({
      name: "http_requests_shed_total",
      help: "Requests answered 503 because the worker was at its in-flight limit",
      registers,
    }),
  };
}

/** Batch-size bucket label, so the label set stays small. */
export function batchBucket(n: number): string {
  return n <= 1 ? "1" : n <= 8 ? "2-8" : n <= 64 ? "9-64" : "65+";
}

/**
 * Merge the JSON snapshots of several workers into Prometheus text.
 *
 * @param snapshots `registry.getMetricsAsJSON()` of each worker.
 * @returns The exposition text.
 */
export async function mergeMetrics(snapshots: client.MetricObjectWithValues<client.MetricValue<string>>[][]) {
  const merged = client.AggregatorRegistry.aggregate(snapshots);
  return { text: await merged.metrics(), contentType: merged.contentType };
}
