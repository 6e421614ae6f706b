#!/usr/bin/env bash
# Peer comparison, one command on a fresh clone:
#   bash benches/compare/run.sh [CUSTOMERS] [JOURNEYS]
#   SECTIONS="xes" bash benches/compare/run.sh   # some of: csv xes attribution
# Makes a Python venv with pm4py and ChannelAttribution (pip), generates a
# simulated gym event log (230,000 customers ≈ 1.08 million events) and path
# data (1 million journeys of each shape, PATH_SHAPES) with journey's generators, runs
# journey and the peers on the same files in one run, checks the results
# agree and prints the time ratios.
set -euo pipefail
cd "$(dirname "$0")/../.."
customers="${1:-230000}"
journeys="${2:-1000000}"
work=target/compare
venv=target/compare-venv
mkdir -p "$work"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check pm4py==2.7.23.11 ChannelAttribution==2.2.5
cargo build --quiet --release -p journey-examples --example compare
ours=target/release/examples/compare
python="$venv/bin/python"
peer=benches/compare/compare.py

sections=" ${SECTIONS:-csv xes attribution} "
section() { [[ "$sections" == *" $1 "* ]]; }
if section csv; then
  "$ours" generate-log "$customers" "$work/log.csv"
  echo "event log: $(du -h "$work/log.csv" | cut -f1)"
fi
# Path data of each shape (PATH_SHAPES, default all three): the project's
# generator, and the hard shapes (45 skewed channels with long, repeating
# journeys; 5,000 pages as touchpoints, 10,000 journeys).
path_shapes="${PATH_SHAPES:-project long-skewed pages}"
if section attribution; then
  for shape in $path_shapes; do
    n="$journeys"
    [ "$shape" = pages ] && n=10000
    "$ours" generate-paths "$n" "$work/paths-$shape.csv" "$shape" > /dev/null
    echo "path data, $shape: $n journeys, $(($(wc -l < "$work/paths-$shape.csv") - 1)) distinct paths"
  done
fi

