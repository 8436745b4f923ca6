// The member's live counts, told by the server over the tab's socket: the review queue for staff (urgent
// ones apart) beside "Moderation" in the nav, and unread notices beside "Notices". Followed while someone
// is signed in (see routes/+layout.svelte). When the moderator has allowed it on the queue page, an urgent
// item that arrives while Kindred is in a hidden tab shows a browser notification: a fixed sentence, never
// anyone's words or name, since a lock screen may show it.
import { chatSocket, type CountsFrame } from '$lib/chat/socket.svelte';
import { noticeInbox } from './notices.svelte';

export interface QueueCount {
  total: number;
  urgent: number;
}

/** The words of a notification: nothing about who or what, only that something waits. */
export const URGENT_NOTIFICATION = { title: 'Kindred', body: 'An urgent item is waiting in the queue.' };

/** Where the moderator's choice is kept on this device; cleared with their other keys at sign-out. */
const choiceKey = (userId: string) => `kindred-urgent-notifications-${userId}`;

export function notificationsSupported(): boolean {
  return typeof window !== 'undefined' && 'Notification' in window;
}

class LiveCounts {
  /** null until the server has said (and always for members who look after nothing). */
  queue = $state<QueueCount | null>(null);
  /** Whether this member allowed notifications of urgent items on this device. */
  notifyUrgent = $state(false);
  #userId: string | null = null;

  /** Follows the counts of the member signed in; the returned function stops. */
  start(userId: string): () => void {
    this.#userId = userId;
    this.notifyUrgent = readChoice(userId);
    const stop = chatSocket.watchCounts((frame) => this.#receive(frame));
    return () => {
      stop();
      this.#userId = null;
      this.queue = null;
      this.notifyUrgent = false;
    };
  }

  /** Asks the browser's permission (from the moderator's press) and remembers the answer here. */
  async allowNotifications(): Promise<NotificationPermission> {
    if (!notificationsSupported() || !this.#userId) return 'denied';
    const permission = await Notification.requestPermission();
    this.#remember(permission === 'granted');
    return permission;
  }

  stopNotifications(): void {
    this.#remember(false);
  }

  #remember(on: boolean): void {
    this.notifyUrgent = on;
    if (!this.#userId) return;
    try {
      if (on) localStorage.setItem(choiceKey(this.#userId), 'on');
      else localStorage.removeItem(choiceKey(this.#userId));
    } catch {
      // Storage switched off: the choice lasts as long as the tab.
    }
  }

  #receive(frame: CountsFrame): void {
    if (frame.type === 'notices') {
      noticeInbox.setUnread(frame.unread);
      return;
    }
    const before = this.queue;
    this.queue = { total: frame.total, urgent: frame.urgent };
    if (before && frame.urgent > before.urgent) this.#notifyUrgent();
  }

  #notifyUrgent(): void {
    if (!this.notifyUrgent || document.visibilityState !== 'hidden') return;
    if (!notificationsSupported() || Notification.permission !== 'granted') return;
    // One tag: several hidden Kindred tabs show one notification, not one each.
    new Notification(URGENT_NOTIFICATION.title, { body: URGENT_NOTIFICATION.body, tag: 'kindred-urgent-item' });
  }
}

function readChoice(userId: string): boolean {
  try {
    return (
      localStorage.getItem(choiceKey(userId)) === 'on' &&
      notificationsSupported() &&
      Notification.permission === 'granted'
    );
  } catch {
    return false;
  }
}

export const liveCounts = new LiveCounts();
