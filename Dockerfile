# zadig-mock container image.
#
#   docker build -t zadig-mock .                      # builds from source (target "runtime", the default)
#   docker build --target prebuilt -t zadig-mock .    # copies target/release/zadig-mock built on the host
#
# Both targets share the "base" stage, so they differ only in where the binary
# comes from. The host binary must be linked against glibc 2.36 or older
# (Debian 12 or an older distribution).

# --- builder: compile the release binary ------------------------------------
FROM rust:1.95-bookworm AS builder
WORKDIR /src
# The whole context (see .dockerignore), so files the build embeds are never missed.
COPY . .
# The target folder lives in a cache mount, so the binary is copied out of it.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked \
 && cp target/release/zadig-mock /usr/local/bin/zadig-mock

# --- base: everything of the runtime image except the binary ----------------
FROM debian:bookworm-slim AS base
# /data is where a state file can live: a volume mounted there starts owned
# by the unprivileged user below.
RUN mkdir /data && chown 65534:65534 /data
ENV ZADIG_MOCK_LISTEN=0.0.0.0:8080
WORKDIR /data
USER 65534:65534
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/usr/local/bin/zadig-mock", "--healthcheck"]
# Exec form: the server is PID 1 and receives SIGTERM itself (graceful stop, exit 0).
ENTRYPOINT ["/usr/local/bin/zadig-mock"]

# --- prebuilt: the runtime image around a binary built on the host ----------
FROM base AS prebuilt
COPY target/release/zadig-mock /usr/local/bin/zadig-mock

# --- runtime (default target): the runtime image around the builder's binary -
FROM base AS runtime
COPY --from=builder /usr/local/bin/zadig-mock /usr/local/bin/zadig-mock
