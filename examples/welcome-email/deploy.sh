#!/usr/bin/env bash
# Deploys the welcome mail to a running local node (project "default"):
#   sign-up -> topic "user.created" -> subscription -> function welcome-email -> mail outbox -> SMTP
# The node must have a mail relay: 'bin/cumulus serve --smtp smtp://127.0.0.1:2525' (see README.md).
#
#   CUMULUS_DATA   the node's data dir (default ./.cumulus): where its url and token are
set -euo pipefail

HERE="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd -P "$HERE/../.." && pwd)"
CUMULUS="$ROOT/bin/cumulus"
DATA="$(cd -P "${CUMULUS_DATA:-.cumulus}" 2>/dev/null && pwd)" \
  || { echo "deploy.sh: no data dir at ${CUMULUS_DATA:-.cumulus}; start a node with 'bin/cumulus serve' or set CUMULUS_DATA" >&2; exit 1; }
c() { "$CUMULUS" "$@" --data-dir "$DATA"; }

(cd "$ROOT" && ./mvnw -B -q -pl examples/welcome-email -am package -DskipTests)
JAR="$HERE/target/example-welcome-email-0.1.0-SNAPSHOT.jar"

# the function may send mail through the node's outbox, and nothing else
POLICY="$(mktemp)"
trap 'rm -f "$POLICY"' EXIT
cat > "$POLICY" <<'JSON'
{"Version":"2026-12-01","Statement":[{"Sid":"WelcomeMail","Effect":"Allow","Action":"mail:SendMail",
 "Resource":"crn:cumulus:mail:default:outbox"}]}
JSON
if c roles show welcome-mailer >/dev/null 2>&1; then
  c roles set-policy welcome-mailer --policy "$POLICY" >/dev/null
else
  c roles create welcome-mailer --policy "$POLICY" --description "sends the welcome mail" >/dev/null
fi

c deploy welcome-email --code "$JAR" --handler com.example.welcome.WelcomeEmail --role welcome-mailer

c topics create user.created
# a redeploy replaces the subscription
for id in $(c topics subscriptions user.created 2>/dev/null | awk 'NR > 1 && $2 == "welcome-email" { print $1 }'); do
  c topics unsubscribe user.created "$id" >/dev/null
done
c topics subscribe user.created --function welcome-email >/dev/null

URL="$(cat "$DATA/url")"
cat <<MSG
deployed. Try it:
  curl -s $URL/v1/projects/default/auth/signup -d '{"email":"ada@example.com","password":"correct horse battery"}'
  $CUMULUS mail outbox --data-dir "$DATA"     # verification and welcome mails: queued, then sent
  $CUMULUS logs welcome-email --data-dir "$DATA"
MSG
