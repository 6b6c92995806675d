/**
 * The shell: a header with the screens, the screen itself, and a footer pointing at the API documentation. The
 * Monitoring link is shown only when the key (or the open server) may read it: an admin screen.
 * Moving to another screen moves keyboard focus to its heading, so a screen-reader user hears where they are.
 */
import { PRICE_BASIS } from '../../src/diamond/fields.js';
import { useEffect, useRef, useState } from 'preact/hooks';
import { KEY_SAVED_EVENT, monitoringAllowed } from './api.js';
import { AppraisePage } from './appraise/appraise-page.js';
import { AppraisalsPage } from './appraisals/appraisals-page.js';
import { BatchPage } from './batch/batch-page.js';
import { KeyBanner } from './key-banner.js';
import { ModelsPage } from './models/models-page.js';
import { MonitoringPage } from './monitoring/monitoring-page.js';
import { SCREENS, useScreen, type ScreenId } from './router.js';

function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <path
        d="M8 12.5 11.5 8h9l3.5 4.5L16 25z"
        fill="none"
        stroke="currentColor"
        stroke-width="1.8"
        stroke-linejoin="round"
      />
      <path
        d="M8 12.5h16M13 12.5 16 25l3-12.5M11.5 8l1.5 4.5L16 8l3 4.5L20.5 8"
        fill="none"
        stroke="currentColor"
        stroke-width="1.2"
        stroke-linejoin="round"
      />
    </svg>
  );
}

function Screen({ id }: { id: ScreenId }) {
  switch (id) {
    case 'appraise':
      return <AppraisePage />;
    case 'batch':
      return <BatchPage />;
    case 'appraisals':
      return <AppraisalsPage />;
    case 'models':
      return <ModelsPage />;
    case 'monitoring':
      return <MonitoringPage />;
  }
}

/** Whether the Monitoring screen may be read: asked at start and again whenever a key is saved. */
function useMonitoringAllowed(): boolean {
  const [allowed, setAllowed] = useState(false);
  useEffect(() => {
    let controller = new AbortController();
    const ask = () => {
      controller.abort();
      controller = new AbortController();
      monitoringAllowed(controller.signal).then(setAllowed);
    };
    ask();
    addEventListener(KEY_SAVED_EVENT, ask);
    return () => {
      controller.abort();
      removeEventListener(KEY_SAVED_EVENT, ask);
    };
  }, []);
  return allowed;
}

export function App() {
  const screen = useScreen();
  const monitoring = useMonitoringAllowed();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    const title = SCREENS.find((s) => s.id === screen)?.title ?? '';
    document.title = `${title} — Loupe`;
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [screen]);

  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="site-header">
        <div class="site-header__inner">
          <a class="brand" href="#/appraise">
            <Logo />
            <span class="brand__name">Loupe</span>
            <span class="brand__tag">Diamond appraisal</span>
          </a>
          <nav aria-label="Screens">
            <ul class="nav">
              {SCREENS.filter((s) => s.id !== 'monitoring' || monitoring || screen === 'monitoring').map((s) => (
                <li key={s.id}>
                  <a href={`#/${s.id}`} class="nav__link" aria-current={s.id === screen ? 'page' : undefined}>
                    {s.title}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <KeyBanner />
        <Screen id={screen} />
      </main>
      <footer class="site-footer">
        <p>
          Prices are estimates in US dollars of {PRICE_BASIS.dollarsOf} (appraised market value) from Loupe's current
          model, with the range that holds the true price for most stones like the one appraised. Partners: the{' '}
          <a href="/docs">REST API documentation</a>.
        </p>
      </footer>
    </>
  );
}
