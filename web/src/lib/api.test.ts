import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from './api';

function answer(status: number, body?: unknown, headers: Record<string, string> = {}) {
  const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
  return vi.fn().mockResolvedValue(new Response(text, { status, headers }));
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('api', () => {
  it('sends JSON with the same-origin cookie and reads JSON back', async () => {
    const fetch = answer(200, { user: { id: '1' } });
    vi.stubGlobal('fetch', fetch);

    expect(await api.patch('/api/me', { displayName: 'Wren' })).toEqual({ user: { id: '1' } });
    const [path, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(path).toBe('/api/me');
    expect(init).toMatchObject({
      method: 'PATCH',
      credentials: 'same-origin',
      body: '{"displayName":"Wren"}',
      headers: { 'content-type': 'application/json' },
    });
  });

  it('answers a 204 with nothing and sends no body when there is none', async () => {
    const fetch = answer(204);
    vi.stubGlobal('fetch', fetch);

    expect(await api.post('/api/auth/logout')).toBeUndefined();
    const [, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(init.body).toBeUndefined();
    expect(init.headers).not.toHaveProperty('content-type');
  });

  it('turns the error body into an ApiError with its field and Retry-After', async () => {
    vi.stubGlobal(
      'fetch',
      answer(429, { error: { code: 'rate_limited', message: 'Please wait a little.' } }, { 'retry-after': '90' }),
    );
    const error = await failure(api.post('/api/auth/login', { username: 'wren', password: 'x' }));
    expect(error).toMatchObject({
      code: 'rate_limited',
      message: 'Please wait a little.',
      status: 429,
      retryAfter: 90,
    });

    vi.stubGlobal('fetch', answer(400, { error: { code: 'validation', message: 'Too common.', field: 'password' } }));
    expect(await failure(api.post('/api/auth/register', {}))).toMatchObject({ field: 'password', status: 400 });
  });

  it('gives a gentle message when the answer is not our error shape', async () => {
    vi.stubGlobal('fetch', answer(502, '<html>Bad gateway</html>'));
    const error = await failure(api.get('/api/me'));
    expect(error).toMatchObject({ code: 'internal', status: 502 });
    expect(error.message).toContain('nothing you typed is lost');
  });

  it('turns a network failure into a gentle network error', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')));
    const error = await failure(api.get('/api/me'));
    expect(error).toMatchObject({ code: 'network', status: 0 });
    expect(error.message).toBe(
      "We couldn't reach Kindred. Check your connection and try again — nothing you typed is lost.",
    );
  });
});
