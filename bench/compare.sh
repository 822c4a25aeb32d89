#!/usr/bin/env bash
# ding-bench side by side with wrk (the floor: an HTTP client doing no SDK work at all).
#
#   bench/compare.sh [path/to/ding-bench]
#
# nginx (one worker, TLS 1.3, static Ding-shaped answers, keep-alive, no access log) runs on
# 127.0.0.1 pinned to CPU 1; wrk -t1 and ding-bench run pinned to CPU 0, at 1 and at 64 requests in
# flight, interleaved, ROUNDS rounds. Then both again under callgrind at 64 in flight: instructions
# per call, which unlike CPU time do not depend on how expensive the machine makes system calls.
# Then the first call of a process (c=1), with and without client::warm_up_async: its latency
# against the steady p50, and its instructions (callgrind) against the steady instructions per call.
# Prints the medians and the ratios; the last two lines are
#   ding/wrk c=64: ir_per_call_ratio=R0
#   ding/wrk c=64: cpu_per_call_ratio=R1 throughput_ratio=R2
# Environment: ROUNDS (3), DURATION (seconds per run, 5), PORT (18443), SERVER_CPU (1), CLIENT_CPU (0),
# IR_WRK_SHORT / IR_WRK_LONG (seconds of the two wrk runs under callgrind, 40 / 60).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
bench="${1:-$root/build-bench/bench/ding-bench}"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-5}"
PORT="${PORT:-18443}"
SERVER_CPU="${SERVER_CPU:-1}"
CLIENT_CPU="${CLIENT_CPU:-0}"
IR_WRK_SHORT="${IR_WRK_SHORT:-40}"
IR_WRK_LONG="${IR_WRK_LONG:-60}"
API_KEY="bench-api-key-0123456789"
BODY='{"customer_uuid":"cf2edc1c-7fc6-48fb-86da-b7508c6b7b71","authentication_uuid":"e0e7b0e9-739d-424b-922f-1c2cb48ab077","check_code":"123456"}'

[[ -x "$bench" ]] || { echo "compare.sh: $bench not found; build it: cmake --build build-bench --target ding_bench" >&2; exit 2; }

