/**
 * Reading a file as UTF-8 text, chunk by chunk, while hashing its exact bytes: the content hash always
 * describes the bytes that were parsed. Only regular files are opened (not a FIFO or a device). UTF-16 text, binary
 * content (NUL bytes) and invalid UTF-8 fail the whole file.
 */
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync, statSync, type Stats } from 'node:fs';
import { lstat, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { IngestFileError } from './errors.js';

export interface TextChunk {
  text: string;
  /** Bytes read so far, this chunk included. */
  bytesRead: number;
}

export interface TextSource {
  name: string;
  bytes: number;
  chunks: AsyncGenerator<TextChunk>;
  /** SHA-256 of every byte, hex; available once `chunks` is exhausted. */
  sha256(): string;
}

// 64 KiB: a batch of ~1,400 rows; larger chunks made peak memory grow (1 MiB: +100 MB RSS) with no gain in speed.
const CHUNK_BYTES = 1 << 16;

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'ELOOP') return 'is a symbolic link in a loop (it leads back to itself), not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read: permission denied';
  if (code === 'EISDIR') return 'is a directory, not a file';
  return `cannot be read: ${err instanceof Error ? err.message : String(err)}`;
}

/** A link to nothing is there to see (ls lists it), so "no such file" would puzzle whoever looks. */
const DANGLING_LINK = 'is a symbolic link to a file that does not exist';

/** What a path that is not a regular file is, in words. */
function describeNotAFile(s: Stats): string {
  if (s.isDirectory()) return 'is a directory, not a file';
  if (s.isFIFO())
    return 'is a named pipe (FIFO), not a file: Loupe reads regular files only (a pipe would block until something writes to it)';
  if (s.isSocket()) return 'is a socket, not a file: Loupe reads regular files only';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'is a device, not a file: Loupe reads regular files only';
  return 'is not a regular file: Loupe reads regular files only';
}

/**
 * The size of a regular file (a symbolic link is followed); throws IngestFileError for anything else, before it is
 * opened: opening a FIFO blocks until a writer comes, and a device may never end.
 */
async function regularFileSize(path: string): Promise<number> {
  let s: Stats;
  try {
    s = await stat(path);
  } catch (err) {
    const dangling =
      (err as NodeJS.ErrnoException)?.code === 'ENOENT' &&
      (await lstat(path).then(
        (l) => l.isSymbolicLink(),
        () => false,
      ));
    throw new IngestFileError(basename(path), dangling ? DANGLING_LINK : describeFsError(err));
  }
  if (!s.isFile()) throw new IngestFileError(basename(path), describeNotAFile(s));
  return s.size;
}

/**
 * The whole text of a file a command reads at once (a model file), with the same check as a CSV file before it is
 * opened: only a regular file is read (a symbolic link is followed). Throws IngestFileError saying what the path is
 * instead (a FIFO, a folder, a device), that it is larger than `limit` (checked before a byte is read), or why it
 * cannot be read.
 */
export function readWholeFile(path: string, limit?: { bytes: number; of: string }): string {
  let s: Stats;
  try {
    s = statSync(path);
  } catch (err) {
    const dangling =
      (err as NodeJS.ErrnoException)?.code === 'ENOENT' &&
      lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true;
    throw new IngestFileError(basename(path), dangling ? DANGLING_LINK : describeFsError(err));
  }
  if (!s.isFile()) throw new IngestFileError(basename(path), describeNotAFile(s));
  if (limit && s.size > limit.bytes)
    throw new IngestFileError(
      basename(path),
      `is ${s.size.toLocaleString('en-US')} bytes; ${limit.of} may have at most ${limit.bytes.toLocaleString('en-US')}`,
    );
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new IngestFileError(basename(path), describeFsError(err));
  }
}

/**
 * UTF-16 text, told by its byte-order mark or, without one, by NUL bytes at every other position of ASCII text;
 * undefined when the bytes are not UTF-16 by either sign.
 */
function utf16Kind(buf: Buffer): string | undefined {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return 'UTF-16 (little-endian, with a byte-order mark)';
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return 'UTF-16 (big-endian, with a byte-order mark)';
  const n = Math.min(buf.length, 512) & ~1;
  if (n < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (buf[i] === 0) evenNul += 1;
    if (buf[i + 1] === 0) oddNul += 1;
  }
  const pairs = n / 2;
  if (oddNul >= pairs * 0.9 && evenNul === 0) return 'UTF-16 (little-endian)';
  if (evenNul >= pairs * 0.9 && oddNul === 0) return 'UTF-16 (big-endian)';
  return undefined;
}

const UTF16_ADVICE =
  'Loupe reads UTF-8: save it as "CSV UTF-8" (Excel: File › Save As), or convert it, e.g. iconv -f UTF-16 -t UTF-8 IN.csv > OUT.csv';

/** Opens a file for text reading; throws IngestFileError if it is missing, not a regular file, or empty. */
export async function openTextSource(path: string): Promise<TextSource> {
  const name = basename(path);
  const bytes = await regularFileSize(path);
  if (bytes === 0) throw new IngestFileError(name, 'is empty (0 bytes); expected a header line and rows');
  const hash = createHash('sha256');
  let digest: string | undefined;

  async function* chunks(): AsyncGenerator<TextChunk> {
    // fatal: invalid UTF-8 throws instead of turning into U+FFFD; the BOM, if any, is dropped by the decoder.
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let bytesRead = 0;
    const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
    try {
      for await (const buf of stream as AsyncIterable<Buffer>) {
        const utf16 = bytesRead === 0 ? utf16Kind(buf) : undefined;
        if (utf16) throw new IngestFileError(name, `is ${utf16} text, not UTF-8. ${UTF16_ADVICE}`);
        const nul = buf.indexOf(0);
        if (nul !== -1) {
          throw new IngestFileError(
            name,
            `is binary, not CSV text: a NUL byte at byte ${(bytesRead + nul).toLocaleString('en-US')}`,
          );
        }
        hash.update(buf);
        let text: string;
        try {
          text = decoder.decode(buf, { stream: true });
        } catch {
          throw new IngestFileError(
            name,
            `is not UTF-8 text: an invalid byte sequence in bytes ${bytesRead.toLocaleString('en-US')}–${(bytesRead + buf.length).toLocaleString('en-US')} (save it as UTF-8 CSV)`,
          );
        }
        bytesRead += buf.length;
        yield { text, bytesRead };
      }
      let tail: string;
      try {
        tail = decoder.decode();
      } catch {
        throw new IngestFileError(
          name,
          'is not UTF-8 text: it ends in the middle of a character (save it as UTF-8 CSV)',
        );
      }
      digest = hash.digest('hex');
      if (tail.length > 0) yield { text: tail, bytesRead };
    } catch (err) {
      if (err instanceof IngestFileError) throw err;
      throw new IngestFileError(name, describeFsError(err));
    } finally {
      stream.destroy();
    }
  }

  return {
    name,
    bytes,
    chunks: chunks(),
    sha256() {
      if (digest === undefined) throw new Error('sha256() is known only after the whole file was read');
      return digest;
    },
  };
}

/** SHA-256 of a file's bytes, streamed; throws IngestFileError if it cannot be read. */
export async function hashFile(path: string): Promise<string> {
  await regularFileSize(path);
  const hash = createHash('sha256');
  try {
    for await (const buf of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>)
      hash.update(buf);
  } catch (err) {
    throw new IngestFileError(basename(path), describeFsError(err));
  }
  return hash.digest('hex');
}
