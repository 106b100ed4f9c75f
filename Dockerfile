# syntax=docker/dockerfile:1
# Gate sidecar: multi-stage build → ASP.NET Core runtime image, non-root.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY proto/ proto/
COPY src/ src/
RUN dotnet publish src/GateSidecar/GateSidecar.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY examples/policy.yaml examples/approvers.yaml /etc/gate/
# The embedded store and the generated signing key live in /var/lib/gate (mount a volume to keep them).
RUN mkdir -p /var/lib/gate && chown -R app:app /var/lib/gate
USER app
# 7070: gRPC (HTTP/2) for agents and approver tools; 7080: HTTP/1.1 console, JSON API, webhooks, health.
EXPOSE 7070 7080
# Inside a container the ports must listen beyond loopback, which requires TLS (mount a certificate),
# or run the sidecar in the agent's network namespace (the usual sidecar pattern) and keep 127.0.0.1.
ENV GATE_SQLITE=/var/lib/gate/gate.db
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["dotnet", "/app/GateSidecar.dll", "healthcheck", "--url", "http://127.0.0.1:7080/readyz"]
ENTRYPOINT ["dotnet", "/app/GateSidecar.dll"]
CMD ["--grpc-port", "7070", "--http-port", "7080", "--policy", "/etc/gate/policy.yaml", "--approvers", "/etc/gate/approvers.yaml"]
