/**
 * A failure of a whole file (unreadable, binary, not UTF-8, empty, a required column missing): the file is
 * refused as a unit and nothing of it is stored. Row-level problems are never thrown; they become rejected rows.
 */
export class IngestFileError extends Error {
  constructor(
    readonly file: string,
    /** What is wrong, in words a person can act on (without the file name). */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'IngestFileError';
  }
}

/**
 * The database could not grow (SQLite's SQLITE_FULL: the disk, or the database's page limit, is full) while a
 * file was being stored. Nothing of the file was stored, and the file itself is fine: it is not failed as a
 * whole, so that it can be ingested again once there is room.
 */
export class StoreFullError extends Error {
  constructor(readonly file: string) {
    super(
      `the disk is full: ${file} could not be stored (nothing of it was kept); free some space and ingest it again`,
    );
    this.name = 'StoreFullError';
  }
}
