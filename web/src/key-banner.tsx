/**
 * When the server asks for an API key (it does unless started open on loopback), ask the person for theirs.
 * The key is kept in this browser only (localStorage) and sent as "Authorization: Bearer …" like any partner's.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { UNAUTHORIZED_EVENT, apiKey, setApiKey } from './api.js';

export function KeyBanner() {
  const [asked, setAsked] = useState(false);
  const [value, setValue] = useState('');
  const [hasKey, setHasKey] = useState(() => apiKey() !== null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onUnauthorized = () => setAsked(true);
    addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, []);
  useEffect(() => {
    if (asked) input.current?.focus();
  }, [asked]);

  if (!asked) {
    return hasKey ? (
      <p class="key-note">
        Using a saved API key.{' '}
        <button
          type="button"
          class="button button--quiet"
          onClick={() => {
            setApiKey(null);
            setHasKey(false);
          }}
        >
          Forget it
        </button>
      </p>
    ) : null;
  }
  return (
    <form
      class="key-banner"
      aria-labelledby="key-title"
      onSubmit={(e) => {
        e.preventDefault();
        const key = value.trim();
        if (!key) return;
        setApiKey(key);
        setHasKey(true);
        setAsked(false);
        setValue('');
      }}
    >
      <div role="alert">
        <h2 id="key-title" class="key-banner__title">
          This Loupe server needs an API key
        </h2>
        <p>
          {hasKey ? 'The saved key was not accepted. ' : ''}Enter your key (it starts with <code>lp_</code>; an
          administrator creates one with <code>loupe keys create</code>), then try again. It is kept in this browser
          only.
        </p>
      </div>
      <div class="key-banner__row">
        <label for="api-key" class="visually-hidden">
          API key
        </label>
        <input
          id="api-key"
          ref={input}
          type="password"
          autoComplete="off"
          placeholder="lp_…"
          value={value}
          onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
        />
        <button type="submit" class="button button--primary">
          Save key
        </button>
      </div>
    </form>
  );
}
