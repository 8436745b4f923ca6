// Keeps a room's screen exactly as tall as what can be seen, so its message box stays at the foot of the
// screen, above a phone's on-screen keyboard (which shrinks the visual viewport, not the layout one). A
// short site header above (a wide screen) stays in view; a tall one (a phone's navigation) scrolls away
// once, when the room opens, and stays within reach by scrolling up.

/** A header taller than this share of the screen scrolls away rather than squeezing the conversation. */
const KEEP_HEADER_SHARE = 0.25;

export function fitToViewport(node: HTMLElement) {
  const viewport = window.visualViewport;
  let first = true;

  function fit() {
    const height = viewport?.height ?? window.innerHeight;
    const top = node.getBoundingClientRect().top + window.scrollY;
    const keep = top <= height * KEEP_HEADER_SHARE;
    node.style.setProperty('--room-height', `${Math.floor(keep ? height - top : height)}px`);
    if (first && !keep) window.scrollTo({ top, behavior: 'instant' });
    first = false;
    // The keyboard opening must not leave the message box under it.
    const bottom = node.getBoundingClientRect().bottom - (viewport?.offsetTop ?? 0);
    if (bottom > height + 1) window.scrollBy({ top: bottom - height, behavior: 'instant' });
  }

  fit();
  const target = viewport ?? window;
  target.addEventListener('resize', fit);
  return {
    destroy() {
      target.removeEventListener('resize', fit);
    },
  };
}
