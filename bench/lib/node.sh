# Sourced by the bench scripts: the JVM flags of `bin/cumulus serve`, a node started from a dist with
# examples/hello deployed on it, the wait for its instances' AOT cache, the three together as the
# profiling scripts use them, the wrk script for its function URL, its instance JVMs' pids, and the
# CPU time of a process or thread from /proc. Needs JAVA (the java binary) and die() from the caller.

# the flags of bin/cumulus serve (keep in step with its SERVE_FLAGS; the AOT caches are trained with them)
SERVE_FLAGS=(--enable-native-access=ALL-UNNAMED -XX:+UseCompactObjectHeaders -XX:+ExitOnOutOfMemoryError
  -XX:G1PeriodicGCInterval=5000 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30)

# bench_start_node DIST DATA_DIR LOG [serve options...]: starts `serve --port 0 --data DATA_DIR` in the
# background and waits until it is healthy; sets NODE_PID, NODE_URL and NODE_TOKEN. The pid goes onto the
# caller's PIDS array at once, so the caller's cleanup stops the node even when it never gets healthy.
bench_start_node() {
  local dist="$1" data="$2" log="$3" i; shift 3
  "$JAVA" "${SERVE_FLAGS[@]}" -cp "$dist/lib/*" -Dcumulus.runtime.jar="$dist/runtime/cumulus-runtime.jar" \
    -Dcumulus.stderr.tty=false dev.cumulus.cli.Main serve --port 0 --data "$data" "$@" > "$log" 2>&1 &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
  for i in $(seq 600); do
    if [ -s "$data/url" ] && grep -qE '^cmls_' "$data/root-token" 2>/dev/null \
       && curl -s -o /dev/null -f --max-time 1 "$(cat "$data/url")/healthz"; then break; fi
    sleep 0.05
  done
  NODE_URL="$(tr -d '\n' < "$data/url")" || die "the node did not start (see $log)"
  NODE_TOKEN="$(tr -d '\n' < "$data/root-token")"
}

# bench_deploy_hello URL TOKEN HELLO_JAR SETTINGS: uploads HELLO_JAR and deploys it as the public function
# hello; SETTINGS is more of its JSON configuration, e.g. '"concurrency":1'. Its handler is HANDLER
# (default com.example.hello.Hello; com.example.hello.NoOp answers a constant and logs nothing).
bench_deploy_hello() {
  local url="$1" token="$2" jar="$3" settings="$4" sha
  sha=$(curl -sS -f -H "Authorization: Bearer $token" -X POST "$url/v1/code" -H 'Content-Type: application/zip' \
        --data-binary "@$jar" | sed -n -E 's/.*"sha256":"([0-9a-f]+)".*/\1/p')
  curl -sS -f -o /dev/null -H "Authorization: Bearer $token" -X PUT "$url/v1/functions/hello" \
    -H 'Content-Type: application/json' \
    -d "{\"handler\":\"${HANDLER:-com.example.hello.Hello}\",\"public\":true,$settings,\"codeSha256\":\"$sha\"}" \
    || die "deploying hello on $url failed"
}

# bench_cpu_ticks STAT_FILE: utime + stime, in clock ticks, of /proc/PID/stat or /proc/PID/task/TID/stat.
# The fields are counted after the command name, which may hold spaces ("C2 CompilerThre", "VM Thread"):
# counted from the line's start, such a thread's utime was read as cmajflt and its stime as utime.
bench_cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$1"; }

# bench_await_instance_aot DATA_DIR SECONDS: waits until the node on DATA_DIR has trained its instances'
# AOT cache (a new data dir trains it in the background, a JVM and seconds of CPU; the digest is written
# last, dev.cumulus.aot.AotCache); fails when it is not there within SECONDS.
bench_await_instance_aot() {
  local _
  for _ in $(seq $(( $2 * 10 ))); do compgen -G "$1/aot/runtime-*.sha256" > /dev/null && return 0; sleep 0.1; done
  compgen -G "$1/aot/runtime-*.sha256" > /dev/null
}

# bench_hello_node DIST WORK CONCURRENCY [serve options...]: the node the profiling scripts load: started
# from DIST on WORK/data (log WORK/node.log, --stem-cells 0 and the options), hello deployed at CONCURRENCY
# from the caller's HELLO_JAR, its instances' AOT cache waited for (a fresh data dir trains it in the
# background, a JVM that would share the cores with the load), and hello's wrk script in WORK/fn.lua.
# Sets what bench_start_node sets.
bench_hello_node() {
  local dist="$1" work="$2" concurrency="$3"; shift 3
  bench_start_node "$dist" "$work/data" "$work/node.log" --stem-cells 0 "$@"
  bench_deploy_hello "$NODE_URL" "$NODE_TOKEN" "$HELLO_JAR" "\"concurrency\":$concurrency"
  bench_await_instance_aot "$work/data" 120 || echo "$(basename "$0"): no instance AOT cache after 120 s" >&2
  bench_hello_lua "$work/fn.lua"
}

# bench_hello_lua FILE: the wrk script that POSTs hello's JSON body, as the function URL gets it.
bench_hello_lua() {
  printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "'{\"name\":\"bench\"}'" > "$1"
}

# bench_hello_instances: the pids of hello's instance JVMs on this host, one per line (found by the
# function name in their environment; stem cells off, as the scripts run them).
bench_hello_instances() {
  local p
  for p in $(pgrep java); do grep -qxz AWS_LAMBDA_FUNCTION_NAME=hello "/proc/$p/environ" 2>/dev/null && echo "$p"; done
  return 0
}
