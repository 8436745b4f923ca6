// Keeps a room's screen exactly as tall as what can be seen, so its message box stays at the foot of the
// screen, above a phone's on-screen keyboard (which shrinks the visual viewport, not the layout one). A
// short site header above (a wide screen) stays in view; a tall one (a phone's navigation) scrolls away
// once, when the room opens, and stays within reach by scrolling up.

/** A header taller than this share of the screen scrolls away rather than squeezing the conversation. */
const KEEP_HEADER_SHARE = 0.25;

export function fitToViewport(node: HTMLElement) {
  const viewport = window.visualViewport;

  function fit() {
    const height = viewport?.height ?? window.innerHeight;
    const top = node.getBoundingClientRect().top + window.scrollY;
    const room = Math.floor(top <= height * KEEP_HEADER_SHARE ? height - top : height);
    node.style.setProperty('--room-height', `${room}px`);
    // Its foot at the foot of what can be seen: the message box above the keyboard, the header in view if kept.
    window.scrollTo({ top: top + room - height, behavior: 'instant' });
  }

  fit();
  // The router puts the window back at the top once the page has rendered: place the room again after it.
  const frame = requestAnimationFrame(fit);
  const target = viewport ?? window;
  target.addEventListener('resize', fit);
  // A modal dialog opened from a message (report, block) can leave the window scrolled: put it back on closing.
  node.addEventListener('close', fit, true);
  return {
    destroy() {
      cancelAnimationFrame(frame);
      target.removeEventListener('resize', fit);
      node.removeEventListener('close', fit, true);
    },
  };
}
