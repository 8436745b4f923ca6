// The member's private notices (a moderator hid a message and why; a story was shared), and how many
// are unread, for the quiet mark beside "Notices" in the nav. Told live by the server over the socket
// (live-counts.svelte.ts), asked for when someone signs in or comes back to the tab, and told directly by
// the notices page when it marks them read.
import type { NoticeSchema } from '@kindred/shared';
import type { Static } from 'typebox';
import { api } from '$lib/api';

/** One notice as GET /api/me/notices answers it. */
export type Notice = Static<typeof NoticeSchema>;

class NoticeInbox {
  unread = $state(0);
  /** The newest unread notices (up to three), for "new for you" on the home page; from the last fetch. */
  latest = $state<Notice[]>([]);
  /**
   * Bumped by every change to the count, so an answer to an older refresh (asked before the notices
   * page marked them read, say) can't bring back a mark that is out of date.
   */
  #version = 0;

  /** Counts the unread among notices just fetched (by the notices page, say). */
  countUnread(notices: Notice[]): void {
    this.#version += 1;
    const unread = notices.filter((notice) => !notice.read);
    this.unread = unread.length;
    this.latest = [...unread].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 3);
  }

  /** The server's live count (the socket's `notices` frame), told as notices come and are read anywhere. */
  setUnread(unread: number): void {
    this.#version += 1;
    this.unread = unread;
  }

  /** Counts again, quietly: a failure leaves the mark as it was, since nothing depends on it. */
  async refresh(): Promise<void> {
    const asked = this.#version;
    try {
      const { notices } = await api.get<{ notices: Notice[] }>('/api/me/notices');
      if (asked === this.#version) this.countUnread(notices);
    } catch {
      // Offline or signed out elsewhere: the next refresh will tell.
    }
  }

  async markRead(notices: Notice[]): Promise<void> {
    const unread = notices.filter((notice) => !notice.read);
    if (unread.length === 0) return;
    await Promise.all(unread.map((notice) => api.post(`/api/me/notices/${encodeURIComponent(notice.id)}/read`)));
    this.#version += 1;
    this.unread = Math.max(0, this.unread - unread.length);
    const read = new Set(unread.map((notice) => notice.id));
    this.latest = this.latest.filter((notice) => !read.has(notice.id));
  }

  /** Signed out: nothing to show. */
  clear(): void {
    this.#version += 1;
    this.unread = 0;
    this.latest = [];
  }
}

export const noticeInbox = new NoticeInbox();
