/**
 * When to apply what arrived: at the next animation frame, so several stats
 * snapshots and load updates that land between two frames are applied and
 * drawn once. A hidden page gets no frames, so a timer stands in; it also
 * covers a page hidden after the frame was asked for.
 */

/** Runs `run` once, later; the function returned cancels it. */
export type Schedule = (run: () => void) => () => void;

/** How long a frame may take to come before the timer runs it instead (a hidden page, a minimised window). */
export const FRAME_FALLBACK_MS = 250;

export const nextFrame: Schedule = (run) => {
  const hasFrames = typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && !document.hidden;
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    cancel();
    run();
  };
  const frame = hasFrames ? requestAnimationFrame(once) : undefined;
  const timer = setTimeout(once, hasFrames ? FRAME_FALLBACK_MS : 0);
  function cancel() {
    done = true;
    if (frame !== undefined) cancelAnimationFrame(frame);
    clearTimeout(timer);
  }
  return cancel;
};
