#!/usr/bin/env bash
# bench/graph/run.sh — full and incremental backups of a simulated tenant through Lifeboat's whole pipeline
# (Graph client → simulator on loopback → quickXorHash → repository → catalog).
#
#   bench/graph/run.sh [loopback|budget|all=all]
#
# (a) loopback: no budget, no latency. Items/s for small files, MB/s for large ones, and the ratio to ChunkStore's raw
#     ingest of the same bytes (stored straight into a fresh repository, same process, same build): the pipeline's overhead.
# (b) budget: 1,250 RU/min counted over a 60 s sliding window (the simulator and the client alike), 80 ms before every
#     read's first byte. Budget utilisation = RU spent on calls that were not throttled ÷ (1,250 × minutes of the run);
#     throttled share = 429/503 answers ÷ charged calls. Tenant sized for about 3 minutes of budget.
# Work happens under ${BENCH_DIR:-/tmp/lifeboat-bench-graph}. Targets: ratio ≥ 0.70; utilisation ≥ 0.90 with ≤ 1% throttled.
set -euo pipefail
WHAT=${1:-all}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${BENCH_DIR:-/tmp/lifeboat-bench-graph}
CONFIG=${BENCH_CONFIG:-release}
echo "Building GraphBench ($CONFIG)..." >&2
(cd "$ROOT" && swift build -c "$CONFIG" --product GraphBench >/dev/null)
GRAPH_BENCH="$ROOT/.build/$CONFIG/GraphBench"
mkdir -p "$WORK"
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"

bench() { "$GRAPH_BENCH" --work "$WORK/run" "$@" | tee -a "$RESULTS" >&2; }

if [[ $WHAT == all || $WHAT == loopback ]]; then
    echo "(a) loopback, small files: 4 drives x 1000 files" >&2
    bench --shape small --drives 4 --files 1000
    echo "(a) loopback, large files: 24 x 16 MiB" >&2
    bench --shape large --files 24 --file-size $((16 << 20))
fi
if [[ $WHAT == all || $WHAT == budget ]]; then
    echo "(b) 1,250 RU/min over 60 s windows, 80 ms latency: 4 drives x 300 files (a few minutes)" >&2
    bench --shape small --drives 4 --files 300 --budget 1250 --window 60 --latency-ms 80
fi
rm -rf "$WORK/run"

python3 - "$RESULTS" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print(f"{'case':<34}{'phase':<13}{'files':>7}{'MB':>9}{'s':>8}{'items/s':>10}{'MB/s':>9}{'raw MB/s':>10}{'ratio':>7}{'calls':>7}{'thr%':>7}{'util':>7}")
for r in rows:
    case = f"{r['shape']} " + (f"{r['budget']} RU/min/{r['window']}s {r['latencyMs']}ms" if r['budget'] else "loopback")
    thr = 100 * r['throttled'] / r['calls'] if r['calls'] else 0
    util = f"{r['utilisation']:.2f}" if 'utilisation' in r else "-"
    print(f"{case:<34}{r['phase']:<13}{r['files']:>7}{r['bytes']/1e6:>9.1f}{r['seconds']:>8.1f}{r['itemsPerSecond']:>10.1f}"
          f"{r['megabytesPerSecond']:>9.1f}{r['rawMegabytesPerSecond']:>10.1f}{r['ratioToRaw']:>7.2f}{r['calls']:>7}{thr:>7.2f}{util:>7}")
PY
