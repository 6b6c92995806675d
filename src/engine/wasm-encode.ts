/**
 * A minimal WebAssembly binary encoder: just what engine/wasm-kernels.ts needs to write its kernels as readable
 * TypeScript (no compiler, no build step, no binary blob in the repo). Each helper returns the bytes of one
 * instruction or section as in the WebAssembly 2.0 specification (binary format, chapter 5), with the 128-bit SIMD
 * and bulk-memory instructions Node 20 runs.
 */

export type Bytes = number[];

/** Value types. */
export const I32 = 0x7f;
export const F64 = 0x7c;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function u32(n: number): Bytes {
  const out: Bytes = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function s32(n: number): Bytes {
  const out: Bytes = [];
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function vec(items: Bytes[]): Bytes {
  return [...u32(items.length), ...items.flat()];
}

function name(s: string): Bytes {
  const bytes = [...new TextEncoder().encode(s)];
  return [...u32(bytes.length), ...bytes];
}

function section(id: number, content: Bytes): Bytes {
  return [id, ...u32(content.length), ...content];
}

/** Instructions (the subset used), each as its bytes. */
export const op = {
  block: (): Bytes => [0x02, 0x40],
  loop: (): Bytes => [0x03, 0x40],
  end: (): Bytes => [0x0b],
  br: (depth: number): Bytes => [0x0c, ...u32(depth)],
  brIf: (depth: number): Bytes => [0x0d, ...u32(depth)],
  get: (local: number): Bytes => [0x20, ...u32(local)],
  set: (local: number): Bytes => [0x21, ...u32(local)],
  tee: (local: number): Bytes => [0x22, ...u32(local)],
  i32Load: (offset = 0): Bytes => [0x28, 2, ...u32(offset)],
  f64Load: (offset = 0): Bytes => [0x2b, 3, ...u32(offset)],
  i32Load8u: (offset = 0): Bytes => [0x2d, 0, ...u32(offset)],
  i32Store: (offset = 0): Bytes => [0x36, 2, ...u32(offset)],
  f64Store: (offset = 0): Bytes => [0x39, 3, ...u32(offset)],
  i32Const: (n: number): Bytes => [0x41, ...s32(n)],
  f64Const: (x: number): Bytes => [0x44, ...new Uint8Array(Float64Array.of(x).buffer)],
  i32Eqz: (): Bytes => [0x45],
  i32LtU: (): Bytes => [0x49],
  i32GeU: (): Bytes => [0x4f],
  i32Add: (): Bytes => [0x6a],
  i32Sub: (): Bytes => [0x6b],
  i32Mul: (): Bytes => [0x6c],
  i32Shl: (): Bytes => [0x74],
  i32ShrU: (): Bytes => [0x76],
  select: (): Bytes => [0x1b],
  f64Add: (): Bytes => [0xa0],
  /** memory.copy (bulk memory): dest, source, length in bytes. */
  memoryCopy: (): Bytes => [0xfc, ...u32(10), 0x00, 0x00],
  // 128-bit SIMD (prefix 0xfd): two float64 lanes added lane by lane are two plain float64 additions.
  v128Load: (offset = 0): Bytes => [0xfd, ...u32(0), 3, ...u32(offset)],
  v128Store: (offset = 0): Bytes => [0xfd, ...u32(11), 3, ...u32(offset)],
  f64x2Splat: (): Bytes => [0xfd, ...u32(20)],
  f64x2ReplaceLane: (lane: number): Bytes => [0xfd, ...u32(34), lane],
  f64x2Add: (): Bytes => [0xfd, ...u32(240)],
};

export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  /** Extra locals, numbered after the parameters. */
  locals: number[];
  body: Bytes[];
}

/** A module importing memory "env"."memory" (shared or not, at least `minPages`) and exporting `functions`. */
export function encodeModule(functions: WasmFunction[], minPages: number, shared: boolean): Uint8Array<ArrayBuffer> {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const limits = shared ? [0x03, ...u32(minPages), ...u32(65536)] : [0x00, ...u32(minPages)];
  const imports = vec([[...name('env'), ...name('memory'), 0x02, ...limits]]);
  const exports = vec(functions.map((f, i) => [...name(f.name), 0x00, ...u32(i)]));
  const bodies = functions.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const code = [...locals, ...f.body.flat(), ...op.end()];
    return [...u32(code.length), ...code];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, vec(functions.map((_, i) => u32(i)))),
    ...section(7, exports),
    ...section(10, vec(bodies)),
  ]);
}
