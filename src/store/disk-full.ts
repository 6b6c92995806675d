/**
 * Knowing a full disk by the error it causes, wherever it happens: Node's fs (ENOSPC, or EDQUOT for a quota),
 * SQLite (SQLITE_FULL; SQLITE_IOERR_SHMSIZE when a database opened in WAL mode cannot grow its shared-memory file,
 * which on a full disk is the first thing to fail) and PostgreSQL (SQLSTATE 53100, disk_full). The command line and
 * the API say it in words the person can act on — free some space — instead of a stack trace or a 500.
 */

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE', '53100']);

/** Whether `err` (or an error it was caused by) says the disk holding it is full. */
export function isDiskFull(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && DISK_FULL_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** What the failed call said, in one line: "disk I/O error" alone would not say it was the disk filling. */
export function diskFullDetail(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0] : String(err);
  return e?.code === 'SQLITE_IOERR_SHMSIZE' ? `${message}: the database's -shm file could not grow` : message;
}

/**
 * `err`, its message naming `path` when it is a full disk met while writing that file: Node's ENOSPC of a write
 * names no file, and "which one" is the first thing the person asks.
 */
export function namingFile<E>(err: E, path: string): E {
  if (isDiskFull(err) && err instanceof Error && !err.message.includes(path))
    err.message = `writing ${path}: ${err.message}`;
  return err;
}
