#!/bin/sh
# bench_serve.sh: wrk (Debian's) against latchkey serve at 16 concurrent
# connections: GET /v1/authentications, and POST .../request relayed to
# lk-provider, next to the same load sent straight to the emulator.
# Prints requests per second and latency percentiles, and the relayed
# request's cost over the direct one (target: under 25 %).
# Run by `make bench` through bench_serve (a launcher), or directly with
# top_srcdir and top_builddir set. BENCH_SECONDS (5) and BENCH_THREADS
# (the serve pool, 8) tune it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/provider/start.sh"
. "$top_srcdir/tests/serve/start.sh"
T=${KEEP_T:-$(mktemp -d)}
cleanup() { serve_stop; lkp_stop; [ -n "${KEEP_T:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
SECS=${BENCH_SECONDS:-5}
CONNS=16

command -v wrk >/dev/null || { echo "bench_serve: wrk is not installed (apt-get install wrk)"; exit 1; }
lkp_start "$T" 600 || exit 1
B=$LKP_BASE
. "$top_srcdir/tests/serve/setup.sh"
sed -i "s/threads = 8;/threads = ${BENCH_THREADS:-8};/" "$T/latchkey.conf"
serve_start "$T" || exit 1
AUTH="Authorization: Bearer $KEY1"
ID=$(curl -s -H "$AUTH" -d '{"app":"demo_apikey","fields":{"api_key":"key-123"}}' \
	"$SERVE_BASE/v1/authentications?owner=alice" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || exit 1
cat > "$T/relay.lua" <<EOL
wrk.method = "POST"
wrk.body = '{"method":"GET","url":"$B/apikey/items"}'
wrk.headers["Authorization"] = "Bearer $KEY1"
wrk.headers["X-Latchkey-Owner"] = "alice"
wrk.headers["Content-Type"] = "application/json"
EOL

# run NAME wrk-args...: one wrk run, summarised on one line.
run() {
	local name=$1
	shift
	wrk -t2 -c$CONNS -d"${SECS}s" --latency "$@" > "$T/$name.wrk" 2>&1
	python3 - "$T/$name.wrk" "$name" <<'EOP'
import re, sys
t = open(sys.argv[1]).read()
def ms(v):
    n, u = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[u]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
p = {k: ms(v) for k, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", t, re.M)}
mean = ms(re.search(r"Latency\s+(\S+)", t).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
errs = re.search(r"Socket errors: (.*)", t)
print(f"{sys.argv[2]:<28} {rps:>9.0f} req/s  mean {mean:6.2f} ms  p50 {p['50']:6.2f}  p90 {p['90']:6.2f}  p99 {p['99']:6.2f} ms"
      + (f"  non-2xx {non2xx.group(1)}" if non2xx else "")
      + (f"  socket errors: {errs.group(1)}" if errs else ""))
open(sys.argv[1] + ".rps", "w").write(str(rps))
EOP
}
echo "wrk -t2 -c$CONNS -d${SECS}s --latency; serve pool ${BENCH_THREADS:-8} threads; $(nproc) CPUs"
run direct -H "X-Api-Key: key-123" "$B/apikey/items"
run relayed -s "$T/relay.lua" "$SERVE_BASE/v1/authentications/$ID/request"
run list -H "$AUTH" -H "X-Latchkey-Owner: alice" "$SERVE_BASE/v1/authentications?app=demo_apikey"
# The same with a provider that takes 20 ms to answer, as real APIs do.
curl -s -o /dev/null -d 'path=/apikey/items&delay_ms=20&count=1000000' "$B/_/fault"
run direct-20ms -H "X-Api-Key: key-123" "$B/apikey/items"
run relayed-20ms -s "$T/relay.lua" "$SERVE_BASE/v1/authentications/$ID/request"
curl -s -o /dev/null -X POST "$B/_/reset"
python3 - "$T" <<'EOP'
import sys
for a, b, what in (("direct", "relayed", "an instant provider"),
                   ("direct-20ms", "relayed-20ms", "a provider answering in 20 ms")):
    d = float(open(f"{sys.argv[1]}/{a}.wrk.rps").read())
    r = float(open(f"{sys.argv[1]}/{b}.wrk.rps").read())
    print(f"relayed costs {(d / r - 1) * 100:.0f} % more than direct with {what} (target: under 25 %)")
EOP
check "every relayed request answered 200" sh -c "! grep -q 'Non-2xx' '$T/relayed.wrk'"
check "every list answered 200" sh -c "! grep -q 'Non-2xx' '$T/list.wrk'"
lk_done
