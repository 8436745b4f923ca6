import type { Message, Room } from '@kindred/shared';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const put = vi.hoisted(() => vi.fn());
vi.mock('$lib/api', async (original) => ({ ...(await original<typeof import('$lib/api')>()), api: { put } }));

const { reads, MIN_GAP_MS } = await import('./reads.svelte');
const { presence } = await import('./presence.svelte');

function room(slug: string, fields: Partial<Room>): Room {
  return { slug, joined: true, ...fields } as Room;
}

function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    room: 'mothers',
    seq,
    author: { id: 'other', displayName: 'Wren', staff: null },
    body: 'x',
    replyTo: null,
    contentWarnings: [],
    filtered: [],
    authorBlocked: false,
    reactions: {},
    createdAt: new Date().toISOString(),
    editedAt: null,
    deleted: false,
    hidden: false,
    ...overrides,
  } as Message;
}

beforeEach(() => {
  vi.useFakeTimers();
  put.mockReset();
  reads.clear();
  presence.clear();
});
afterEach(() => vi.useRealTimers());

describe('reads', () => {
  it('seeds joined rooms only, and totals their unread', () => {
    reads.seed([
      room('mothers', { readSeq: 4, unread: 2 }),
      room('partners', { readSeq: null, unread: 3 }),
      room('families', { joined: false }),
    ]);
    expect(reads.unreadOf('mothers')).toBe(2);
    expect(reads.readSeqOf('partners')).toBeNull();
    expect(reads.unreadOf('families')).toBe(0);
    expect(reads.total).toBe(5);
  });

  it('sends the first place at once and gathers the next ones into one request', async () => {
    reads.seed([room('mothers', { readSeq: 1, unread: 5 })]);
    put.mockResolvedValueOnce({ readSeq: 3, unread: 3 }).mockResolvedValueOnce({ readSeq: 6, unread: 0 });
    reads.markRead('mothers', 3);
    await vi.advanceTimersByTimeAsync(0);
    expect(put).toHaveBeenCalledTimes(1);
    expect(put).toHaveBeenLastCalledWith('/api/rooms/mothers/read', { seq: 3 });
    expect(reads.unreadOf('mothers')).toBe(3);
    reads.markRead('mothers', 4);
    reads.markRead('mothers', 6);
    reads.markRead('mothers', 5);
    await vi.advanceTimersByTimeAsync(MIN_GAP_MS - 100);
    expect(put).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(put).toHaveBeenCalledTimes(2);
    expect(put).toHaveBeenLastCalledWith('/api/rooms/mothers/read', { seq: 6 });
    expect(reads.total).toBe(0);
    // Behind the place already kept: nothing to send.
    reads.markRead('mothers', 2);
    await vi.advanceTimersByTimeAsync(MIN_GAP_MS * 2);
    expect(put).toHaveBeenCalledTimes(2);
  });

  it('takes the read frame from another screen, never a place behind the one known', () => {
    reads.seed([room('mothers', { readSeq: 5, unread: 4 })]);
    reads.apply({ type: 'read', room: 'mothers', readSeq: 9, unread: 0 });
    expect(reads.unreadOf('mothers')).toBe(0);
    reads.apply({ type: 'read', room: 'mothers', readSeq: 7, unread: 2 });
    expect(reads.readSeqOf('mothers')).toBe(9);
    expect(reads.unreadOf('mothers')).toBe(0);
  });

  it('counts a new message unless it is mine, already read, hidden, deleted or blocked', () => {
    reads.seed([room('mothers', { readSeq: 5, unread: 0 })]);
    reads.noteCreated('mothers', message(6), 'me');
    reads.noteCreated('mothers', message(7, { author: { id: 'me', displayName: 'Me', staff: null } }), 'me');
    reads.noteCreated('mothers', message(5), 'me');
    reads.noteCreated('mothers', message(8, { hidden: true }), 'me');
    reads.noteCreated('mothers', message(9, { deleted: true }), 'me');
    reads.noteCreated('mothers', message(10, { authorBlocked: true }), 'me');
    reads.noteCreated('elsewhere', message(11), 'me');
    expect(reads.unreadOf('mothers')).toBe(1);
  });
});

describe('presence', () => {
  it('is seeded from the room and follows the presence frame', () => {
    expect(presence.of('mothers')).toEqual({ hereNow: 0, hereNames: [], moderatorOnDuty: false });
    presence.seed([room('mothers', { hereNow: 2, hereNames: ['Willow'], moderatorOnDuty: true })]);
    expect(presence.of('mothers')).toEqual({ hereNow: 2, hereNames: ['Willow'], moderatorOnDuty: true });
    // The list carries counts only: the names known stay.
    presence.seed([room('mothers', { hereNow: 3, moderatorOnDuty: true })]);
    expect(presence.of('mothers').hereNames).toEqual(['Willow']);
    presence.apply({ type: 'presence', room: 'mothers', hereNow: 1, hereNames: [], moderatorOnDuty: false });
    expect(presence.of('mothers')).toEqual({ hereNow: 1, hereNames: [], moderatorOnDuty: false });
  });
});
