#!/usr/bin/env bash
# RawHello (bench jar) against a bare Jetty hello on the node's thread-pool setup, alternating, three
# rounds: req/s under wrk -t1 -c32 and the server's CPU per request from /proc (clock ticks of 10 ms).
# Run from the repository root after a build; DIST (cumulus-cli/target/dist) gives Jetty's jars.
set -u
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
CLASSES=$(mktemp -d); P=""
trap '[ -n "$P" ] && kill "$P" 2>/dev/null; rm -rf "$CLASSES"' EXIT
"$J"c -cp "${DIST:-cumulus-cli/target/dist}/lib/*" -d "$CLASSES" "$(dirname "$0")/JettyHello.java" || exit 1
FLAGS="--enable-native-access=ALL-UNNAMED -XX:+UseCompactObjectHeaders -XX:+ExitOnOutOfMemoryError"
run() { # name cmd...
  local name=$1; shift
  "$@" >/dev/null 2>&1 & P=$!
  for i in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18556/ && break; sleep 0.1; done
  wrk -t1 -c32 -d15s http://127.0.0.1:18556/ >/dev/null
  local t0=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/$P/stat)
  local out=$(wrk -t1 -c32 -d10s http://127.0.0.1:18556/)
  local t1=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/$P/stat)
  local rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}'); local n=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$name $rps req/s, server CPU $(awk -v a=$t0 -v b=$t1 -v n=$n 'BEGIN{printf "%.4f", (b-a)*10/n}') ms/req"
  kill $P; wait $P 2>/dev/null
}
for r in 1 2 3; do
  run raw $J $FLAGS -jar bench/target/cumulus-bench.jar 18556
  run jetty $J $FLAGS -cp "${DIST:-cumulus-cli/target/dist}/lib/*:$CLASSES" JettyHello 18556
done
