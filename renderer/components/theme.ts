/**
 * The theme choice, kept in this browser's localStorage so a reload (or the
 * next start) shows the theme chosen last. public/theme.js reads the same
 * key before the first paint; the app applies it to the root element, where
 * styles.css picks it up ("system" leaves it to prefers-color-scheme).
 */
import type { Theme } from '../store/ui-slice';

export const THEME_STORAGE_KEY = 'lbw.theme';

/** The theme saved earlier, or "system". */
export function savedTheme(): Theme {
  try {
    const t = globalThis.localStorage?.getItem(THEME_STORAGE_KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

/** Applies `theme` to the page and keeps it for the next load. */
export function applyTheme(theme: Theme): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  try {
    if (theme === 'system') globalThis.localStorage?.removeItem(THEME_STORAGE_KEY);
    else globalThis.localStorage?.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // storage disabled: the choice lasts until the page reloads
  }
}