need_install=()
command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need_install+=(nginx-light)
command -v wrk >/dev/null 2>&1 || need_install+=(wrk)
command -v valgrind >/dev/null 2>&1 || need_install+=(valgrind)
if ((${#need_install[@]})); then
    if [[ $(id -u) -ne 0 ]]; then echo "compare.sh: install ${need_install[*]} (as root: apt-get install -y ${need_install[*]})" >&2; exit 2; fi
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_install[@]}"
fi
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"
for tool in taskset python3 openssl; do
    command -v "$tool" >/dev/null 2>&1 || { echo "compare.sh: $tool is required" >&2; exit 2; }
done
TIME=/usr/bin/time
[[ -x $TIME ]] || { echo "compare.sh: /usr/bin/time is required (apt-get install -y time)" >&2; exit 2; }

dir="$(mktemp -d /tmp/ding-bench.XXXXXX)"
nginx_pid=""
cleanup() {
    if [[ -n "$nginx_pid" ]] && kill -0 "$nginx_pid" 2>/dev/null; then
        kill "$nginx_pid" 2>/dev/null || true
        wait "$nginx_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
sed -e "s#@DIR@#$dir#g" -e "s#@PORT@#$PORT#g" "$here/nginx.conf.in" >"$dir/nginx.conf"

taskset -c "$SERVER_CPU" "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
nginx_pid=$!
url="https://127.0.0.1:$PORT/v1"
for _ in $(seq 1 100); do
    if python3 - "$PORT" <<'EOF' 2>/dev/null; then break; fi
import socket, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s, ctx.wrap_socket(s) as t:
    t.sendall(b"POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    assert t.recv(100).startswith(b"HTTP/1.1 200")
EOF
    kill -0 "$nginx_pid" 2>/dev/null || { echo "compare.sh: nginx did not start:" >&2; cat "$dir/error.log" >&2; exit 1; }
    sleep 0.1
done

cat >"$dir/check.lua" <<EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["x-api-key"] = "$API_KEY"
EOF

results="$dir/results.txt" # lines: client conns round calls_per_s cpu_us_per_call
: >"$results"

run_wrk() { # conns round
    local out="$dir/wrk.out" tm="$dir/wrk.time"
    $TIME -f "%U %S" -o "$tm" taskset -c "$CLIENT_CPU" wrk -t1 -c"$1" -d"${DURATION}s" -s "$dir/check.lua" "$url/check" >"$out"
    python3 - "$out" "$tm" "$1" "$2" >>"$results" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
req = int(re.search(r"(\d+) requests in", text).group(1))
rps = float(re.search(r"Requests/sec:\s*([\d.]+)", text).group(1))
errs = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", text)
if errs: print("wrk reported errors: " + errs.group(0), file=sys.stderr); sys.exit(1)
u, s = map(float, open(sys.argv[2]).read().split()[-2:])
print(f"wrk {sys.argv[3]} {sys.argv[4]} {rps:.1f} {(u + s) * 1e6 / req:.3f}")
EOF
}

declare -A calls_for
calibrate() { # conns: size ding-bench runs for about DURATION seconds
    local json
    json="$(taskset -c "$CLIENT_CPU" "$bench" --url "$url" --ca-file "$dir/cert.pem" --api-key "$API_KEY" \
        --operation check --calls 3000 --in-flight "$1" --quiet --no-reconnect-probe | sed -n 's/^json: //p')"
    calls_for[$1]="$(python3 -c 'import json,sys; print(max(2000, int(json.loads(sys.argv[1])["calls_per_s"] * float(sys.argv[2]))))' "$json" "$DURATION")"
}

run_ding() { # conns round
    local out="$dir/ding.out"
    if ! taskset -c "$CLIENT_CPU" "$bench" --url "$url" --ca-file "$dir/cert.pem" --api-key "$API_KEY" \
        --operation check --calls "${calls_for[$1]}" --in-flight "$1" --max-connections "$1" >"$out"; then
        cat "$out" >&2; echo "compare.sh: ding-bench failed" >&2; exit 1
    fi
    python3 - "$out" "$1" "$2" >>"$results" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    if line.startswith("json: "): j = json.loads(line[6:])
print(f"ding {sys.argv[2]} {sys.argv[3]} {j['calls_per_s']:.1f} {j['cpu_us_per_call']:.3f}")
EOF
    sed -n 's/^json: /  ding-bench json: /p' "$out" >&2
}

echo "server: nginx (1 worker, TLS 1.3) on CPU $SERVER_CPU; clients on CPU $CLIENT_CPU; $ROUNDS rounds of ${DURATION}s runs" >&2
calibrate 1
calibrate 64
echo "ding-bench calls per run: c=1 ${calls_for[1]}, c=64 ${calls_for[64]}" >&2
for round in $(seq 1 "$ROUNDS"); do
    for conns in 1 64; do
        run_wrk "$conns" "$round"
        tail -1 "$results" >&2
        run_ding "$conns" "$round"
        tail -1 "$results" >&2
    done
done

# The sandbox's own throughput (the embedded sandbox on CPU $SERVER_CPU, the client on CPU $CLIENT_CPU).
sandbox_out="$dir/sandbox.out"
for op in check flow; do
    if ! taskset -c "$CLIENT_CPU" "$bench" --sandbox --sandbox-cpu "$SERVER_CPU" --operation "$op" \
        --calls 10000 --in-flight 64 --max-connections 64 >"$sandbox_out"; then
        cat "$sandbox_out" >&2; echo "compare.sh: ding-bench --sandbox failed" >&2; exit 1
    fi
    sed -n "s/^json: /sandbox $op json: /p" "$sandbox_out" >>"$dir/sandbox.txt"
done

# Instructions per call (callgrind, whole process, user space), the same way for both clients:
# (Ir of a long run - Ir of a short run) / (difference in calls), so that start-up and the 64 TLS
# handshakes cancel out. ding-bench runs a fixed number of calls (2500 and 500); wrk runs for a
# time (IR_WRK_LONG and IR_WRK_SHORT seconds), and the requests it made are taken from its own
# report. Both runs must be past wrk's start-up and its 64 full TLS handshakes, which take it about
# 20 s under callgrind on a busy 2-core machine (a 20 s run then counts them as requests: 30k
# instead of 12k per request); the script warns when the short run looks like it was not.
cg_total() { sed -n 's/^\(summary\|totals\): *\([0-9][0-9]*\).*/\2/p' "$1" | head -1; }
ir="$dir/ir.txt"
for n in 500 2500; do
    taskset -c "$CLIENT_CPU" valgrind --tool=callgrind --callgrind-out-file="$dir/cg.ding.$n" "$bench" --url "$url" \
        --ca-file "$dir/cert.pem" --api-key "$API_KEY" --operation check --calls "$n" --warmup 200 --in-flight 64 \
        --max-connections 64 --no-reconnect-probe --quiet >"$dir/cg.ding.$n.out" 2>"$dir/cg.ding.$n.err" ||
        { cat "$dir/cg.ding.$n.out" "$dir/cg.ding.$n.err" >&2; echo "compare.sh: ding-bench under callgrind failed" >&2; exit 1; }
    echo "ding $n $(cg_total "$dir/cg.ding.$n")" >>"$ir"
done
for d in "$IR_WRK_SHORT" "$IR_WRK_LONG"; do
    taskset -c "$CLIENT_CPU" valgrind --tool=callgrind --callgrind-out-file="$dir/cg.wrk.$d" wrk -t1 -c64 -d"${d}s" \
        --timeout 60s -s "$dir/check.lua" "$url/check" >"$dir/cg.wrk.$d.out" 2>"$dir/cg.wrk.$d.err"
    req="$(sed -n 's/^ *\([0-9][0-9]*\) requests in.*/\1/p' "$dir/cg.wrk.$d.out")"
    if grep -q "Non-2xx\|Socket errors" "$dir/cg.wrk.$d.out"; then
        cat "$dir/cg.wrk.$d.out" >&2; echo "compare.sh: wrk under callgrind reported errors" >&2; exit 1
    fi
    echo "wrk $req $(cg_total "$dir/cg.wrk.$d") $d" >>"$ir"
done
sed 's/^/  callgrind (calls or requests, Ir): /' "$ir" >&2
# The first call of a process, at 1 in flight: after warm_up_async(1) and on a cold pool, ROUNDS
# runs each (its latency, the steady p50, and a warm call after 5 ms of idle as a control); then its
# instructions under callgrind (collected for that call only: --count-first-call), next to the
# steady-state instructions per call at 1 in flight, counted as above.
first="$dir/first.txt"
: >"$first"
for round in $(seq 1 "$ROUNDS"); do
    for mode in warm cold; do
        extra=()
        [[ $mode == warm ]] && extra=(--warm-up-pool 1)
        taskset -c "$CLIENT_CPU" "$bench" --url "$url" --ca-file "$dir/cert.pem" --api-key "$API_KEY" --operation check \
            --calls 2000 --warmup 200 --in-flight 1 --max-connections 1 --no-reconnect-probe --quiet "${extra[@]}" \
            >"$dir/first.out" || { cat "$dir/first.out" >&2; echo "compare.sh: ding-bench (first call) failed" >&2; exit 1; }
        python3 - "$dir/first.out" "$mode" >>"$first" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    if line.startswith("json: "): j = json.loads(line[6:])
print(f"latency {sys.argv[2]} {j['first_call_us']:.1f} {j['latency_p50_us']:.1f} {j['idle_call_us']:.1f}")
EOF
    done
done
for mode in warm cold; do
    extra=()
    [[ $mode == warm ]] && extra=(--warm-up-pool 1)
    taskset -c "$CLIENT_CPU" valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$dir/cg.first.$mode" \
        "$bench" --url "$url" --ca-file "$dir/cert.pem" --api-key "$API_KEY" --operation check --calls 10 --warmup 0 \
        --in-flight 1 --max-connections 1 --no-reconnect-probe --quiet --count-first-call "${extra[@]}" \
        >"$dir/cg.first.$mode.out" 2>"$dir/cg.first.$mode.err" ||
        { cat "$dir/cg.first.$mode.out" "$dir/cg.first.$mode.err" >&2; echo "compare.sh: ding-bench --count-first-call failed" >&2; exit 1; }
    echo "first_ir $mode $(cg_total "$dir/cg.first.$mode")" >>"$first"
done
for n in 500 2500; do
    taskset -c "$CLIENT_CPU" valgrind --tool=callgrind --callgrind-out-file="$dir/cg.ding1.$n" "$bench" --url "$url" \
        --ca-file "$dir/cert.pem" --api-key "$API_KEY" --operation check --calls "$n" --warmup 200 --in-flight 1 \
        --max-connections 1 --no-reconnect-probe --quiet >"$dir/cg.ding1.$n.out" 2>"$dir/cg.ding1.$n.err" ||
        { cat "$dir/cg.ding1.$n.out" "$dir/cg.ding1.$n.err" >&2; echo "compare.sh: ding-bench under callgrind failed" >&2; exit 1; }
    echo "steady_ir $n $(cg_total "$dir/cg.ding1.$n")" >>"$first"
done
sed 's/^/  first call: /' "$first" >&2
python3 - "$results" "$dir/sandbox.txt" "$ir" "$first" <<'EOF'
import json, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
med = {}
for client in ("wrk", "ding"):
    for conns in ("1", "64"):
        sel = [r for r in rows if r[0] == client and r[1] == conns]
        med[client, conns] = (statistics.median(float(r[3]) for r in sel), statistics.median(float(r[4]) for r in sel), len(sel))
print()
print("| client | in flight | calls/s (median) | client CPU per call (median) |")
print("| --- | --- | --- | --- |")
for conns in ("1", "64"):
    for client, name in (("wrk", "wrk -t1"), ("ding", "ding-bench (1 thread, 1 ding::client)")):
        rps, cpu, n = med[client, conns]
        print(f"| {name} | {conns} | {rps:,.0f} | {cpu:.1f} us |")
print()
for conns in ("1", "64"):
    w, d = med["wrk", conns], med["ding", conns]
    print(f"c={conns}: ding/wrk throughput {d[0] / w[0]:.2f}, CPU per call {d[1] / w[1]:.2f} (medians of {d[2]} rounds)")
for line in open(sys.argv[2]):
    label, _, payload = line.partition(" json: ")
    j = json.loads(payload)
    print(f"{label} (embedded ding::sandbox, 64 in flight): {j['calls_per_s']:,.0f} calls/s, client CPU {j['cpu_us_per_call']:.1f} us per call")
runs = {"ding": [], "wrk": []}
seconds = {}
for line in open(sys.argv[3]):
    client, calls, total, *duration = line.split()
    runs[client].append((int(calls), int(total)))
    if duration: seconds[int(calls)] = float(duration[0])
(w0, _), (w1, _) = sorted(runs["wrk"])
if w1 > w0 and w0 / seconds[w0] < 0.25 * (w1 - w0) / (seconds[w1] - seconds[w0]):
    sys.stdout.flush()
    print(f"compare.sh: warning: wrk's short callgrind run made {w0} requests in {seconds[w0]:.0f} s, far fewer per "
          f"second than the long one: it was probably still connecting; raise IR_WRK_SHORT", file=sys.stderr)
def per_call(client):
    (c0, i0), (c1, i1) = sorted(runs[client])
    if c0 <= 0 or c1 - c0 < 1000:
        sys.exit(f"compare.sh: {client} under callgrind made too few calls to count ({c0}, {c1})")
    return (i1 - i0) / (c1 - c0)
ding_ir, wrk_ir = per_call("ding"), per_call("wrk")
print(f"callgrind c=64: ding {ding_ir:,.0f} instructions per check call, wrk {wrk_ir:,.0f} per request "
      f"(wrk runs: {sorted(runs['wrk'])[0][0]} and {sorted(runs['wrk'])[1][0]} requests)")
lat = {"warm": [], "cold": []}
first_ir, steady = {}, {}
for line in open(sys.argv[4]):
    kind, mode, *v = line.split()
    if kind == "latency": lat[mode].append([float(x) for x in v])
    elif kind == "first_ir": first_ir[mode] = int(v[0])
    else: steady[int(mode)] = int(v[0])
steady_ir = (steady[2500] - steady[500]) / 2000
m = {mode: [statistics.median(r[i] for r in rows) for i in range(3)] for mode, rows in lat.items()}
print(f"first call, c=1 (medians of {len(lat['warm'])} runs): after warm_up_async(1) {m['warm'][0]:,.0f} us, "
      f"cold pool {m['cold'][0]:,.0f} us; steady p50 {m['warm'][1]:,.0f} us; a warm call after 5 ms idle "
      f"{m['warm'][2]:,.0f} us")
print(f"callgrind first call: after warm_up_async(1) {first_ir['warm']:,} instructions, cold pool "
      f"{first_ir['cold']:,}; steady state c=1 {steady_ir:,.0f} per call")
print(f"ding first call after warm_up_async(1): ir_ratio={first_ir['warm'] / steady_ir:.2f} "
      f"latency_ratio={m['warm'][0] / m['warm'][1]:.2f} idle_call_ratio={m['warm'][2] / m['warm'][1]:.2f}")
print(f"ding/wrk c=64: ir_per_call_ratio={ding_ir / wrk_ir:.2f}")
w, d = med["wrk", "64"], med["ding", "64"]
print(f"ding/wrk c=64: cpu_per_call_ratio={d[1] / w[1]:.2f} throughput_ratio={d[0] / w[0]:.2f}")
EOF
