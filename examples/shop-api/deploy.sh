#!/usr/bin/env bash
# Deploys the shop to a running local node (project default):
#   collections products, carts, orders (rules in collections/*.json)
#   checkout       POST /api/checkout (auth: user): cart -> order, stock decremented, one transaction
#   inventory-alert  products' change events -> "LOW STOCK" log line + topic inventory-alerts
#   shop-page      the single page, at /fn/shop-page/
#
#   CUMULUS_DATA   the node's data dir (default ./.cumulus): where its url and token are
#   CUMULUS        the CLI to run (default bin/cumulus)
#   EXAMPLE_JAR    the code package, already built (default: build it with Maven now)
#   LOW_STOCK      the stock below which a product alerts (default 3)
set -euo pipefail

HERE="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd -P "$HERE/../.." && pwd)"
CUMULUS="${CUMULUS:-$ROOT/bin/cumulus}"
DATA="$(cd -P "${CUMULUS_DATA:-.cumulus}" 2>/dev/null && pwd)" \
  || { echo "deploy.sh: no data dir at ${CUMULUS_DATA:-.cumulus}; start a node with 'bin/cumulus serve' or set CUMULUS_DATA" >&2; exit 1; }
c() { "$CUMULUS" "$@" --data-dir "$DATA"; }
URL="$(cat "$DATA/url")"
TOKEN="$(cat "$DATA/root-token")"

if [ -n "${EXAMPLE_JAR:-}" ]; then
  JAR="$EXAMPLE_JAR"
else
  (cd "$ROOT" && ./mvnw -B -q -pl examples/shop-api -am package -DskipTests)
  JAR="$HERE/target/example-shop-api-0.1.0-SNAPSHOT.jar"
fi

# the collections and their rules (settings are IAM's: the root token)
for collection in products carts orders; do
  curl -sf -X PUT "$URL/v1/db/collections/$collection" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "@$HERE/collections/$collection.json" >/dev/null
done

# each function's role allows what it does and nothing else
c roles create shop-checkout --policy "$HERE/checkout-policy.json" >/dev/null 2>&1 \
  || c roles set-policy shop-checkout --policy "$HERE/checkout-policy.json" >/dev/null
c roles create shop-inventory-alert --policy "$HERE/inventory-alert-policy.json" >/dev/null 2>&1 \
  || c roles set-policy shop-inventory-alert --policy "$HERE/inventory-alert-policy.json" >/dev/null

# one code package, three functions
c deploy checkout --code "$JAR" --handler com.example.shop.Checkout --role shop-checkout
c deploy inventory-alert --code "$JAR" --handler com.example.shop.InventoryAlert --role shop-inventory-alert \
  --env "LOW_STOCK=${LOW_STOCK:-3}" --env ALERT_TOPIC=inventory-alerts
c deploy shop-page --code "$JAR" --handler com.example.shop.ShopPage --url-auth none

# the route (a redeploy replaces it)
for id in $(c routes ls 2>/dev/null | awk 'NR > 1 && $4 == "checkout" { print $1 }'); do
  c routes rm "$id" >/dev/null
done
c routes add POST /checkout checkout --auth user

# products' change events -> inventory-alert; its alerts go to topic inventory-alerts
c topics create products-changes >/dev/null 2>&1 || true
c topics create inventory-alerts >/dev/null 2>&1 || true
for id in $(c topics subscriptions products-changes 2>/dev/null | awk 'NR > 1 && $2 == "inventory-alert" { print $1 }'); do
  c topics unsubscribe products-changes "$id" >/dev/null
done
c topics subscribe products-changes --function inventory-alert --filter type=document.updated >/dev/null

# a few products to sell
c db put products apple --data '{"name":"apple","price":120,"stock":10}' >/dev/null
c db put products pear --data '{"name":"pear","price":150,"stock":5}' >/dev/null
c db put products fig --data '{"name":"fig","price":300,"stock":1}' >/dev/null

cat <<MSG
deployed. Try it:
  open $URL/fn/shop-page/ , sign up, add to the cart, check out: the order appears live
  $CUMULUS logs checkout --data-dir "$DATA"          # order <id> for <user>: <total>
  $CUMULUS logs inventory-alert --data-dir "$DATA"   # LOW STOCK pear: 2 left
MSG
