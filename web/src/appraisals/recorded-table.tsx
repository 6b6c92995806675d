/**
 * Recorded appraisals beside what the model serving now says of each: its price, its range, whether the expert's
 * price fell inside it, and the difference, so the expert sees at once where the model disagrees. The difference is
 * Loupe's price minus the expert's, as the batch screen shows Loupe's minus the file's (the header says so): one
 * sign on every screen. The API's `difference` (and its CSV export) is the other way, expert − model.
 */
import type { RecordedAppraisal } from '../api.js';
import { dateTime, money, rangeText, signedMoney } from '../format.js';
import { ScrollRegion } from '../scroll-region.js';

function Verdict({ a }: { a: RecordedAppraisal }) {
  if (!a.model) return <>no model</>;
  if (a.model.inside === null) return <>no range</>;
  return a.model.inside ? <>inside</> : <strong class="down">outside</strong>;
}

export function RecordedTable({ appraisals, caption }: { appraisals: RecordedAppraisal[]; caption: string }) {
  return (
    <ScrollRegion label="Recorded appraisals">
      <table class="data-table recorded-table" data-testid="recorded-table">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Recorded</th>
            <th scope="col">By</th>
            <th scope="col" class="num">
              Carat
            </th>
            <th scope="col">Cut</th>
            <th scope="col">Colour</th>
            <th scope="col">Clarity</th>
            <th scope="col" class="num">
              Expert's price
            </th>
            <th scope="col" class="num">
              Model's price
            </th>
            <th scope="col">Model's range</th>
            <th scope="col">Expert's price is</th>
            <th scope="col" class="num">
              Loupe − expert
            </th>
          </tr>
        </thead>
        <tbody>
          {appraisals.map((a) => (
            <tr key={a.id} data-id={a.id}>
              <td class="nowrap">{dateTime(a.recordedAt)}</td>
              <td>{a.recordedBy}</td>
              <td class="num">{a.carat}</td>
              <td>{a.cut}</td>
              <td>{a.color}</td>
              <td>{a.clarity}</td>
              <td class="num">{money(a.price)}</td>
              <td class="num">{a.model ? money(a.model.price) : '—'}</td>
              <td class="nowrap">{a.model ? rangeText(a.model.range) : '—'}</td>
              <td>
                <Verdict a={a} />
              </td>
              <td class="num">{a.model ? signedMoney(a.model.price - a.price) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
