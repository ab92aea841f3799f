/**
 * The browser-mode page's token. `lbw serve` prints `http://127.0.0.1:4280/#token=…`:
 * the fragment never leaves the browser, so no server (not even lbw's) sees
 * it in a request. The page moves it into sessionStorage, which is per tab
 * and per origin (so per port: two workbenches never see each other's), and
 * takes it out of the address bar, so it is not in the history, a bookmark or
 * a screenshot. A reload finds it in sessionStorage.
 */
import { TOKEN_PARAM } from '../../core/contract/wire';

export const TOKEN_STORAGE_KEY = 'lbw.token';

/** The parts of `window` this module uses; tests pass their own. */
export interface TokenEnv {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  sessionStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/** The token in a location fragment such as `#token=abc`, or null. */
export function tokenFromHash(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get(TOKEN_PARAM) || null;
}

/**
 * The token for this tab: from the fragment when it carries one (stored, and
 * the fragment cleared from the address bar), else the one stored earlier;
 * null when there is none.
 */
export function takeToken(env: TokenEnv): string | null {
  const fromHash = tokenFromHash(env.location.hash);
  if (fromHash !== null) {
    try {
      env.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromHash);
    } catch {
      // Storage disabled: the token lives in memory until the tab reloads.
    }
    const rest = new URLSearchParams(env.location.hash.replace(/^#/, ''));
    rest.delete(TOKEN_PARAM);
    const hash = rest.size > 0 ? `#${rest.toString()}` : '';
    env.history.replaceState(env.history.state, '', `${env.location.pathname}${env.location.search}${hash}`);
    return fromHash;
  }
  try {
    return env.sessionStorage.getItem(TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

/** Forgets a token the workbench refused, so a reload asks for the printed URL again. */
export function forgetToken(env: Pick<TokenEnv, 'sessionStorage'>): void {
  try {
    env.sessionStorage.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    // nothing stored
  }
}
