/**
 * Paces redraws to a share of the main thread. `usePaced(value)` follows
 * `value`, but after each change it lets through it waits, for the time that
 * change took to draw times (1 / share − 1), before letting the next one
 * through; the newest value wins and none is left behind. Redrawing the
 * charts is most of the renderer's work per tick (recharts recomputes every
 * point of every series), so on a quick machine they follow every tick,
 * while on a slow or busy one, or at a short tick, they skip some and the
 * rest of the page stays responsive.
 */
import { useEffect, useRef, useState } from 'react';

/** The share of the main thread that redraws may take, on average. */
export const REDRAW_SHARE = 0.25;

/** Runs `run` in a task of its own, after the current task (and the render it started) ends. */
function afterThisTask(run: () => void): void {
  if (typeof MessageChannel === 'undefined') {
    setTimeout(run, 0);
    return;
  }
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    run();
  };
  channel.port2.postMessage(null);
}

export function usePaced<T>(value: T, share = REDRAW_SHARE): T {
  const [shown, setShown] = useState(value);
  /**
   * When the next change may be shown (performance.now() ms), and when the
   * change being drawn was let through (null once its cost is known).
   */
  const pace = useRef<{ notBefore: number; drawing: number | null }>({ notBefore: 0, drawing: null });

  // A change was committed and its effects are running: recharts' own
  // updates follow them in this same task, so the next task marks the end.
  useEffect(() => {
    const p = pace.current;
    const start = p.drawing;
    if (start === null) return;
    afterThisTask(() => {
      const end = performance.now();
      p.drawing = null;
      p.notBefore = end + (end - start) * (1 / share - 1);
    });
  }, [shown, share]);

  useEffect(() => {
    if (Object.is(value, shown)) return;
    const p = pace.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = () => {
      const wait = p.drawing !== null ? 16 : p.notBefore - performance.now();
      if (wait > 0) {
        timer = setTimeout(attempt, wait);
        return;
      }
      p.drawing = performance.now();
      setShown(value);
    };
    attempt();
    return () => clearTimeout(timer);
  }, [value, shown]);

  return shown;
}
