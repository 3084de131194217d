#!/usr/bin/env bash
# Load benchmark for Pillars: requests per second and p99 latency for the home page and a framework
# page, next to a bare net/http server (bench/bare) that serves the very same bytes. The ratio of
# the two is the framework's cost (sessions, database reads, templates) over HTTP alone.
#
#   bash bench/run.sh                      # 5 runs of 10 s per page and server
#   RUNS=3 DURATION=5s bash bench/run.sh   # quicker, noisier
#
# Knobs: RUNS (5), DURATION (10s), CONNECTIONS (16), THREADS (2), WARMUP (2s; 0 to skip).
# Prints a Markdown table and writes it to bench/out/results.md. See bench/README.md.
#
# Everything runs on 127.0.0.1, every loop is bounded, and both servers and the temporary directory
# are removed on exit, whether the script succeeds, fails or is interrupted.
set -euo pipefail

RUNS=${RUNS:-5}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-2s}

# The pages to measure: name, path, and a piece of text that proves the page rendered for the
# signed-in practitioner rather than, say, a sign-in form or an error page.
# The timeline is the CPD portfolio of a practitioner with ENTRIES entries (the issue's figure is
# 2,000); its expected text is set once the portfolio is seeded.
PAGE_NAMES=(home framework timeline)
declare -A PAGE_PATH=([home]=/home [framework]=/frameworks/ot-leadership [timeline]=/portfolio)
declare -A PAGE_EXPECT=([home]="Welcome, Alex Marlowe" [framework]="Essential leadership skills" [timeline]="")
ENTRIES=${ENTRIES:-2000}

DEMO_EMAIL=alex.marlowe@demo.pillars.test
DEMO_PASSWORD=pillars-demo-2026

die() { echo "bench: $*" >&2; exit 1; }

# --- Checks before doing anything -----------------------------------------------------------------

command -v wrk >/dev/null 2>&1 || die "install wrk: apt-get install wrk"
command -v go >/dev/null 2>&1 || die "go is not on PATH"
command -v curl >/dev/null 2>&1 || die "curl is not on PATH"

# Validate the knobs, so a typo fails now rather than after minutes of building and loading, and so
# the measurement loop below has a known, sane bound.
[[ $RUNS =~ ^[1-9][0-9]*$ && $RUNS -le 100 ]] || die "RUNS must be a whole number from 1 to 100 (got '$RUNS')"
[[ $DURATION =~ ^[1-9][0-9]*[smh]?$ ]] || die "DURATION must look like 10s, 1m or 30 (got '$DURATION')"
[[ $WARMUP == 0 || $WARMUP =~ ^[1-9][0-9]*[smh]?$ ]] || die "WARMUP must be 0 or look like 2s (got '$WARMUP')"
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive whole number (got '$THREADS')"
[[ $CONNECTIONS =~ ^[1-9][0-9]*$ && $CONNECTIONS -ge $THREADS ]] ||
	die "CONNECTIONS must be a whole number no smaller than THREADS (got '$CONNECTIONS')"

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
OUT_DIR=$BENCH_DIR/out

# --- Clean-up --------------------------------------------------------------------------------------

WORK=""
PIDS=()   # the servers
WRK_PID="" # the wrk run in progress, if any
PILLARS_ERR=""

