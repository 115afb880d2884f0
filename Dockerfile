# The iamlint container image: the static binary alone on an empty base, run as a non-root user,
# linting what is mounted at /src:
#
#   docker run --rm -v "$PWD:/src" iamlint .
#
# (For --fix or --output, which write into the mount, add --user "$(id -u):$(id -g)".)
#
# Where the binary comes from:
# - By default it is built here from the checkout (static, musl): `docker build -t iamlint .`
# - The release workflow passes --build-arg BINARY=prebuilt and puts the static musl binaries it
#   has already built, checksummed and attested at dist/docker/<arch>/iamlint, so the image holds
#   the very binary of the release archives (linux/amd64 and linux/arm64, no emulated build).
ARG BINARY=source

FROM rust:1-alpine AS source
RUN apk add --no-cache musl-dev
WORKDIR /build
COPY . .
RUN cargo build --release --locked && cp target/release/iamlint /iamlint

FROM scratch AS prebuilt
ARG TARGETARCH
COPY dist/docker/${TARGETARCH}/iamlint /iamlint

FROM ${BINARY} AS binary

FROM scratch
LABEL org.opencontainers.image.title="iamlint" \
      org.opencontainers.image.description="A fast linter for AWS IAM policies" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0" \
      org.opencontainers.image.source="https://github.com/iamlint/iamlint"
COPY --from=binary /iamlint /usr/local/bin/iamlint
USER 65532:65532
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/iamlint"]
