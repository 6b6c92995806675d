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
