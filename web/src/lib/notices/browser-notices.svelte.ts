// Browser notifications for mentions and replies, on this device only, when the member turned them on in
// /settings (which asks the browser's permission then, after their click; never on load). What shows is the
// notice's own sentence — which says "Someone" for anonymous words — never the words themselves, and
// nothing the member's filter folds: a notification can't be folded, so it isn't shown at all.

const KEY = 'kindred.browserNotices';
/** The kinds that reach a member at once; support and the hard-day note wait quietly in the notice centre. */
const SHOWN = new Set(['mention', 'story_reply', 'message_reply']);

export interface NoticeFrame {
  code?: unknown;
  id?: unknown;
  text?: unknown;
  link?: unknown;
  filtered?: unknown;
}

const supported = () => typeof window !== 'undefined' && 'Notification' in window;

class BrowserNotices {
  /** Turned on here (and the browser allows it). */
  on = $state(supported() && localStorage.getItem(KEY) === 'on' && Notification.permission === 'granted');
  /** What the browser says: 'default' (not asked), 'granted', 'denied', or 'unsupported'. */
  permission = $state<NotificationPermission | 'unsupported'>(supported() ? Notification.permission : 'unsupported');

  /** Asks the browser (from a click), and turns them on if it allows. */
  async turnOn(): Promise<boolean> {
    if (!supported()) return false;
    this.permission = await Notification.requestPermission();
    this.on = this.permission === 'granted';
    if (this.on) localStorage.setItem(KEY, 'on');
    return this.on;
  }

  turnOff(): void {
    this.on = false;
    if (supported()) localStorage.removeItem(KEY);
  }

  /** A notice just made for this member (the socket's `notice` frame). */
  show(frame: NoticeFrame): void {
    if (!this.on || !supported() || Notification.permission !== 'granted') return;
    if (typeof frame.code !== 'string' || !SHOWN.has(frame.code) || typeof frame.text !== 'string') return;
    if (!Array.isArray(frame.filtered) || frame.filtered.length > 0) return;
    try {
      const notification = new Notification('Kindred', {
        body: frame.text,
        tag: typeof frame.id === 'string' ? frame.id : undefined,
      });
      notification.onclick = () => {
        window.focus();
        window.location.assign(typeof frame.link === 'string' && frame.link.startsWith('/') ? frame.link : '/notices');
      };
    } catch {
      // Some browsers allow notifications only from a service worker: the notice centre still has it.
    }
  }
}

export const browserNotices = new BrowserNotices();
