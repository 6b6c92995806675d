/**
 * The small shell programs the AWS CLI containers run to move LOUPE_HOME between S3 and a task's ephemeral
 * volume. Loupe itself knows nothing about S3: it reads and writes LOUPE_HOME (loupe.db, models/, reports/)
 * exactly as on one machine; these scripts restore that folder before a run and publish it after.
 *
 * Registry bucket layout:
 *   home/                                the pipeline's LOUPE_HOME (every object versioned by S3)
 *   serving/<bundle-id>/files/…          an approved, immutable copy of what serving needs
 *   serving/<bundle-id>/manifest.sha256  written last: "<sha256>  <path>" per file; no manifest, no bundle
 *   serving/APPROVED                     the newest approved bundle id, written after the manifest; only the
 *                                        release pipeline reads it. Tasks load the id pinned in their revision.
 *
 * What a bundle holds: all of home/ but the landing files while serving reads the bundle's loupe.db; models/ only
 * (BUNDLE_INCLUDE) when the tasks use the shared PostgreSQL database, which holds the registry, keys and
 * appraisals (settings.database.tasksConnect, state.md).
 */

/** The uid:gid the Loupe image runs as (the `node` user of node:20-slim). */
export const LOUPE_UID = '1000:1000';
export const HOME_MOUNT = '/var/loupe';

/**
 * Serving init container: fetch the bundle pinned in this task-definition revision (LOUPE_BUNDLE_ID), file by
 * file as its manifest lists them, and refuse to start unless every checksum matches.
 */
export const restoreServingBundle = [
  'set -eu',
  'test -n "${LOUPE_BUNDLE_ID:-}" || { echo "LOUPE_BUNDLE_ID is not set: the task definition must pin a bundle" >&2; exit 1; }',
  'src="s3://$REGISTRY_BUCKET/serving/$LOUPE_BUNDLE_ID"',
  `cd ${HOME_MOUNT}`,
  'aws s3 cp "$src/manifest.sha256" ./.manifest.sha256 --only-show-errors || { echo "bundle $LOUPE_BUNDLE_ID has no manifest: it was never published" >&2; exit 1; }',
  'while read -r sum path; do',
  '  mkdir -p "$(dirname "$path")"',
  '  aws s3 cp "$src/files/$path" "./$path" --only-show-errors',
  'done < ./.manifest.sha256',
  'sha256sum -c --quiet ./.manifest.sha256',
  'rm ./.manifest.sha256',
  `chown -R ${LOUPE_UID} ${HOME_MOUNT}`,
].join('\n');

/** Pipeline init container: fetch the pipeline's home and every file waiting in the landing bucket. */
export const restorePipelineHome = [
  'set -eu',
  `aws s3 sync "s3://$REGISTRY_BUCKET/home/" ${HOME_MOUNT}/ --only-show-errors --no-progress`,
  `mkdir -p ${HOME_MOUNT}/incoming`,
  `aws s3 sync "s3://$LANDING_BUCKET/incoming/" ${HOME_MOUNT}/incoming/ --only-show-errors --no-progress`,
  `chown -R ${LOUPE_UID} ${HOME_MOUNT}`,
].join('\n');

/**
 * Pipeline exit container: publish the home whatever the pipeline's exit code (Loupe's writes are
 * transactional, so the home is always consistent), then settle exactly the files this run saw. Loupe moves
 * each ingested file to incoming/done/ and each file it could not read to incoming/failed/ (with a
 * <name>.report.json saying why); the landing bucket mirrors that: processed/<run>/ and failed/<run>/.
 * Files still directly in incoming/ (a run that failed before ingesting them) stay for the next run.
 */
export const publishPipelineHome = [
  'set -eu',
  `aws s3 sync ${HOME_MOUNT}/ "s3://$REGISTRY_BUCKET/home/" --exclude "incoming/*" --only-show-errors --no-progress`,
  'run=$(date -u +%Y-%m-%dT%H%M%SZ)',
  `cd ${HOME_MOUNT}/incoming`,
  'for f in done/*.csv; do',
  '  [ -f "$f" ] || continue',
  '  name=$(basename "$f")',
  '  aws s3 mv "s3://$LANDING_BUCKET/incoming/$name" "s3://$LANDING_BUCKET/processed/$run/$name" --only-show-errors',
  'done',
  'for f in failed/*.csv; do',
  '  [ -f "$f" ] || continue',
  '  name=$(basename "$f")',
  '  aws s3 mv "s3://$LANDING_BUCKET/incoming/$name" "s3://$LANDING_BUCKET/failed/$run/$name" --only-show-errors',
  '  if [ -f "$f.report.json" ]; then',
  '    aws s3 cp "$f.report.json" "s3://$LANDING_BUCKET/failed/$run/$name.report.json" --only-show-errors',
  '  fi',
  'done',
].join('\n');

/** The report `loupe pipeline run --json` leaves in the home; the state machine reads its decision. */
export const RUN_REPORT = 'last-run.json';

/**
 * Approved release: publish home/ as a new immutable bundle. Files first, then the manifest of their checksums,
 * then the APPROVED pointer: a reader that finds a manifest finds every file it names, and a bundle id is
 * never reused (a second publish under the same id stops before writing anything). BUNDLE_INCLUDE, when set,
 * lists the only prefixes of home/ the bundle takes (space-separated, e.g. "models/").
 */
export const publishServingBundle = [
  'set -euf',
  'test -n "$BUNDLE_ID"',
  'only=""',
  'for p in ${BUNDLE_INCLUDE:-}; do only="$only --include $p*"; done',
  'if [ -n "$only" ]; then only="--exclude * $only"; fi',
  'dest="s3://$REGISTRY_BUCKET/serving/$BUNDLE_ID"',
  'if aws s3 ls "$dest/manifest.sha256" > /dev/null 2>&1; then echo "bundle $BUNDLE_ID exists: bundles are immutable" >&2; exit 1; fi',
  'work=$(mktemp -d)',
  `aws s3 sync "s3://$REGISTRY_BUCKET/home/" "$work/" --exclude "incoming/*" --exclude "${RUN_REPORT}" $only --only-show-errors --no-progress`,
  'cd "$work"',
  'find . -type f | sed "s|^\\./||" | LC_ALL=C sort | while read -r f; do sha256sum "$f"; done > "$work.sha256"',
  'test -s "$work.sha256" || { echo "home/ is empty: nothing to publish" >&2; exit 1; }',
  'aws s3 cp . "$dest/files/" --recursive --only-show-errors --no-progress',
  'aws s3 cp "$work.sha256" "$dest/manifest.sha256" --only-show-errors',
  'printf "%s\\n" "$BUNDLE_ID" | aws s3 cp - "s3://$REGISTRY_BUCKET/serving/APPROVED" --only-show-errors',
].join('\n');
