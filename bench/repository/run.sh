#!/usr/bin/env bash
# bench/repository/run.sh — the same corpus through Lifeboat's repository engine, restic and borgbackup, side by side.
#
#   bench/repository/run.sh [corpus-megabytes=2048] [rounds=5]
#
# Generates a corpus (office-like zip containers, PDFs, text/CSV, images, random binary), backs it up with each tool,
# applies `rounds` rounds of realistic edits (each backed up incrementally by every tool), restores the last snapshot
# and checks it byte for byte against the corpus, runs each tool's full data check, and prints one table with ratios
# to restic. Every timing is wall-clock of the tool's own command, measured with /usr/bin/time (peak RSS too).
# Work happens under ${BENCH_DIR:-/tmp/lifeboat-bench-repository}; it is removed first.
set -euo pipefail
MB=${1:-2048}
ROUNDS=${2:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${BENCH_DIR:-/tmp/lifeboat-bench-repository}
export RESTIC_PASSWORD=bench-password BORG_PASSPHRASE=bench-password LIFEBOAT_BENCH_PASSWORD=bench-password
export BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes BORG_RELOCATED_REPO_ACCESS_IS_OK=yes

if ! command -v restic >/dev/null || ! command -v borg >/dev/null; then
    echo "Installing restic and borgbackup (Debian packages)..." >&2
    (apt-get update -q && apt-get install -y -q restic borgbackup) >/dev/null
fi
echo "Building RepositoryBench (release)..." >&2
(cd "$ROOT" && swift build -c release --product RepositoryBench >/dev/null)
LIFEBOAT="$ROOT/.build/release/RepositoryBench"

rm -rf "$WORK" && mkdir -p "$WORK"
CORPUS="$WORK/corpus"
echo "Generating a ${MB} MiB corpus..." >&2
python3 "$HERE/corpus.py" make "$CORPUS" "$MB"

# measure NAME TOOL PHASE -- command...: runs the command, appends "tool phase seconds peakKiB" to results.
measure() {
    local tool=$1 phase=$2; shift 3
    /usr/bin/time -f "%e %M" -o "$WORK/time.out" "$@" >"$WORK/last.out" 2>"$WORK/last.err" || {
        echo "$tool $phase failed:" >&2; cat "$WORK/last.err" >&2; exit 1; }
    echo "$tool $phase $(cat "$WORK/time.out")" >>"$WORK/results"
}

restic -r "$WORK/restic" init >/dev/null
borg init -e repokey "$WORK/borg" >/dev/null 2>&1
corpus_bytes() { du -sb "$CORPUS" | cut -f1; }

for round in $(seq 0 "$ROUNDS"); do
    if [ "$round" -gt 0 ]; then python3 "$HERE/corpus.py" edit "$CORPUS" "$round"; fi
    echo "round $round: $(corpus_bytes) bytes" >&2
    echo "corpus $round $(corpus_bytes)" >>"$WORK/results"
    parent=()
    if [ "$round" -gt 0 ]; then parent=("$WORK/lifeboat-snapshot-$((round - 1)).json"); fi
    measure lifeboat "ingest$round" -- "$LIFEBOAT" ingest "$WORK/lifeboat" "$CORPUS" "$WORK/lifeboat-snapshot-$round.json" "${parent[@]}"
    measure restic "ingest$round" -- restic -r "$WORK/restic" backup --quiet "$CORPUS"
    (cd "$WORK" && measure borg "ingest$round" -- borg create "$WORK/borg::r$round" corpus)
done

echo "Restoring and verifying..." >&2
measure lifeboat restore -- "$LIFEBOAT" restore "$WORK/lifeboat" "$WORK/lifeboat-snapshot-$ROUNDS.json" "$WORK/restore-lifeboat"
measure restic restore -- restic -r "$WORK/restic" restore latest --target "$WORK/restore-restic"
mkdir -p "$WORK/restore-borg"
(cd "$WORK/restore-borg" && measure borg restore -- borg extract "$WORK/borg::r$ROUNDS")
# The bench's snapshot lists files only (as a drive's items are files with paths), so recreate the corpus's empty
# folders before comparing trees.
(cd "$CORPUS" && find . -mindepth 1 -type d -empty -exec mkdir -p "$WORK/restore-lifeboat/{}" \;)
verify() {
    if diff -r "$CORPUS" "$2" >/dev/null; then echo "$1 restore identical to the corpus" >&2
    else echo "$1 restore DIFFERS from the corpus" >&2; echo "$1 restore-differs" >>"$WORK/results"; fi
}
verify lifeboat "$WORK/restore-lifeboat"
verify restic "$WORK/restore-restic$CORPUS"
verify borg "$WORK/restore-borg/corpus"

echo "Checking..." >&2
measure lifeboat check -- "$LIFEBOAT" check "$WORK/lifeboat"
measure restic check -- restic -r "$WORK/restic" check --read-data
measure borg check -- borg check --verify-data "$WORK/borg"
for tool in lifeboat restic borg; do echo "$tool stored $(du -sb "$WORK/$tool" | cut -f1)" >>"$WORK/results"; done

python3 "$HERE/report.py" "$WORK/results" "$ROUNDS"