# cleanup stops the servers this script started (by pid, nothing else) and removes the temporary
# directory. Pillars shuts down gracefully on SIGTERM (it allows itself up to 15 s), so give it 20 s
# before SIGKILL; the bounded wait keeps a stuck server from hanging the script.
cleanup() {
	local status=$?
	set +e
	trap - EXIT INT TERM
	# After a real failure (not an interrupt) Pillars' log often says why.
	if [[ $status -ne 0 && $status -ne 130 && $status -ne 143 && -n $PILLARS_ERR && -s $PILLARS_ERR ]]; then
		echo "bench: failed; the last lines Pillars logged:" >&2
		tail -n 20 "$PILLARS_ERR" >&2
	fi
	if [[ -n $WRK_PID ]]; then
		kill -TERM "$WRK_PID" 2>/dev/null
		wait "$WRK_PID" 2>/dev/null
	fi
	local pid i
	for pid in ${PIDS[@]+"${PIDS[@]}"}; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in ${PIDS[@]+"${PIDS[@]}"}; do
		for ((i = 0; i < 200; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [[ -n $WORK && -d $WORK ]]; then
		rm -rf -- "$WORK"
	fi
	exit "$status"
}
trap cleanup EXIT
# Turn signals into an ordinary exit so the EXIT trap runs and reports a failing status.
trap 'exit 130' INT
trap 'exit 143' TERM

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pillars-bench.XXXXXX")

# --- Build -----------------------------------------------------------------------------------------

echo "Building pillars and the bare baseline..." >&2
(cd "$REPO" && go build -o "$WORK/pillars" ./cmd/pillars && go build -o "$WORK/bare" ./bench/bare)

# --- Servers ---------------------------------------------------------------------------------------

# wait_ready NAME OUTFILE PID: both servers listen on port 0 (the kernel picks a free port, so the
# benchmark never collides with anything else on a shared machine) and print "... is running at
# http://ADDR" once listening. Read that address, then poll /healthz. Bounded: 600 tries, about 60 s.
# Prints the base URL.
wait_ready() {
	local name=$1 outfile=$2 pid=$3 url="" i
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || die "$name exited during start-up"
		if [[ -z $url ]]; then
			url=$(sed -n 's/^.* is running at \(http:\/\/[^ ]*\).*$/\1/p' "$outfile" | head -n 1)
		fi
		if [[ -n $url ]] && curl -fsS -o /dev/null --max-time 2 "$url/healthz" 2>/dev/null; then
			echo "$url"
			return 0
		fi
		sleep 0.1
	done
	die "$name did not become ready within 60 s"
}

[[ $ENTRIES =~ ^[0-9]+$ && $ENTRIES -le 100000 ]] || die "ENTRIES must be a whole number up to 100000 (got '$ENTRIES')"
echo "Loading the demo and giving $DEMO_EMAIL $ENTRIES more CPD entries..." >&2
"$WORK/pillars" demo --db "$WORK/pillars.db" >/dev/null
(cd "$REPO" && go build -o "$WORK/seedportfolio" ./bench/seedportfolio)
TOTAL=$("$WORK/seedportfolio" --db "$WORK/pillars.db" --email "$DEMO_EMAIL" --entries "$ENTRIES")
[[ $TOTAL =~ ^[0-9]+$ ]] || die "seeding the portfolio failed"
PAGE_EXPECT[timeline]="Timeline: $TOTAL entries"

echo "Starting Pillars on the demo database..." >&2
PILLARS_ERR=$WORK/pillars.err
"$WORK/pillars" serve --demo --db "$WORK/pillars.db" --addr 127.0.0.1:0 >"$WORK/pillars.out" 2>"$PILLARS_ERR" &
PIDS+=($!)
PILLARS_URL=$(wait_ready pillars "$WORK/pillars.out" "${PIDS[-1]}")

# --- Sign in, capture and check the pages ------------------------------------------------------------

# Cross-origin protection refuses POSTs without a same-origin Origin header.
echo "Signing in as $DEMO_EMAIL..." >&2
signin=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{redirect_url}' -c "$WORK/cookies" \
	-H "Origin: $PILLARS_URL" --data-urlencode "email=$DEMO_EMAIL" --data-urlencode "password=$DEMO_PASSWORD" \
	"$PILLARS_URL/sign-in")
[[ $signin == "303 $PILLARS_URL/home" ]] || die "sign-in did not redirect to /home (got: $signin)"
SESSION=$(awk '$6 == "pillars_session" { print $7 }' "$WORK/cookies")
[[ -n $SESSION ]] || die "sign-in set no pillars_session cookie"
COOKIE_HEADER="Cookie: pillars_session=$SESSION"

# check_page BASE NAME [PREFIX]: GET the page with the session cookie; insist on 200 and the
# expected text. With PREFIX, keep the body and headers there for the bare server.
check_page() {
	local base=$1 name=$2 prefix=${3:-$WORK/check} code
	code=$(curl -sS --max-time 10 -H "$COOKIE_HEADER" -D "$prefix.headers" -o "$prefix.body" -w '%{http_code}' \
		"$base${PAGE_PATH[$name]}")
	[[ $code == 200 ]] || die "$base${PAGE_PATH[$name]} answered $code, not 200"
	grep -qF -- "${PAGE_EXPECT[$name]}" "$prefix.body" ||
		die "$base${PAGE_PATH[$name]} does not contain \"${PAGE_EXPECT[$name]}\""
}

bare_args=()
for name in "${PAGE_NAMES[@]}"; do
	check_page "$PILLARS_URL" "$name" "$WORK/$name"
	bare_args+=(-page "${PAGE_PATH[$name]}=$WORK/$name")
	echo "  ${PAGE_PATH[$name]}: 200, $(wc -c <"$WORK/$name.body") bytes, contains \"${PAGE_EXPECT[$name]}\"" >&2
done

echo "Starting the bare baseline with the captured pages..." >&2
"$WORK/bare" -addr 127.0.0.1:0 "${bare_args[@]}" >"$WORK/bare.out" 2>"$WORK/bare.err" &
PIDS+=($!)
BARE_URL=$(wait_ready bare "$WORK/bare.out" "${PIDS[-1]}")

# The baseline is only fair if it really serves the same bytes.
for name in "${PAGE_NAMES[@]}"; do
	check_page "$BARE_URL" "$name"
	cmp -s "$WORK/check.body" "$WORK/$name.body" || die "bare ${PAGE_PATH[$name]} differs from what Pillars served"
done

# --- Measurement -----------------------------------------------------------------------------------

# to_ms VALUE: wrk prints latencies as e.g. 812.00us, 52.51ms, 1.02s or 1.50m.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		else if (u != "ms") { print "bad latency unit: " v > "/dev/stderr"; exit 1 }
		printf "%.3f\n", n
	}'
}

