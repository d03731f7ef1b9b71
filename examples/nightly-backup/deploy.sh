#!/usr/bin/env bash
# Deploys the nightly backup to a running local node: builds the function, grants it the node's
# SQLite store read-only and a backup directory read-write, and schedules it at 02:00 every day.
#
#   CUMULUS_DATA   the node's data dir (default ./.cumulus): where its store, url and token are
#   BACKUP_DIR     where backups go (default ./cumulus-backups)
#   BACKUP_TZ      the time zone 02:00 is read in (default UTC)
#   BACKUP_KEEP    how many backups to keep (default 7)
set -euo pipefail

echo "deploy.sh: since issue 10 a node refuses mounts inside its data dir, the store included" \
  "(400 InvalidMount); see examples/nightly-backup/README.md for what to do instead" >&2
exit 1

HERE="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd -P "$HERE/../.." && pwd)"
CUMULUS="$ROOT/bin/cumulus"
DATA="$(cd -P "${CUMULUS_DATA:-.cumulus}" 2>/dev/null && pwd)" \
  || { echo "deploy.sh: no data dir at ${CUMULUS_DATA:-.cumulus}; start a node with 'bin/cumulus serve' or set CUMULUS_DATA" >&2; exit 1; }
BACKUPS="${BACKUP_DIR:-$PWD/cumulus-backups}"
mkdir -p "$BACKUPS"
BACKUPS="$(cd -P "$BACKUPS" && pwd)"

for f in cumulus.db cumulus.db-wal cumulus.db-shm; do
  [ -f "$DATA/$f" ] || { echo "deploy.sh: $DATA/$f is missing: is the node running on its embedded SQLite store?" >&2; exit 1; }
done

(cd "$ROOT" && ./mvnw -B -q -pl examples/nightly-backup -am package -DskipTests)

# the store's three files, not the data dir: the function never sees the node's root token
"$CUMULUS" deploy nightly-backup --data-dir "$DATA" \
  --code "$HERE/target/nightly-backup.zip" --handler com.example.backup.NightlyBackup \
  --memory 256 --timeout 10m \
  --mount "$DATA/cumulus.db:/mnt/store/cumulus.db" \
  --mount "$DATA/cumulus.db-wal:/mnt/store/cumulus.db-wal" \
  --mount "$DATA/cumulus.db-shm:/mnt/store/cumulus.db-shm" \
  --mount "$BACKUPS:/mnt/backups:rw"

# a redeploy replaces the schedule
"$CUMULUS" schedules rm nightly-backup --data-dir "$DATA" >/dev/null 2>&1 || true
"$CUMULUS" schedules add nightly-backup --data-dir "$DATA" --function nightly-backup \
  --cron "0 2 * * *" --tz "${BACKUP_TZ:-UTC}" --payload "{\"keep\": ${BACKUP_KEEP:-7}}"
echo "backups will appear in $BACKUPS"
