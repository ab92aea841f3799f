/**
 * For component tests (jsdom): Testing Library's waits (findBy…, waitFor)
 * give up after 1 s by default, which a loaded 2-core machine running the
 * whole suite can exceed while a push is applied. A wait ends as soon as its
 * condition holds, so a longer limit costs nothing when things are fast.
 */
if (typeof document !== 'undefined') {
  const { configure } = await import('@testing-library/dom');
  configure({ asyncUtilTimeout: 10_000 });
}
export {};