RAW=$WORK/raw.tsv # one line per wrk run: run, page, server, req/s, p99 ms
: >"$RAW"
NOTES=() # anything odd seen during the runs, repeated under the table

# measure RUN NAME SERVER BASE [DURATION]: one wrk run; RUN 0 is a warm-up and is not recorded.
# The same wrk command, with the same cookie, goes to both servers.
measure() {
	local run=$1 name=$2 server=$3 base=$4 dur=${5:-$DURATION} out rps p99 errs bad
	out=$WORK/wrk-$run-$name-$server.txt
	# wrk runs in the background and the script waits for it: bash runs a signal trap only once the
	# foreground command ends, so this way an interrupt stops the benchmark at once, not after the run.
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"$dur" --latency -H "$COOKIE_HEADER" "$base${PAGE_PATH[$name]}" >"$out" 2>&1 &
	WRK_PID=$!
	wait "$WRK_PID" || { cat "$out" >&2; die "wrk failed against $server ${PAGE_PATH[$name]}"; }
	WRK_PID=""
	# wrk counts 4xx and 5xx as errors but happily times redirects; the page checks before and
	# after the runs catch a session that stopped working.
	bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
	if [[ -n $bad ]]; then
		cat "$out" >&2
		die "$server ${PAGE_PATH[$name]} answered $bad requests with an error status during run $run"
	fi
	errs=$(sed -n 's/^ *Socket errors: *//p' "$out" | head -n 1)
	if [[ -n $errs ]]; then
		NOTES+=("run $run, $server ${PAGE_PATH[$name]}: $errs")
	fi
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p99=$(awk '$1 == "99%" { print $2 }' "$out")
	[[ -n $rps && -n $p99 ]] || { cat "$out" >&2; die "could not read Requests/sec and the 99% line from wrk"; }
	p99=$(to_ms "$p99")
	if ((run > 0)); then
		printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$name" "$server" "$rps" "$p99" >>"$RAW"
		printf '  run %d/%d  %-9s %-7s %10.1f req/s  p99 %8.2f ms\n' "$run" "$RUNS" "$name" "$server" "$rps" "$p99" >&2
	fi
}

