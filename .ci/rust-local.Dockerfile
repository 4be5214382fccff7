# A stand-in for the public rust:<version>-bookworm image, made from this
# machine's toolchain (bind-mounted at build time) where no registry is
# reachable. Used by `.ci/stages/container.sh` with CONTAINER_MODE=multistage.
FROM localhost/debian:bookworm-slim
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN set -e; tc=stable-x86_64-unknown-linux-gnu; \
    mkdir -p "$RUSTUP_HOME/toolchains/$tc" "$CARGO_HOME/bin"; \
    tar -C /host-toolchain --exclude=./share/doc -cf - . | tar -C "$RUSTUP_HOME/toolchains/$tc" -xf -; \
    cp /host-rustup "$CARGO_HOME/bin/rustup"; \
    for p in cargo rustc rustdoc cargo-clippy clippy-driver cargo-fmt rustfmt; do ln -s rustup "$CARGO_HOME/bin/$p"; done; \
    printf 'version = "12"\ndefault_toolchain = "%s"\nprofile = "minimal"\nauto_self_update = "disable"\n' "$tc" \
      > "$RUSTUP_HOME/settings.toml"; \
    chmod -R a+rwX "$CARGO_HOME" "$RUSTUP_HOME"; rustc --version; cargo --version
