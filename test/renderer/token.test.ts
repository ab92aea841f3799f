/**
 * The page's token (renderer/bridge/token.ts): taken from the fragment into
 * sessionStorage and out of the address bar, found again on reload, forgotten
 * when refused. A fake window, so each step is visible.
 */
import { describe, expect, it } from 'vitest';
import { forgetToken, takeToken, TOKEN_STORAGE_KEY, tokenFromHash, type TokenEnv } from '../../renderer/bridge/token';

function fakeWindow(hash: string, stored: Record<string, string> = {}) {
  const store = new Map(Object.entries(stored));
  const replaced: string[] = [];
  const env: TokenEnv = {
    location: { hash, pathname: '/', search: '' },
    history: { state: null, replaceState: (_s, _t, url) => void replaced.push(String(url)) },
    sessionStorage: {
      getItem: (k) => store.get(k) ?? null,
      setItem: (k, v) => void store.set(k, v),
      removeItem: (k) => void store.delete(k),
    },
  };
  return { env, store, replaced };
}

describe('the page token', () => {
  it('moves a token from the fragment into sessionStorage and clears the address bar', () => {
    const w = fakeWindow('#token=abc_-9', { [TOKEN_STORAGE_KEY]: 'older' });
    expect(takeToken(w.env)).toBe('abc_-9');
    expect(w.store.get(TOKEN_STORAGE_KEY)).toBe('abc_-9');
    expect(w.replaced).toEqual(['/']);
  });

  it('keeps other fragment parameters and the query', () => {
    const w = fakeWindow('#x=1&token=t');
    w.env.location = { hash: '#x=1&token=t', pathname: '/p', search: '?a=2' };
    expect(takeToken(w.env)).toBe('t');
    expect(w.replaced).toEqual(['/p?a=2#x=1']);
  });

  it('finds the stored token on reload, and none when there is none', () => {
    expect(takeToken(fakeWindow('', { [TOKEN_STORAGE_KEY]: 'kept' }).env)).toBe('kept');
    const none = fakeWindow('#token=');
    expect(takeToken(none.env)).toBeNull();
    expect(none.replaced).toEqual([]);
  });

  it('still answers when storage is disabled, and forgets a refused token', () => {
    const w = fakeWindow('#token=t');
    w.env.sessionStorage.setItem = () => {
      throw new Error('disabled');
    };
    expect(takeToken(w.env)).toBe('t');
    const stored = fakeWindow('', { [TOKEN_STORAGE_KEY]: 'stale' });
    forgetToken(stored.env);
    expect(takeToken(stored.env)).toBeNull();
    expect(tokenFromHash('#token=a%2Bb')).toBe('a+b');
  });
});
