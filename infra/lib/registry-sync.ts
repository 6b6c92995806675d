/**
 * The small shell programs the AWS CLI containers run to move LOUPE_HOME between S3 and a task's ephemeral
 * volume. Loupe itself knows nothing about S3: it reads and writes LOUPE_HOME (loupe.db, models/, reports/)
 * exactly as on one machine; these scripts restore that folder before a run and publish it after.
 *
 * Registry bucket layout:
 *   home/                     the pipeline's LOUPE_HOME (every object versioned by S3)
 *   serving/<bundle-id>/      an approved, immutable copy of home/ that serving tasks start from
 *   serving/CURRENT           the bundle id serving tasks load; rollback = write an older id here
 */

/** The uid:gid the Loupe image runs as (the `node` user of node:20-slim). */
export const LOUPE_UID = '1000:1000';
export const HOME_MOUNT = '/var/loupe';

/** Serving init container: fetch the approved bundle named by serving/CURRENT. */
export const restoreServingBundle = [
  'set -eu',
  'bundle=$(aws s3 cp "s3://$REGISTRY_BUCKET/serving/CURRENT" - | tr -d "[:space:]")',
  'test -n "$bundle"',
  `aws s3 sync "s3://$REGISTRY_BUCKET/serving/$bundle/" ${HOME_MOUNT}/ --only-show-errors --no-progress`,
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

/** Approval step: copy the pipeline's home to a new immutable serving bundle and point CURRENT at it. */
export const publishServingBundle = [
  'set -eu',
  'test -n "$BUNDLE_ID"',
  'aws s3 sync "s3://$REGISTRY_BUCKET/home/" "s3://$REGISTRY_BUCKET/serving/$BUNDLE_ID/" --exclude "incoming/*" --only-show-errors --no-progress',
  'printf "%s\\n" "$BUNDLE_ID" | aws s3 cp - "s3://$REGISTRY_BUCKET/serving/CURRENT"',
].join('\n');
