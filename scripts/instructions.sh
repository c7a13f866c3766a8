#!/usr/bin/env bash
# Instructions per event for decoding each workload, counted by callgrind
# (repeatable, unlike wall time on a shared machine). Only the decoding loop
# is counted: `decode_all` (client workloads, `chatwire::from_slice`) or
# `decode_all_server` (the server workload, `ServerEvent::from_slice`) in
# examples/instructions.rs.
#
#   scripts/instructions.sh [EVENTS]      (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
events="${1:-20000}"
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
cargo build --release --example instructions >&2
bin=target/release/examples/instructions
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-10s %12s %14s\n' workload events instr/event
for w in mixed typing signaling server; do
    region='instructions::decode_all'
    [ "$w" = server ] && region='instructions::decode_all_server'
    valgrind --tool=callgrind --callgrind-out-file="$out/$w" \
        --toggle-collect="$region" "$bin" "$w" "$events" >/dev/null 2>&1
    total=$(callgrind_annotate "$out/$w" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
    printf '%-10s %12d %14d\n' "$w" "$events" $((total / events))
done