seconds() { grep "^seconds $1 " | awk '{ print $3 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", b / a }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# Quick measurements are taken three times on each side, alternating, and
# the medians compared (these shared machines are noisy); order 3 once.
rounds=3

if section csv; then
echo
echo "== CSV -> directly-follows graph, start/end counts, variants (+ funnel for journey)"
ours_times=""
peer_times=""
for round in $(seq "$rounds"); do
  ours_times="$ours_times $("$ours" discover "$work/log.csv" "$work/ours.json" | seconds discover)"
  peer_out=$("$python" "$peer" discover "$work/log.csv" "$work/ours.json" 2>/dev/null | grep -E "^(seconds|equal)")
  [ "$round" = 1 ] && echo "$peer_out" | grep "^equal"
  peer_times="$peer_times $(echo "$peer_out" | seconds pm4py_discover)"
done
ours_time=$(echo $ours_times | tr ' ' '\n' | median)
peer_time=$(echo $peer_times | tr ' ' '\n' | median)
echo "journey runs:$ours_times; pm4py runs:$peer_times"
echo "journey ${ours_time}s, pm4py ${peer_time}s (medians): journey is $(ratio "$ours_time" "$peer_time") faster"
"$ours" aggregate "$work/log.csv" | grep events_per_second
if [ -x /usr/bin/time ]; then
  rss_kb=$( { /usr/bin/time -f "%M" "$ours" discover "$work/log.csv" "$work/ours.json" > /dev/null; } 2>&1 | tail -1)
  csv_kb=$(( $(wc -c < "$work/log.csv") / 1024 ))
  awk -v r="$rss_kb" -v c="$csv_kb" 'BEGIN { printf "peak memory of the journey pipeline: %.0f MB for %.0f MB of CSV (%.1fx)\n", r / 1024, c / 1024, r / c }'
fi

fi

if section xes; then
echo
echo "== XES -> event log (read alone), then directly-follows graph, start/end counts, variants"
# The bundled public logs, and a simulated one of 250,000+ events.
xes_customers="${XES_CUSTOMERS:-55000}"
"$ours" generate-xes "$xes_customers" "$work/log.xes" > /dev/null
gzip -kf "$work/log.xes"
for file in examples/data/xes/running-example.xes examples/data/xes/receipt.xes.gz \
  examples/data/xes/repair-example.xes.gz "$work/log.xes" "$work/log.xes.gz"; do
  ours_times=""
  peer_times=""
  for round in $(seq "$rounds"); do
    ours_times="$ours_times $("$ours" xes "$file" "$work/ours-xes.json" | seconds read_xes)"
    peer_out=$("$python" "$peer" xes "$file" "$work/ours-xes.json" 2>/dev/null | grep -E "^(seconds|equal)")
    [ "$round" = 1 ] && echo "$file ($(du -h "$file" | cut -f1)): $(echo "$peer_out" | grep "^equal" | tr '\n' ' ')"
    peer_times="$peer_times $(echo "$peer_out" | seconds pm4py_read_xes)"
  done
  ours_time=$(echo $ours_times | tr ' ' '\n' | median)
  peer_time=$(echo $peer_times | tr ' ' '\n' | median)
  echo "  read: journey ${ours_time}s, pm4py.read_xes ${peer_time}s (medians): journey is $(ratio "$ours_time" "$peer_time") faster"
done
if [ -x /usr/bin/time ]; then
  rss_kb=$( { /usr/bin/time -f "%M" "$ours" xes "$work/log.xes" "$work/ours-xes.json" > /dev/null; } 2>&1 | tail -1)
  xes_kb=$(( $(wc -c < "$work/log.xes") / 1024 ))
  awk -v r="$rss_kb" -v c="$xes_kb" 'BEGIN { printf "peak memory of the journey XES read: %.0f MB for %.0f MB of XES\n", r / 1024, c / 1024 }'
fi

fi

if section attribution; then
for shape in $path_shapes; do
if [ "$shape" = pages ]; then
  # The goal is journey's alone (orders 1-4 under 5 s in all); the peer
  # runs order 1 once beside it.
  echo
  echo "== Markov attribution on 5,000 pages, 10,000 journeys, orders 1-4"
  # Each order alone: one refused by the work limit says so and the others run.
  for order in 1 2 3 4; do
    "$ours" attribute "$work/paths-pages.csv" "$order" "$work/ours-pages-$order.json" 2>&1 | sed 's/^seconds /journey /' || true
  done
  if [ -f "$work/ours-pages-2.json" ]; then
    peer_out=$("$python" "$peer" attribute "$work/paths-pages.csv" 1 "$work/ours-pages-2.json" 2>/dev/null | grep -E "^seconds" || true)
    echo "$peer_out"
  fi
  continue
fi
for order in 1 3; do
  echo
  echo "== Markov attribution, $shape paths, order $order"
  n=$rounds
  [ "$order" = 3 ] && n=1
  ours_times=""
  peer_times=""
  for round in $(seq "$n"); do
    ours_out=$("$ours" attribute "$work/paths-$shape.csv" "$order" "$work/ours-$shape-$order.json")
    [ "$round" = 1 ] && echo "$ours_out" | awk '{ print "chain:", $4, $5, $6, $7 }'
    ours_times="$ours_times $(echo "$ours_out" | seconds "attribute_order_$order")"
    peer_out=$("$python" "$peer" attribute "$work/paths-$shape.csv" "$order" "$work/ours-$shape-$order.json" 2>/dev/null | grep -E "^(seconds|removal)" || true)
    [ "$round" = 1 ] && { echo "$peer_out" | grep "^removal" || true; }
    peer_times="$peer_times $(echo "$peer_out" | seconds "channelattribution_order_$order")"
  done
  ours_time=$(echo $ours_times | tr ' ' '\n' | median)
  peer_time=$(echo $peer_times | tr ' ' '\n' | median)
  echo "journey runs:$ours_times; ChannelAttribution runs:$peer_times"
  echo "journey ${ours_time}s, ChannelAttribution ${peer_time}s: journey is $(ratio "$ours_time" "$peer_time") faster"
done
done
fi
