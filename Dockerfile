# The tracflow server in a small image: a static binary (no cgo) on
# distroless/static (CA certificates, no shell), run as a non-root user,
# listening on every interface of the container, its data on the /data volume.
#
#   docker build -t tracflow --build-arg VERSION=v0.1.0 --build-arg COMMIT=$(git rev-parse HEAD) .
#   docker run -p 8686:8686 -v tracflow-data:/data tracflow
#
# The binary is built by scripts/build-static.sh, the same script the
# packaging test runs (cmd/tracflow/packaging_test.go).
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=
ARG COMMIT=
ARG DATE=
RUN VERSION="$VERSION" COMMIT="$COMMIT" DATE="$DATE" OUT=/out/tracflow ./scripts/build-static.sh \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tracflow /usr/local/bin/tracflow
# The data folder belongs to the image's non-root user (65532).
COPY --from=build --chown=65532:65532 /out/data /data
ENV TRACFLOW_ADDR=0.0.0.0:8686 \
    TRACFLOW_DATA=/data
VOLUME ["/data"]
EXPOSE 8686
USER 65532:65532
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/tracflow", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/tracflow"]
CMD ["serve"]
