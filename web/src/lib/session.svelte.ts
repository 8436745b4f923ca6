// The signed-in member, shared by every page as rune state: loaded once when the app starts (see
// routes/+layout.ts) and changed only through the helpers here, so the nav and the pages always agree.
import { goto } from '$app/navigation';
import type { LoginBody, RegisterBody, User } from '@kindred/shared';
import { api, ApiError } from './api';

// The session cookie is HttpOnly, so the page cannot see whether one exists. This flag remembers that
// this browser signed in, so a visitor who never did is not sent a GET /api/me that can only answer 401
// (which browsers also report as a console error). It holds no token and nothing about the person.
const signedInKey = 'kindred.signedIn';

function remember(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(signedInKey, '1');
    else localStorage.removeItem(signedInKey);
  } catch {
    // Storage can be switched off; then every start simply asks the server.
  }
}

function mightBeSignedIn(): boolean {
  try {
    return localStorage.getItem(signedInKey) !== null;
  } catch {
    return true;
  }
}

class MemberSession {
  user = $state<User | null>(null);

  async load(): Promise<void> {
    if (!mightBeSignedIn()) return;
    try {
      this.#set((await api.get<{ user: User }>('/api/me')).user);
    } catch (error) {
      // Offline or a hiccup: show the signed-out view for now, and ask again on the next start.
      if (error instanceof ApiError && error.code === 'unauthenticated') this.forget();
    }
  }

  async join(body: RegisterBody): Promise<void> {
    this.#set((await api.post<{ user: User }>('/api/auth/register', body)).user);
  }

  async signIn(body: LoginBody): Promise<void> {
    this.#set((await api.post<{ user: User }>('/api/auth/login', body)).user);
  }

  async signOut(): Promise<void> {
    await api.post('/api/auth/logout');
    this.forget();
  }

  async update(body: { displayName: string }): Promise<void> {
    this.#set((await api.patch<{ user: User }>('/api/me', body)).user);
  }

  /** The server no longer knows this session (signed out, account deleted). */
  forget(): void {
    this.user = null;
    remember(false);
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
    remember(true);
  }
}

export const session = new MemberSession();
