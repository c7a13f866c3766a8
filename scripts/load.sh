#!/usr/bin/env bash
# Send Events under a real HTTP load generator (wrk), once per codec in the
# same run: the chat server example on 127.0.0.1 with `--codec chatwire`,
# then with `--codec serde`, each driven with the same realistic bodies
# (API envelopes of 1 to 50 mixed client events from the crate's workload
# generator). Prints, per codec: requests/s, events/s, p50 and p99 latency,
# and the server's CPU time (user + system, from /proc/PID/stat) per event
# accepted; then the ratio of CPU time per event.
#
#   scripts/load.sh [SECONDS]      (default 10 per codec, at most 60)
#
# Knobs (environment):
#   LOAD_CONNECTIONS     wrk connections (default 16)
#   LOAD_WRK_THREADS     wrk threads (default 1)
#   LOAD_SERVER_THREADS  server worker threads (default 1)
#   LOAD_EVENTS          events generated for the bodies (default 20000)
#   LOAD_CHATS           chats the requests are spread over (default 32)
#   LOAD_PORT            port on 127.0.0.1 (default 18480)
#
# Loopback only; every run is bounded in time and the script stops the
# server itself. Bodies are generated into a temporary directory, removed
# at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-10}"
[[ "$seconds" =~ ^[0-9]+$ ]] && ((seconds >= 1 && seconds <= 60)) ||
    { echo "SECONDS must be 1 to 60" >&2; exit 2; }
connections="${LOAD_CONNECTIONS:-16}"
wrk_threads="${LOAD_WRK_THREADS:-1}"
server_threads="${LOAD_SERVER_THREADS:-1}"
events="${LOAD_EVENTS:-20000}"
chats="${LOAD_CHATS:-32}"
port="${LOAD_PORT:-18480}"
base="http://127.0.0.1:$port"

if ! command -v wrk >/dev/null; then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        echo "installing wrk (Debian package)" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
    else
        echo "wrk is needed: apt-get install wrk" >&2
        exit 2
    fi
fi
command -v curl >/dev/null || { echo "curl is needed: apt-get install curl" >&2; exit 2; }

cargo build --release --features cli --bin chatwire >&2
cargo build --release --features serde --example chat_server >&2
server_bin=target/release/examples/chat_server
clk_tck=$(getconf CLK_TCK)

work="$(mktemp -d /tmp/chatwire-load.XXXXXX)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# The bodies: one envelope per line. Envelopes holding `chat_session_end`
# are left out: the agent ends a chat on it, and later sends to that chat
# would be refused (409) rather than decoded.
target/release/chatwire gen --workload envelope --events "$events" --seed 7 -o "$work/all.ndjson"
grep -v '"chat_session_end"' "$work/all.ndjson" >"$work/bodies.ndjson"
bodies=$(wc -l <"$work/bodies.ndjson")
body_bytes=$(wc -c <"$work/bodies.ndjson")
echo "bodies: $bodies envelopes, $((body_bytes / bodies)) bytes on average (workload envelope, seed 7, without chat_session_end)" >&2

cat >"$work/load.lua" <<'LUA'
-- Posts the bodies in turn, each to the next chat, as prebuilt requests.
local requests = {}
local n = 0

init = function(args)
  local chats = {}
  for id in io.lines(os.getenv("LOAD_CHAT_IDS")) do chats[#chats + 1] = id end
  local i = 0
  for body in io.lines(os.getenv("LOAD_BODIES")) do
    local chat = chats[(i % #chats) + 1]
    requests[#requests + 1] = wrk.format("POST", "/clientweb/api/v1/chats/" .. chat .. "/events",
      { ["Content-Type"] = "application/json" }, body)
    i = i + 1
  end
end

request = function()
  n = n % #requests + 1
  return requests[n]
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

# cpu_ticks PID: the process's user + system time, in clock ticks.
cpu_ticks() {
    # Fields after the command name (which is in parentheses): utime is
    # the 12th, stime the 13th.
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }
    awk '{ print $12 + $13 }' <<<"$stat"
}

stat_field() {
    curl -sf "$base/stats" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# run CODEC: one measured run; prints one result line.
run() {
    local codec="$1"
    "$server_bin" --addr "127.0.0.1:$port" --codec "$codec" --threads "$server_threads" \
        --max-chats 10000 --history-bytes 1048576 >"$work/server-$codec.log" 2>&1 &
    server_pid=$!
    local tries=0
    until curl -sf "$base/stats" >/dev/null; do
        tries=$((tries + 1))
        ((tries < 100)) || { echo "the server did not start:" >&2; cat "$work/server-$codec.log" >&2; exit 1; }
        sleep 0.1
    done
    : >"$work/chats.txt"
    local id
    for ((i = 0; i < chats; i++)); do
        id=$(curl -sf -X POST "$base/clientweb/api/v1/chats" -d '{}' |
            sed -n 's/.*"chat_id":"\([^"]*\)".*/\1/p')
        [[ -n "$id" ]] || { echo "Request Chat failed" >&2; exit 1; }
        echo "$id" >>"$work/chats.txt"
    done
    export LOAD_CHAT_IDS="$work/chats.txt" LOAD_BODIES="$work/bodies.ndjson"
    # Warm-up, not measured.
    wrk -t "$wrk_threads" -c "$connections" -d 2s -s "$work/load.lua" "$base" >/dev/null
    local events0 cpu0 cpu1 events1
    events0=$(stat_field events_accepted)
    cpu0=$(cpu_ticks "$server_pid")
    wrk -t "$wrk_threads" -c "$connections" -d "${seconds}s" --timeout 10s -s "$work/load.lua" "$base" \
        >"$work/wrk-$codec.txt"
    cpu1=$(cpu_ticks "$server_pid")
    events1=$(stat_field events_accepted)
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    local result
    result=$(grep '^RESULT' "$work/wrk-$codec.txt")
    # shellcheck disable=SC2086
    awk -v codec="$codec" -v events=$((events1 - events0)) -v ticks=$((cpu1 - cpu0)) \
        -v hz="$clk_tck" -v line="$result" 'BEGIN {
            split(line, kv, " ")
            for (i = 2; i in kv; i++) { split(kv[i], p, "="); r[p[1]] = p[2] }
            secs = r["duration_us"] / 1e6
            cpu = ticks / hz
            printf "%-9s %10.0f %11.0f %9.2f %9.2f %10.0f %9.2f %8d %8d\n", codec,
                r["requests"] / secs, events / secs, r["p50_us"] / 1000, r["p99_us"] / 1000,
                events, cpu, r["non2xx"], r["socket_errors"]
            printf "%s %.4f\n", codec, (events > 0 ? cpu * 1e6 / events : 0) > "/dev/stderr"
        }' 2>>"$work/cpu.txt"
}

echo "Send Events, ${seconds}s per codec, wrk -t$wrk_threads -c$connections, server --threads $server_threads, $(nproc) cores"
printf '%-9s %10s %11s %9s %9s %10s %9s %8s %8s\n' codec 'req/s' 'events/s' 'p50 ms' 'p99 ms' events 'cpu s' non2xx errors
run chatwire
run serde
echo
awk '{ us[$1] = $2; printf "%-9s %8.3f us server CPU per event\n", $1, $2 }
     END { if (us["chatwire"] > 0) printf "serde / chatwire: %.2fx the server CPU time per event\n", us["serde"] / us["chatwire"] }' "$work/cpu.txt"
