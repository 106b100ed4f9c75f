#!/bin/bash
cd "$(dirname "$0")/../../../.."
G="dotnet loadtests/Gate.LoadTests/bin/Release/net10.0/gate-load.dll"
for r in 1 2 3; do
  for v in default tcp1; do
    extra=(); [[ $v == tcp1 ]] && extra=(--sidecar-env DOTNET_GCDTargetTCP=1)
    echo "== $v-$r $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
    ( peak=0; while sleep 2; do for p in $(pgrep -f GateSidecar.dll); do h=$(awk '/VmHWM/{print $2}' /proc/$p/status 2>/dev/null); [[ -n $h && $h -gt $peak ]] && peak=$h; done; echo $peak > "${TMPDIR:-/tmp}"/gate-peak-$v-$r; done ) & sampler=$!
    $G run approval --agents 1000 --warmup 20s --duration 30s --think-min 200ms --think-max 2s --sidecar-gc "${extra[@]}" --report-dir docs/perf/runs/2026-12-03-dtcp --report-name $v-$r 2>&1 | grep -E 'PASS|FAIL|overhead|CPU per approval: sidecar|paused a second: sidecar' | grep -v '^\s*\['
    kill $sampler; echo "  peak RSS sidecar: $(cat "${TMPDIR:-/tmp}"/gate-peak-$v-$r) kB"
  done
done