# A short warm-up first, so the first recorded run does not pay for cold caches, a small heap and
# the SQLite page cache filling up.
if [[ $WARMUP != 0 ]]; then
	echo "Warming up ($WARMUP per page and server)..." >&2
	for name in "${PAGE_NAMES[@]}"; do
		measure 0 "$name" pillars "$PILLARS_URL" "$WARMUP"
		measure 0 "$name" bare "$BARE_URL" "$WARMUP"
	done
fi

# Interleave: within each run, each page is measured on both servers back to back, and the order
# flips from run to run (pillars first on odd runs, bare first on even ones). Whatever else the
# shared machine is doing then lands on both sides about equally, and each Pillars run has a bare
# run taken moments apart to be compared with.
echo "Measuring: $RUNS runs x $DURATION per page and server, $THREADS threads, $CONNECTIONS connections..." >&2
for ((run = 1; run <= RUNS; run++)); do
	for name in "${PAGE_NAMES[@]}"; do
		if ((run % 2 == 1)); then order=(pillars bare); else order=(bare pillars); fi
		for server in "${order[@]}"; do
			if [[ $server == pillars ]]; then base=$PILLARS_URL; else base=$BARE_URL; fi
			measure "$run" "$name" "$server" "$base"
		done
	done
done

# The session must still have been valid at the end, or the later runs timed redirects.
for name in "${PAGE_NAMES[@]}"; do
	check_page "$PILLARS_URL" "$name"
done

# --- Report ----------------------------------------------------------------------------------------

# median: the median of the numbers on stdin, one per line (the mean of the middle two if even).
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# values NAME SERVER FIELD: that page's and server's values for FIELD (4 = req/s, 5 = p99 ms).
values() { awk -F'\t' -v n="$1" -v s="$2" -v f="$3" '$2 == n && $3 == s { print $f }' "$RAW"; }

# paired_ratios NAME: Pillars req/s over bare req/s for each run, each pair measured moments apart.
paired_ratios() {
	awk -F'\t' -v n="$1" '
		$2 == n && $3 == "pillars" { p[$1] = $4 }
		$2 == n && $3 == "bare"    { b[$1] = $4 }
		END { for (r in p) if (b[r] > 0) printf "%.6f\n", p[r] / b[r] }' "$RAW"
}

commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n $(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
	commit="$commit (with uncommitted changes)"
fi

report() {
	echo "## Pillars load benchmark"
	echo
	echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- Commit: $commit"
	echo "- Machine: $(nproc) CPUs (nproc), shared with wrk; $(go version | sed 's/^go version //')"
	echo "- Load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $RUNS runs per page and server, interleaved; warm-up $WARMUP"
	echo "- Figures are medians over the runs. The ratio is the median of the per-run ratios (each Pillars run over the bare run taken next to it)."
	echo
	echo "| page | Pillars req/s (median) | Pillars p99 ms (median) | bare req/s | bare p99 ms | Pillars/bare throughput ratio |"
	echo "|---|---:|---:|---:|---:|---:|"
	local name
	for name in "${PAGE_NAMES[@]}"; do
		printf '| `%s` | %.0f | %.1f | %.0f | %.1f | %.3f |\n' "${PAGE_PATH[$name]}" \
			"$(values "$name" pillars 4 | median)" "$(values "$name" pillars 5 | median)" \
			"$(values "$name" bare 4 | median)" "$(values "$name" bare 5 | median)" \
			"$(paired_ratios "$name" | median)"
	done
	if ((${#NOTES[@]} > 0)); then
		echo
		echo "Socket errors reported by wrk:"
		printf -- '- %s\n' "${NOTES[@]}"
	fi
	echo
	echo "<details><summary>Every run</summary>"
	echo
	echo "| run | page | server | req/s | p99 ms |"
	echo "|---:|---|---|---:|---:|"
	awk -F'\t' '{ printf "| %s | %s | %s | %.1f | %.2f |\n", $1, $2, $3, $4, $5 }' "$RAW"
	echo
	echo "</details>"
}

mkdir -p "$OUT_DIR"
report >"$WORK/results.md"
cp "$WORK/results.md" "$OUT_DIR/results.md"
echo >&2
cat "$WORK/results.md"
echo >&2
echo "Written to ${OUT_DIR#"$REPO"/}/results.md" >&2
