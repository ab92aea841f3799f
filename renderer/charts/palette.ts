/**
 * Chart colours. SVG presentation attributes do not resolve CSS variables,
 * so series use fixed colours chosen to read on both light and dark
 * backgrounds (Tableau 10); axes and grid take the theme from styles.css.
 */
export const SERIES_COLORS: readonly string[] = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

/** A colour by position, for series that are not backends (a backend's colour is its own: ./colours). */
export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length] ?? '#888';
}

export const STATUS_COLORS = {
  '1xx': '#bab0ac',
  '2xx': '#59a14f',
  '3xx': '#4e79a7',
  '4xx': '#f28e2b',
  '5xx': '#e15759',
  errors: '#b07aa1',
} as const;

export const MARKER_COLORS = {
  down: '#e15759',
  up: '#59a14f',
  eject: '#f28e2b',
  return: '#76b7b2',
  config: '#8a8f98',
  fault: '#b07aa1',
  heal: '#9c755f',
  drill: '#edc948',
} as const;
