/**
 * The screens live behind the URL hash (#/appraise, #/batch, #/appraisals, #/models, #/monitoring), so the server serves one page,
 * the back button works and a screen can be bookmarked.
 */
import { useEffect, useState } from 'preact/hooks';

export const SCREENS = [
  { id: 'appraise', title: 'Appraise' },
  { id: 'batch', title: 'Batch' },
  { id: 'appraisals', title: 'Appraisals' },
  { id: 'models', title: 'Models' },
  { id: 'monitoring', title: 'Monitoring' },
] as const;

export type ScreenId = (typeof SCREENS)[number]['id'];

function screenFromHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '').split(/[?/]/)[0];
  return SCREENS.find((s) => s.id === id)?.id ?? 'appraise';
}

export function useScreen(): ScreenId {
  const [screen, setScreen] = useState<ScreenId>(() => screenFromHash(location.hash));
  useEffect(() => {
    const onChange = () => setScreen(screenFromHash(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return screen;
}
