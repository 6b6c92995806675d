/**
 * ingest: every new file of the landing folder through the validated ingestion, and the reference data when
 * nothing is stored yet. Each file is its own transaction; a file that fails as a whole is moved aside and the
 * run goes on.
 */
import { statSync } from 'node:fs';
import { ingestInto } from '../../ingest/index.js';
import { ConfigError } from '../config.js';
import { readSplitOf, referenceOf } from '../data.js';
import { ingestIncoming, type IncomingOutcome } from '../incoming.js';
import type { Step } from './step.js';

export const ingestStep: Step<'ingest'> = {
  name: 'ingest',
  // Between a file's transaction and its move to done/: the next run finds it already ingested.
  checkpoints: ['file-stored'],
  async run(ctx) {
    const { store, paths, log } = ctx;
    const outcomes: IncomingOutcome[] = [];
    // A home with data: its reference must be readable and the one it stored, before anything more is stored.
    if ((await store.countFiles()) > 0) referenceOf(await store.listIngestedFiles(), paths);
    else {
      // Its split first: a reference stored without one would stop every later run (data.ts readSplitOf). Only for
      // a CSV file that is there: a missing or misnamed reference gets the ingestion's own message below.
      if (isCsvFile(paths.referenceData)) readSplitOf(paths);
      const s = await ingestInto(store.ingestion(), paths.referenceData);
      // Which file that is, is configuration: the one who starts Loupe can point it at the right one.
      if (s.status === 'failed')
        throw new ConfigError(
          `the reference data ${paths.referenceData} could not be ingested: ${s.message}; set LOUPE_DATA (or --data) to the reference appraisals' CSV`,
        );
      outcomes.push({ ...s, movedTo: paths.referenceData });
    }
    if (ctx.incoming) {
      outcomes.push(
        ...(await ingestIncoming(store.ingestion(), ctx.incoming, {
          onStored: () => ctx.checkpoint('file-stored'),
          onFile: (o) => {
            const fields = {
              file: o.file,
              status: o.status,
              accepted: o.accepted,
              rejected: o.rejected,
              byReason: o.byReason,
              message: o.message,
            };
            // A file taken from under the run is no fault of its content, but whoever runs Loupe should know.
            if (o.movedTo === null) log.warn(fields, `ingest: ${o.file} left the landing folder during the run`);
            else log.info(fields, `ingest: ${o.file} ${o.status}`);
          },
        })),
      );
    }
    ctx.state.result.files = outcomes;
  },
  describe({ state }) {
    const o = state.result.files;
    const count = (s: string) => o.filter((f) => f.status === s).length;
    const vanished = count('vanished');
    return o.length === 0
      ? 'no new files'
      : `${o.length} file(s): ${count('ingested')} ingested, ${count('already_ingested')} already ingested, ${count('failed')} failed (moved aside)${vanished > 0 ? `, ${vanished} vanished (left the landing folder during the run)` : ''}`;
  },
};

function isCsvFile(path: string): boolean {
  return /\.csv$/i.test(path) && (statSync(path, { throwIfNoEntry: false })?.isFile() ?? false);
}
