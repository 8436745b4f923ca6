// What a page's load function asks the API for before the page draws. When the answer is an error, the
// page isn't drawn half-empty: SvelteKit's error page shows instead, with the status (a room that isn't
// there is a 404; no connection is a 503).
import { error } from '@sveltejs/kit';
import { api, ApiError } from './api';

export async function loadFromApi<T>(path: string): Promise<T> {
  try {
    return await api.get<T>(path);
  } catch (reason) {
    if (reason instanceof ApiError) error(reason.status || 503, reason.message);
    throw reason;
  }
}
