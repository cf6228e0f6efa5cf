# syntax=docker/dockerfile:1
#
# mosapi-exporter container image.
#
#   docker build -t mosapi-exporter \
#     --build-arg VERSION="$(node -p 'require("./package.json").version')" \
#     --build-arg REVISION="$(git rev-parse HEAD)" .
#
# Two stages: `build` compiles TypeScript with the dev dependencies; `runtime` holds only the
# compiled dist/, the production dependencies and no package manager. The runtime runs as a
# numeric non-root user and writes nothing outside /tmp, so it works with a read-only root
# filesystem (docker run --read-only, Kubernetes readOnlyRootFilesystem). See docs/deploy.md.

# Node major of both stages. It must stay equal to `.nvmrc` and to LTS_MAJOR in `.ci/run` (the
# Node the test suite also runs on); test/packaging/dockerfile.test.ts checks both.
ARG NODE_MAJOR=26

FROM node:${NODE_MAJOR}-trixie-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:${NODE_MAJOR}-trixie-slim AS runtime
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
# Where the code lives; override for a fork or a mirror.
ARG SOURCE=https://github.com/mosapi-exporter/mosapi-exporter
LABEL org.opencontainers.image.title="mosapi-exporter" \
      org.opencontainers.image.description="Prometheus exporter for ICANN's Monitoring System API (MoSAPI): SLA state, incidents, downtime and Domain METRICA per TLD and registrar" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.url="${SOURCE}" \
      org.opencontainers.image.documentation="${SOURCE}/blob/main/docs/deploy.md" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, then remove npm, npx, corepack and yarn: nothing at runtime
# installs or runs packages, and a package manager in the image is only attack surface.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts --cache /tmp/npm-cache \
 && rm -rf /tmp/npm-cache /root/.npm \
      /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
      /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /opt/yarn-* /usr/local/bin/yarn /usr/local/bin/yarnpkg \
 && groupadd --system --gid 10001 mosapi \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin mosapi \
 && mkdir -p /etc/mosapi-exporter/secrets
# dist/ and examples/ stay owned by root: the exporter cannot modify its own code. examples/
# holds demo.yml, which dist/simulator/demo.js (the compose demo) reads; the simulator is in
# the image for that demo only and is never the entry point.
COPY --from=build /src/dist ./dist
COPY examples ./examples
# Apache-2.0 asks for the license to travel with the software.
COPY LICENSE ./
# V8's heap sizing for a small, steady heap (BENCHMARKS.md, section 2): on a host with
# gigabytes of memory V8 lets the old generation grow to 4 times what survived its last full
# collection before collecting again, and keeps two 16 MB semi-spaces. A 512 MB old-space cap
# lowers that factor to about 1.4; 4 MB semi-spaces save 24 MB.
# glibc's allocator with its mmap threshold pinned at 32 kB (BENCHMARKS.md, section 4, fifth
# and sixth sessions). By default the threshold starts at 128 kB and rises to the size of each
# large block freed, so the renderer's blocks (about 300 kB at 1,000 targets, rebuilt as
# targets change) and the 64 kB socket reads end up in the main heap, whose holes stay
# resident. Pinned, each such allocation is mapped on its own and unmapped when freed. At
# 64 kB, 12-20 MB stayed resident on Node 26 in the malloc arenas of V8's worker threads,
# most likely the 32 kB segments of its compilers' zones; at 32 kB those arenas hold 1.3 MB.
# The Helm chart and the systemd unit set the same.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=4" \
    GLIBC_TUNABLES="glibc.malloc.mmap_threshold=32768" \
    MOSAPI_EXPORTER_REVISION=${REVISION}
USER 10001:10001
EXPOSE 9745
STOPSIGNAL SIGTERM
# /-/healthy never depends on MoSAPI: this checks the process, not ICANN. Exec form with node,
# because the slim image has neither curl nor wget. It assumes the default listen port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9745/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--config.file=/etc/mosapi-exporter/config.yml"]
