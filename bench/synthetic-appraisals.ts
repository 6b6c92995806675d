/**
 * Deterministic synthetic appraisal files for benchmarks and the crash test: realistic round brilliants
 * whose numbers pass validation (depth and weight agree with x, y, z), generated from a seed.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createRng } from '../src/engine/random.js';

/** Uniform numbers in [0, 1) from the engine's seeded generator. */
export function prng(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.nextFloat();
}

const CUTS = ['Fair', 'Good', 'Very Good', 'Premium', 'Ideal'];
const COLORS = ['J', 'I', 'H', 'G', 'F', 'E', 'D'];
const CLARITIES = ['I1', 'SI2', 'SI1', 'VS2', 'VS1', 'VVS2', 'VVS1', 'IF'];

export const SYNTHETIC_HEADER = 'carat,cut,color,clarity,depth,table,price,x,y,z';

/** One CSV line (no line ending) of a plausible appraisal. */
export function syntheticRow(random: () => number): string {
  const x = 4 + random() * 5.5;
  const y = x * (0.99 + random() * 0.02);
  const depth = 58 + random() * 6;
  const xr = Math.round(x * 100) / 100;
  const yr = Math.round(y * 100) / 100;
  const zr = Math.round((((depth / 100) * (xr + yr)) / 2) * 100) / 100;
  const carat = Math.round(0.0061 * xr * yr * zr * (0.96 + random() * 0.1) * 100) / 100;
  const cut = Math.floor(random() * CUTS.length);
  const color = Math.floor(random() * COLORS.length);
  const clarity = Math.floor(random() * CLARITIES.length);
  const price = Math.max(300, Math.round(3200 * carat ** 1.8 * (0.8 + 0.05 * cut + 0.06 * color + 0.07 * clarity)));
  const table = 53 + Math.floor(random() * 9);
  const depthText = ((200 * zr) / (xr + yr)).toFixed(1);
  return `${carat},${CUTS[cut]},${COLORS[color]},${CLARITIES[clarity]},${depthText},${table},${price},${xr},${yr},${zr}`;
}

/** Writes a CSV of `rows` synthetic appraisals to `path`; returns its size in bytes. */
export async function writeSyntheticFile(path: string, rows: number, seed = 1): Promise<number> {
  const random = prng(seed);
  const out = createWriteStream(path);
  let bytes = 0;
  let buffer = `${SYNTHETIC_HEADER}\n`;
  for (let i = 0; i < rows; i++) {
    buffer += `${syntheticRow(random)}\n`;
    if (buffer.length > 1 << 16) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.end(buffer);
  await once(out, 'finish');
  return bytes;
}
