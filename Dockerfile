# Build: a static binary, no cgo.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/vmeste .
RUN mkdir -p /out/data

# Run: distroless, non-root, the database on a volume.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vmeste /vmeste
COPY --from=build --chown=65532:65532 /out/data /data
ENV VMESTE_DB=/data/vmeste.db \
    VMESTE_BACKUP_DIR=/data/backups \
    VMESTE_HTTP=:8080
VOLUME /data
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["/vmeste", "-healthcheck"]
ENTRYPOINT ["/vmeste"]
