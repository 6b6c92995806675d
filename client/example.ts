/**
 * A runnable example of the typed client against a running Loupe:
 *   npm start                                   # in one terminal (or LOUPE_OPEN=1 npm start for keyless access)
 *   LOUPE_KEY=lp_… npx tsx client/example.ts    # in another; LOUPE_URL defaults to http://127.0.0.1:3000
 * It values a stone with its explanation, values a small batch (one stone deliberately wrong), finds similar
 * stones and names the model serving.
 */
import { fileURLToPath } from 'node:url';
import { createLoupeClient, type LoupeClient } from './index.js';

const stone = {
  carat: 0.9,
  cut: 'Ideal',
  color: 'G',
  clarity: 'VS2',
  depth: 61.8,
  table: 57,
  x: 6.2,
  y: 6.24,
  z: 3.84,
} as const;
const usd = (v: number): string => `$${v.toLocaleString('en-US', { maximumFractionDigits: 0 })}`;

export async function runExample(client: LoupeClient, print: (line: string) => void = console.log): Promise<void> {
  const one = await client.POST('/v1/valuations', { body: stone });
  if (one.error) throw new Error(`valuation failed: ${one.error.detail}`);
  const v = one.data;
  print(
    `0.9 ct Ideal G VS2: ${usd(v.price)} ${v.currency} (${v.range ? `${usd(v.range.low)}–${usd(v.range.high)}, ${v.range.coverage * 100}% range` : 'no range'}), model ${v.modelVersion}`,
  );
  if (v.explanation) {
    print(`  typical stone ${usd(v.explanation.typicalPrice)}`);
    for (const s of v.explanation.steps)
      print(
        `  ${s.label.padEnd(24)} ×${s.multiplier.toFixed(3)}  ${s.dollars >= 0 ? '+' : '−'}${usd(Math.abs(s.dollars))}`,
      );
    print(`  ${v.explanation.summary}`);
  }

  const batch = await client.POST('/v1/valuations/batch', {
    params: { query: { explain: false } },
    body: { stones: [stone, { ...stone, carat: 1.5, x: 7.3, y: 7.35, z: 4.52 }, { ...stone, carat: 90 }] },
  });
  if (batch.error) throw new Error(`batch failed: ${batch.error.detail}`);
  for (const r of batch.data.results) {
    print(
      r.ok
        ? `  stone ${r.index}: ${usd(r.valuation!.price)}`
        : `  stone ${r.index}: ${r.errors!.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    );
  }

  const similar = await client.GET('/v1/diamonds/similar', {
    params: { query: { carat: 0.9, cut: 'Ideal', color: 'G', clarity: 'VS2', n: 3 } },
  });
  if (similar.error) throw new Error(`similar failed: ${similar.error.detail}`);
  for (const s of similar.data.stones)
    print(`  similar: ${s.carat} ct ${s.cut} ${s.color} ${s.clarity} appraised at ${usd(s.price)}`);

  const current = await client.GET('/v1/models/current');
  if (current.data)
    print(`serving ${current.data.version} (${current.data.kind}), trained on ${current.data.trainingRows} appraisals`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const client = createLoupeClient({
    baseUrl: process.env.LOUPE_URL ?? 'http://127.0.0.1:3000',
    apiKey: process.env.LOUPE_KEY,
  });
  await runExample(client);
}
