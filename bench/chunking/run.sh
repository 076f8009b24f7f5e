#!/usr/bin/env bash
# bench/chunking/run.sh — which FastCDC parameters suit Office documents and their versions.
#
#   bench/chunking/run.sh [versions=5] [scale=1.0] [MIN/AVG/MAX ...]
#
# Generates document histories (bench/chunking/corpus.py: .docx, .xlsx, .pptx and .pdf built like Office and Acrobat
# save them, each version a whole file, about 330 MiB per version at scale 1), then for each parameter set ingests
# every version in order into a fresh repository with RepositoryBench (release build) and prints one table:
# dedup across versions, chunk counts, stored bytes and ingest throughput. Parameter sets default to
# 128K/512K/2M, 256K/1M/4M (the current default) and 512K/2M/8M.
# Work happens under ${BENCH_DIR:-/tmp/lifeboat-bench-chunking}; it is removed first.
set -euo pipefail
VERSIONS=${1:-5}
SCALE=${2:-1.0}
shift $(( $# >= 2 ? 2 : $# ))
SETTINGS=("$@")
if [ ${#SETTINGS[@]} -eq 0 ]; then SETTINGS=(128K/512K/2M 256K/1M/4M 512K/2M/8M); fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${BENCH_DIR:-/tmp/lifeboat-bench-chunking}
export LIFEBOAT_BENCH_PASSWORD=bench-password

echo "Building RepositoryBench (release)..." >&2
(cd "$ROOT" && swift build -c release --product RepositoryBench >/dev/null)
BENCH="$ROOT/.build/release/RepositoryBench"

rm -rf "$WORK" && mkdir -p "$WORK"
echo "Generating $VERSIONS versions of the documents (scale $SCALE)..." >&2
python3 "$HERE/corpus.py" "$WORK/corpus" "$VERSIONS" "$SCALE"
"$BENCH" chunking "$WORK/corpus" "$WORK/repositories" "${SETTINGS[@]}" | tee "$WORK/results.jsonl" >&2
python3 - "$WORK/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
MiB = 1 << 20
print(f"{'min/avg/max':<14} {'chunks':>8} {'distinct':>8} {'v0 MiB':>8} {'v0 new':>8} {'later MiB':>10} {'later new':>10} "
      f"{'later dedup':>11} {'all dedup':>9} {'stored MiB':>10} {'v0 MB/s':>8} {'later MB/s':>10}")
for r in rows:
    total = r["firstBytes"] + r["laterBytes"]
    new = r["firstNewBytes"] + r["laterNewBytes"]
    print(f"{r['parameters']:<14} {r['chunkReferences']:>8} {r['chunks']:>8} {r['firstBytes'] / MiB:>8.0f} "
          f"{r['firstNewBytes'] / MiB:>8.0f} {r['laterBytes'] / MiB:>10.0f} {r['laterNewBytes'] / MiB:>10.1f} "
          f"{r['laterBytes'] / max(r['laterNewBytes'], 1):>10.1f}x {total / max(new, 1):>8.2f}x "
          f"{r['storedBytes'] / MiB:>10.0f} {r['firstBytes'] / 1e6 / r['firstSeconds']:>8.0f} "
          f"{r['laterBytes'] / 1e6 / r['laterSeconds']:>10.0f}")
print("later dedup = bytes of versions 1.. / new bytes they added; all dedup = every version's bytes / unique bytes; "
      "stored = after compression and encryption.")
PY
