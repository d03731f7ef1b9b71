#!/usr/bin/env bash
# Deploys the CSV ETL pipeline to a running local node:
#   CSV under incoming/ of bucket $BUCKET -> trigger -> function csv-etl -> clean/ and rejected/
# Needs the AWS CLI (for the bucket's notification configuration, an S3 API call).
#
#   CUMULUS_DATA   the node's data dir (default ./.cumulus): where its url and token are
#   CUMULUS        the CLI to run (default bin/cumulus)
#   EXAMPLE_JAR    the code package, already built (default: build it with Maven now)
#   BUCKET         the bucket (default data)
set -euo pipefail

HERE="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd -P "$HERE/../.." && pwd)"
CUMULUS="${CUMULUS:-$ROOT/bin/cumulus}"
DATA="$(cd -P "${CUMULUS_DATA:-.cumulus}" 2>/dev/null && pwd)" \
  || { echo "deploy.sh: no data dir at ${CUMULUS_DATA:-.cumulus}; start a node with 'bin/cumulus serve' or set CUMULUS_DATA" >&2; exit 1; }
c() { "$CUMULUS" "$@" --data-dir "$DATA"; }
BUCKET="${BUCKET:-data}"
URL="$(cat "$DATA/url")"

if [ -n "${EXAMPLE_JAR:-}" ]; then
  JAR="$EXAMPLE_JAR"
else
  (cd "$ROOT" && ./mvnw -B -q -pl examples/csv-etl -am package -DskipTests)
  JAR="$HERE/target/example-csv-etl-0.1.0-SNAPSHOT.jar"
fi
mkdir -p "$HERE/target"

# the function's role: read incoming/, write clean/ and rejected/, nothing else
cat > "$HERE/target/csv-etl-role.json" <<JSON
{"Version": "2026-12-01", "Statement": [
  {"Effect": "Allow", "Action": "storage:GetObject", "Resource": "crn:cumulus:storage:default:$BUCKET/incoming/*"},
  {"Effect": "Allow", "Action": "storage:PutObject", "Resource": ["crn:cumulus:storage:default:$BUCKET/clean/*",
    "crn:cumulus:storage:default:$BUCKET/rejected/*"]}]}
JSON
c roles create csv-etl --policy "$HERE/target/csv-etl-role.json" >/dev/null 2>&1 \
  || c roles set-policy csv-etl --policy "$HERE/target/csv-etl-role.json" >/dev/null
# the CLI's deploy names no role: the REST API does (upload the code, then PUT the function)
TOKEN="$(cat "$DATA/root-token")"
SHA="$(curl -sf -X POST "$URL/v1/code" -H "Authorization: Bearer $TOKEN" --data-binary "@$JAR" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha256"])')"
curl -sf -X PUT "$URL/v1/functions/csv-etl" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"handler\": \"com.example.csvetl.CsvEtl\", \"codeSha256\": \"$SHA\", \"role\": \"csv-etl\", \"memoryMb\": 512}" >/dev/null
c storage mb "s3://$BUCKET" 2>/dev/null || true

# the trigger: the bucket's notification configuration, through the S3 API with a key of the node
c keys create --description "csv-etl deploy.sh" > "$HERE/target/keys.env"
set -a; . "$HERE/target/keys.env"; set +a
printf '[default]\ns3 =\n    addressing_style = path\n' > "$HERE/target/aws-config"
AWS_CONFIG_FILE="$HERE/target/aws-config" AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url "$URL/s3" \
  s3api put-bucket-notification-configuration --bucket "$BUCKET" --notification-configuration '{
    "LambdaFunctionConfigurations": [{"Id": "etl", "LambdaFunctionArn": "csv-etl",
      "Events": ["s3:ObjectCreated:*"],
      "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"},
                                         {"Name": "suffix", "Value": ".csv"}]}}}]}'
c keys rm "$AWS_ACCESS_KEY_ID" >/dev/null

cat <<MSG
deployed. Try it:
  bin/cumulus storage cp orders.csv s3://$BUCKET/incoming/orders.csv
  bin/cumulus storage cp s3://$BUCKET/clean/orders.jsonl -
  bin/cumulus storage cp s3://$BUCKET/rejected/orders.jsonl -
MSG
