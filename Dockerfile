# Miroir peer image: static musl `miroir` and `miroir-ctl` on an empty base.
#
#   docker build -t miroir:0.1.0 .
#   docker run --rm miroir:0.1.0 --help
#
# Ports: 7700 Meilisearch-compatible HTTP API, 7800 peer-to-peer Raft gRPC,
#        7900 admin gRPC (miroir-ctl), 9090 Prometheus /metrics.
# Files: configuration at /etc/miroir/miroir.yaml (mount it), Raft data in /var/lib/miroir
#        (mount a volume). Keys come from the environment (MIROIR_MASTER_KEY, ...).
# No shell: health checks run `/miroir probe --url http://127.0.0.1:7700/_miroir/ready`.

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libclang-dev python3-pip \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# scripts/build-static.sh is the same build CI runs: zig (PyPI `ziglang`) compiles the bundled
# RocksDB for musl, the script checks that both binaries are static and strips them.
RUN scripts/build-static.sh --install-tools --out /out \
 && mkdir -p /out/var/lib/miroir /out/etc/miroir

FROM scratch
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="miroir" \
      org.opencontainers.image.description="One Meilisearch index sharded over many Meilisearch nodes" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /out/miroir /miroir
COPY --from=build /out/miroir-ctl /miroir-ctl
COPY --from=build --chown=65532:65532 /out/var/lib/miroir /var/lib/miroir
COPY --from=build /out/etc/miroir /etc/miroir
USER 65532:65532
EXPOSE 7700 7800 7900 9090
VOLUME ["/var/lib/miroir"]
ENTRYPOINT ["/miroir"]
CMD ["run", "--config", "/etc/miroir/miroir.yaml"]
