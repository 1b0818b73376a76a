# syntax=docker/dockerfile:1
# MNIST digit-recognition service: the Deno API server and the drawing page.
#
#   docker build -t mnist .
#   docker run --rm -p 8000:8000 mnist
#   docker run --rm -p 8000:8000 -v "$PWD/models:/app/models:ro" mnist   # hot-reloads new models
#
# Three stages: deps (npm packages from deno.lock, in their own layer), build (the page
# bundle), runtime (server, src, model, built page and node_modules; no tests, training
# or page sources), run as the base image's non-root "deno" user, uid 1993.
# No Docker engine on the team's machines: tests/deploy/dockerfile_test.ts checks this
# file against deno.json, and tests/deploy/docker_steps_test.ts runs its RUN/COPY/CMD
# steps on the host. Keep RUN lines relative to WORKDIR so that runner can replay them.

FROM denoland/deno:2.9.6 AS deps
WORKDIR /app
COPY deno.json deno.lock ./
# All of deno.json's imports: Deno re-initializes any package of deno.lock that is
# missing from node_modules when the server starts, so the runtime gets the full set.
RUN deno install --frozen

FROM denoland/deno:2.9.6 AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY deno.json deno.lock ./
COPY src ./src
COPY web ./web
COPY models ./models
RUN deno task build

FROM denoland/deno:2.9.6
WORKDIR /app
# glibc malloc settings of the start task: freed image buffers go back to the OS
# instead of staying in per-thread arenas (the fuzz test's memory check needs it).
# The CMD's 4 MB young generation keeps each worker's V8 heap near 40 MB instead of
# growing to 90 MB under load, at no measured cost in throughput (docs/performance.md).
ENV DENO_NO_UPDATE_CHECK=1 \
    PORT=8000 \
    HOST=0.0.0.0 \
    MALLOC_ARENA_MAX=2 \
    MALLOC_TRIM_THRESHOLD_=1048576 \
    MALLOC_MMAP_THRESHOLD_=262144
COPY --from=deps /app/node_modules ./node_modules
COPY deno.json deno.lock ./
COPY src ./src
COPY server ./server
COPY models ./models
COPY --from=build /app/web/dist ./web/dist
USER deno
EXPOSE 8000
# No curl in the image: Deno itself asks the liveness route.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["deno", "eval", "const r = await fetch(`http://127.0.0.1:${Deno.env.get('PORT') ?? 8000}/health`); await r.body?.cancel(); Deno.exit(r.ok ? 0 : 1)"]
# The base image's entrypoint is tini, so SIGTERM reaches Deno and the server drains.
STOPSIGNAL SIGTERM
CMD ["deno", "run", "--v8-flags=--max-semi-space-size=4", "--unstable-net", "--allow-net=0.0.0.0,127.0.0.1,[::]", "--allow-read=models,web/dist,node_modules,server,src", "--allow-env=PORT,HOST,MODEL_DIR,WEB_DIR,BACKEND,MAX_UPLOAD_BYTES,MAX_PIXELS,MAX_BATCH_FILES,CORS_ORIGINS,LOG_LEVEL,WORKERS,MAX_INFLIGHT,BODY_TIMEOUT_MS,DRAIN_DELAY_MS,DRAIN_TIMEOUT_MS,DECODE_TIMEOUT_MS,WATCH_MODELS,MICRO_BATCH", "server/main.ts"]
