# syntax=docker/dockerfile:1
# Gate sidecar: multi-stage build -> ASP.NET Core runtime image, non-root. See docs/deploy.md.
#   docker build -t gate .
#   docker run --rm -v "$PWD/examples:/etc/gate:ro" -v gate-data:/var/lib/gate gate      # try it (dev tokens!)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so source edits do not invalidate the package layer.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/GateSidecar/GateSidecar.csproj src/GateSidecar/
COPY src/Clients/Gate.Client/Gate.Client.csproj src/Clients/Gate.Client/
RUN dotnet restore src/GateSidecar/GateSidecar.csproj
COPY proto/ proto/
COPY src/GateSidecar/ src/GateSidecar/
COPY src/Clients/Gate.Client/ src/Clients/Gate.Client/
RUN dotnet publish src/GateSidecar/GateSidecar.csproj -c Release -o /app --no-restore --nologo -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# Examples for reference only. The policy and approvers the sidecar runs with are mounted at
# /etc/gate (read-only); nothing with a known token is baked into the image.
COPY examples/policy.yaml examples/approvers.yaml /usr/share/gate/examples/
# The embedded store and the generated signing key live in /var/lib/gate: mount a volume to keep them.
RUN mkdir -p /var/lib/gate /etc/gate && chown app:app /var/lib/gate
USER app
ENV GATE_POLICY=/etc/gate/policy.yaml \
    GATE_APPROVERS=/etc/gate/approvers.yaml \
    GATE_SQLITE=/var/lib/gate/gate.db \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
# 7070: gRPC (HTTP/2) for agents and approver tools; 7080: HTTP/1.1 console, JSON API, webhooks, health, JWKS.
# Both listen on 127.0.0.1 unless --listen says otherwise (and a non-loopback address requires TLS):
# run the sidecar in the agent's network namespace (pod, or compose network_mode "service:agent").
EXPOSE 7070 7080
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["dotnet", "/app/GateSidecar.dll", "healthcheck", "--url", "http://127.0.0.1:7080/readyz"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["dotnet", "/app/GateSidecar.dll"]
CMD ["--grpc-port", "7070", "--http-port", "7080"]
