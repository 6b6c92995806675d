/**
 * Writing and reading artifact files. A write is atomic: the bytes go to a temporary file in the target folder,
 * are flushed to disk, and the temporary file is renamed over the final name (then the folder is flushed so the
 * rename itself survives a power cut). A reader therefore sees no file or the whole file, never part of one.
 * A read is checked against the SHA-256 the registry recorded, so a changed or damaged file is refused.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { namingFile } from '../store/disk-full.js';

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

function fsyncDir(dir: string): void {
  // Flushing a directory is how a rename is made durable on Linux; some platforms refuse to open one: skip there.
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* not supported on this platform */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `data` to `path` atomically (temp file in the same folder, fsync, rename, fsync of the folder). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw namingFile(err, path);
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dir);
}

/** A file larger than a reader takes: refused before a byte of it is read. */
export class FileTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`is ${size.toLocaleString('en-US')} bytes, over the limit of ${limit.toLocaleString('en-US')}`);
    this.name = 'FileTooLargeError';
  }
}

/** Reads a file as UTF-8 text; returns undefined when it does not exist; FileTooLargeError past maxBytes. */
export function readTextIfExists(path: string, maxBytes = Infinity): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { size } = fstatSync(fd);
    if (size > maxBytes) throw new FileTooLargeError(size, maxBytes);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** readTextIfExists without holding the calling thread while the file is read. */
export async function readTextIfExistsAsync(path: string, maxBytes = Infinity): Promise<string | undefined> {
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { size } = await file.stat();
    if (size > maxBytes) throw new FileTooLargeError(size, maxBytes);
    return await file.readFile('utf8');
  } finally {
    await file.close();
  }
}
