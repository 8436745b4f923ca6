// The signed-in member, shared by every page as rune state: loaded once when the app starts (see
// routes/+layout.ts) and changed only through the helpers here, so the nav and the pages always agree.
import { goto } from '$app/navigation';
import type { LoginBody, RegisterBody, SessionStateSchema, UpdateMeBody, User } from '@kindred/shared';
import type { Static } from 'typebox';
import { api } from './api';
import { presence } from '$lib/chat/presence.svelte';
import { reads } from '$lib/chat/reads.svelte';

class MemberSession {
  user = $state<User | null>(null);
  /** True when the member looks after a room or the stories, so the moderation dashboard is theirs too. */
  moderates = $state(false);
  /** True for admins and story moderators: they look after stories, replies and the remembrance wall. */
  moderatesStories = $state(false);

  async load(): Promise<void> {
    try {
      // /api/session answers 200 with `user: null` for visitors, so a signed-out start logs no error.
      const state = await api.get<Static<typeof SessionStateSchema>>('/api/session');
      this.user = state.user;
      this.moderates = state.moderates;
      this.moderatesStories = state.moderatesStories;
    } catch {
      // Offline or a hiccup: show the signed-out view for now, and ask again on the next start.
    }
  }

  /** Joins, and returns the new member's recovery codes: this answer is the only one that holds them. */
  async join(body: RegisterBody): Promise<string[]> {
    const answer = await api.post<{ user: User; recoveryCodes: string[] }>('/api/auth/register', body);
    this.#set(answer.user);
    return answer.recoveryCodes;
  }

  /** Signs in afresh after the password was changed with a recovery code or a reset link (`path`). */
  async recover(path: string, body: unknown): Promise<void> {
    this.#set((await api.post<{ user: User }>(path, body)).user);
  }

  async signIn(body: LoginBody): Promise<void> {
    this.#set((await api.post<{ user: User }>('/api/auth/login', body)).user);
  }

  async signOut(): Promise<void> {
    await api.post('/api/auth/logout');
    this.clearDevice();
    this.forget();
  }

  /**
   * Leaves nothing of this member on a shared device: unsent messages, drafts and remembered reactions
   * are health data. Done on a deliberate sign-out or deletion, not when a session merely expires.
   */
  clearDevice(): void {
    const id = this.user?.id;
    if (!id) return;
    try {
      for (const key of Object.keys(localStorage)) {
        if (key.startsWith('kindred') && key.includes(id)) localStorage.removeItem(key);
      }
    } catch {
      // Storage switched off: nothing was kept.
    }
  }

  async update(body: UpdateMeBody): Promise<void> {
    this.#set((await api.patch<{ user: User }>('/api/me', body)).user);
  }

  /** The server no longer knows this session (signed out, account deleted). */
  forget(): void {
    reads.clear();
    presence.clear();
    this.user = null;
    this.moderates = false;
    this.moderatesStories = false;
  }

  /** The session ended elsewhere (revoked, password changed on another device): sign in again, then come back. */
  async expire(): Promise<void> {
    this.forget();
    const here = `${location.pathname}${location.search}`;
    await goto(`/signin?next=${encodeURIComponent(here)}`, {
      state: { notice: { text: 'Your session has ended, so please sign in again.', tone: 'status' } },
    });
  }

  #set(user: User): void {
    this.user = user;
  }
}

export const session = new MemberSession();
