#!/usr/bin/env bash
# Deploys the IoT alert pipeline to a running local node:
#   MQTT sensors/<id>/temperature -> source "iot-readings" -> function iot-alert
#   -> topic "alerts" -> subscription -> function notify
# Mosquitto must listen on $MQTT_URL (default mqtt://127.0.0.1:1883).
#
#   CUMULUS_DATA   the node's data dir (default ./.cumulus): where its url and token are
#   MIN_CELSIUS    lowest reading that raises no alert (default -10)
#   MAX_CELSIUS    highest reading that raises no alert (default 60)
#   MQTT_URL       the broker (default mqtt://127.0.0.1:1883)
set -euo pipefail

HERE="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd -P "$HERE/../.." && pwd)"
CUMULUS="$ROOT/bin/cumulus"
DATA="$(cd -P "${CUMULUS_DATA:-.cumulus}" 2>/dev/null && pwd)" \
  || { echo "deploy.sh: no data dir at ${CUMULUS_DATA:-.cumulus}; start a node with 'bin/cumulus serve' or set CUMULUS_DATA" >&2; exit 1; }
c() { "$CUMULUS" "$@" --data-dir "$DATA"; }

(cd "$ROOT" && ./mvnw -B -q -pl examples/iot-alert -am package -DskipTests)
JAR="$HERE/target/example-iot-alert-0.1.0-SNAPSHOT.jar"

# iot-alert publishes to topic alerts with the rights of its role, and may do nothing else
c roles create iot-alert --policy "$HERE/publish-alerts-policy.json" >/dev/null 2>&1 \
  || c roles set-policy iot-alert --policy "$HERE/publish-alerts-policy.json" >/dev/null
# one code package, two functions
c deploy iot-alert --code "$JAR" --handler com.example.iot.IotAlert --role iot-alert \
  --env "MIN_CELSIUS=${MIN_CELSIUS:--10}" --env "MAX_CELSIUS=${MAX_CELSIUS:-60}" --env ALERT_TOPIC=alerts
c deploy notify --code "$JAR" --handler com.example.iot.Notify

c topics create alerts
# a redeploy replaces the subscription and the source
for id in $(c topics subscriptions alerts 2>/dev/null | awk 'NR > 1 && $2 == "notify" { print $1 }'); do
  c topics unsubscribe alerts "$id" >/dev/null
done
c topics subscribe alerts --function notify --filter type=com.example.iot.alert >/dev/null
c sources rm iot-readings >/dev/null 2>&1 || true
c sources add iot-readings --type mqtt --url "${MQTT_URL:-mqtt://127.0.0.1:1883}" \
  --topic 'sensors/+/temperature' --function iot-alert --batch-size 10 --batch-window-ms 200

cat <<MSG
deployed. Try it:
  mosquitto_pub -h 127.0.0.1 -t sensors/s1/temperature -m '{"sensor":"s1","celsius":71.5}'
  $CUMULUS logs notify --data-dir "$DATA"      # NOTIFY sensors/s1 {"sensor":"s1","celsius":71.5,...}
MSG
