/**
 * The keyboard shortcuts for the main actions: one key each, no modifier,
 * listed by the `?` overlay in this order. Pure data and one pure test of a
 * key event, so what fires and what is left to a text field is tested
 * without a DOM.
 */
import type { ServiceTab } from '../store/ui-slice';

export type ShortcutAction =
  | { kind: 'help' }
  | { kind: 'add-backend' }
  | { kind: 'tab'; tab: ServiceTab }
  | { kind: 'heal-all' }
  | { kind: 'start-load' }
  | { kind: 'stop-load' }
  | { kind: 'run-drill' };

export interface Shortcut {
  key: string;
  /** What the overlay says the key does. */
  label: string;
  action: ShortcutAction;
}

export const SHORTCUTS: readonly Shortcut[] = [
  {
    key: 'a',
    label: 'Add a backend (to the URL field)',
    action: { kind: 'add-backend' },
  },
  { key: '1', label: 'Traffic tab', action: { kind: 'tab', tab: 'traffic' } },
  { key: '2', label: 'Load tab', action: { kind: 'tab', tab: 'load' } },
  { key: '3', label: 'Drills tab', action: { kind: 'tab', tab: 'drills' } },
  {
    key: '4',
    label: 'Decisions tab',
    action: { kind: 'tab', tab: 'decisions' },
  },
  { key: '5', label: 'Compare tab', action: { kind: 'tab', tab: 'compare' } },
  {
    key: 'h',
    label: 'Heal all (clear every fault)',
    action: { kind: 'heal-all' },
  },
  {
    key: 'l',
    label: 'Start load (as the Load tab is set)',
    action: { kind: 'start-load' },
  },
  { key: 's', label: 'Stop load', action: { kind: 'stop-load' } },
  {
    key: 'r',
    label: 'Run the first drill of this service',
    action: { kind: 'run-drill' },
  },
  { key: '?', label: 'Show or hide this list', action: { kind: 'help' } },
];

/** What a key press asks for: none while typing in a field, with a modifier (the browser's own shortcuts), or on an element that takes keys itself. */
export function shortcutFor(e: { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; target: EventTarget | null }): ShortcutAction | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  if (typing(e.target)) return undefined;
  return SHORTCUTS.find((s) => s.key === e.key)?.action;
}

/** A text field, a select, an editable element, or inside a dialog or menu (which handle their own keys; the overlay closes on ? itself). */
function typing(target: EventTarget | null): boolean {
  const el = target as {
    tagName?: string;
    isContentEditable?: boolean;
    closest?: (s: string) => Element | null;
  } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  const tag = el.tagName.toLowerCase();
  if (tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable) return true;
  return el.closest?.('[role="dialog"], [role="alertdialog"], [role="menu"]') != null;
}
