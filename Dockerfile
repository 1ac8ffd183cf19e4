# syntax=docker/dockerfile:1
# posture's container image, built from source:
#
#   docker build -t posture .
#   docker run --rm -v "$PWD:/work" posture -c posture.hcl eval
#
# The release workflow builds the published image (ghcr.io/localizevideos/posture)
# from the released binaries instead, with Dockerfile.release; both give the same
# image layout: a static /posture on distroless, run as nonroot in /work.
# docs/install.md covers running it.

# The build runs on the builder's platform and cross-compiles for the target's.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS
ARG TARGETARCH
# A release tag (v1.2.3) and commit to stamp into the binary; empty: "devel".
ARG VERSION=""
ARG REVISION=""
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN set -eu; \
    pkg=github.com/localizevideos/posture/internal/version; \
    ldflags="-s -w"; \
    if [ -n "$VERSION" ]; then ldflags="$ldflags -X $pkg.version=$VERSION"; fi; \
    if [ -n "$REVISION" ]; then ldflags="$ldflags -X $pkg.revision=$REVISION"; fi; \
    CGO_ENABLED=0 GOOS="$TARGETOS" GOARCH="$TARGETARCH" \
      go build -trimpath -buildvcs=false -ldflags "$ldflags" -o /out/posture ./cmd/posture

# distroless static: CA certificates, tzdata, /etc/passwd with nonroot (65532); no shell.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=""
ARG REVISION=""
LABEL org.opencontainers.image.title="posture" \
      org.opencontainers.image.description="Security metrics and KPIs as code" \
      org.opencontainers.image.source="https://github.com/localizevideos/posture" \
      org.opencontainers.image.url="https://github.com/localizevideos/posture" \
      org.opencontainers.image.documentation="https://github.com/localizevideos/posture/blob/main/docs/install.md" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="The posture authors" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /out/posture /posture
COPY LICENSE /LICENSE
USER nonroot:nonroot
WORKDIR /work
ENTRYPOINT ["/posture"]
