# syntax=docker/dockerfile:1
#
# vpcdoctor's container images, two targets of one build:
#   cli   (the default, last stage): ENTRYPOINT vpcdoctor, for CI jobs;
#   probe: the same binary, whose default command is the data-plane probe of a Cloud Run job
#          (`probe --from-env --format jsonl`: one Cloud Logging entry per report).
#
# Multi-arch with buildx: the Go stage runs on the builder's platform and cross-compiles
# for each target platform (no emulation):
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg VERSION=v1.2.3 -t REGISTRY/vpcdoctor:v1.2.3 --push .
#   docker buildx build --platform linux/amd64,linux/arm64 --target probe \
#     --build-arg VERSION=v1.2.3 -t REGISTRY/vpcdoctor-probe:v1.2.3 --push .
# Cloud Run runs linux/amd64 images.
#
# Both images are distroless/static (no shell, no package manager) and run as its nonroot
# user (uid 65532). The binary is static (CGO_ENABLED=0) and carries its version (-X
# internal/cli.version) as well as the commit and date Go records from the checkout.

ARG GO_VERSION=1.26

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first: this layer is cached until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=""
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w -X github.com/vpcdoctor/vpcdoctor/internal/cli.version=${VERSION}" -o /out/vpcdoctor .

FROM gcr.io/distroless/static-debian12:nonroot AS probe
COPY --from=build /out/vpcdoctor /vpcdoctor
USER nonroot:nonroot
ENTRYPOINT ["/vpcdoctor"]
CMD ["probe", "--from-env", "--format", "jsonl"]

FROM gcr.io/distroless/static-debian12:nonroot AS cli
COPY --from=build /out/vpcdoctor /vpcdoctor
USER nonroot:nonroot
WORKDIR /work
ENTRYPOINT ["/vpcdoctor"]
CMD ["--help"]
