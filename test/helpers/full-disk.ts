/**
 * A filesystem that is really full, for the tests of what Loupe does then: a small tmpfs mounted on a temporary
 * folder, which the test fills with a filler file (leaving as many bytes free as it asks) and frees again. SQLite
 * and Node then meet ENOSPC where they would on a full disk, unlike SQLite's max_page_count or a mocked fs.
 *
 * Mounting needs root (CI runs as root); elsewhere `fullDiskSkip` says why and the tests using it are skipped
 * (`it.skipIf(fullDiskSkip !== undefined)`). The mount is always undone, in a finally block; a mount still busy
 * (a process the test failed to stop) is detached lazily rather than left behind.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

function mount(dir: string, sizeBytes: number): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
  }
}

/** Why a tmpfs cannot be mounted here (not root, no mount permission), or undefined when it can. */
function whyNoFullDisk(): string | undefined {
  if (process.platform !== 'linux') return 'a full disk is made with a tmpfs mount, which needs Linux';
  if (process.getuid?.() !== 0) return 'a full disk is made with a tmpfs mount, which needs root (CI runs as root)';
  const dir = mkdtempSync(join(tmpdir(), 'loupe-can-mount-'));
  try {
    mount(dir, 64 * 1024);
    unmount(dir);
    return undefined;
  } catch (err) {
    return `a tmpfs cannot be mounted here (${(err as Error).message.split('\n')[0]})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Undefined where the full-disk tests can run; otherwise why not (printed once, and the tests are skipped). */
export const fullDiskSkip = whyNoFullDisk();
if (fullDiskSkip) console.warn(`full-disk tests skipped: ${fullDiskSkip}`);

export interface FullDisk {
  /** The mounted folder: put LOUPE_HOME, --out targets, … under it. */
  dir: string;
  /** Fills the filesystem with a filler file so that `leaveBytes` (default 0) stay free. */
  fill(leaveBytes?: number): void;
  /** Removes the filler: the space is back. */
  free(): void;
  /** Bytes free now. */
  available(): number;
}

const CHUNK = Buffer.alloc(1024 * 1024);

/**
 * Mounts a tmpfs of `sizeBytes` on a new temporary folder, runs `fn` with it, and unmounts it and removes the folder
 * afterwards, whatever happened.
 */
export async function withFullDisk<T>(sizeBytes: number, fn: (disk: FullDisk) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'loupe-full-disk-'));
  mount(dir, sizeBytes);
  const filler = join(dir, '.filler');
  const available = (): number => {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  };
  const disk: FullDisk = {
    dir,
    available,
    free: () => rmSync(filler, { force: true }),
    fill(leaveBytes = 0) {
      let left = available() - leaveBytes;
      const fd = openSync(filler, 'a');
      try {
        while (left > 0) {
          try {
            left -= writeSync(fd, CHUNK, 0, Math.min(CHUNK.length, left));
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw err;
          }
        }
      } finally {
        closeSync(fd);
      }
    },
  };
  try {
    return await fn(disk);
  } finally {
    unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Empties an SQLite database's write-ahead log into the database and truncates it to nothing, so that the next write
 * must grow the file: on a full disk it then fails at once, whatever space an earlier write left in the log.
 */
export function truncateWal(database: string): void {
  const db = new Database(database);
  try {
    // Busy while another connection (a server's) is between a read's start and end: tried again, a bounded number
    // of times, 20 ms apart.
    for (let attempt = 0; ; attempt++) {
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (result.busy === 0) return;
      if (attempt === 100) throw new Error(`the write-ahead log of ${database} could not be truncated (busy)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  } finally {
    db.close();
  }
}
