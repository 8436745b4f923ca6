// The fan-out promise: one serialization per event for the room, plus one per distinct filtered variant,
// never one per socket.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { noFilter } from '../accounts/blocks.ts';
import { prepareEvent, type MessageView } from './messages.ts';

const view: MessageView = {
  id: 'm1',
  room: 'mothers',
  seq: 7,
  author: { id: 'u1', displayName: 'Wren', staff: null },
  body: 'We are expecting again.',
  replyTo: null,
  contentWarnings: ['pregnancy', 'rainbow_baby'],
  filtered: [],
  authorBlocked: false,
  reactions: {},
  createdAt: '2026-06-01T12:00:00.000Z',
  editedAt: null,
  deleted: false,
  hidden: false,
  hiddenBody: undefined,
};

afterEach(() => vi.restoreAllMocks());

describe('prepareEvent', () => {
  it('serializes the shared frame once and each distinct variant once, however many sockets ask', () => {
    const stringify = vi.spyOn(JSON, 'stringify');
    const event = prepareEvent({ seq: 7, kind: 'created' }, view);
    expect(stringify).toHaveBeenCalledTimes(1);

    for (let i = 0; i < 50; i += 1) expect(event.frameFor(noFilter)).toBe(event.frame);
    for (let i = 0; i < 50; i += 1) {
      expect(event.frameFor({ hiddenWarnings: ['birth'], blocked: new Set(['someone-else']) })).toBe(event.frame);
    }
    expect(stringify).toHaveBeenCalledTimes(1);

    const hides = Array.from({ length: 50 }, () =>
      event.frameFor({ hiddenWarnings: ['pregnancy'], blocked: new Set() }),
    );
    const blocks = Array.from({ length: 50 }, () => event.frameFor({ hiddenWarnings: [], blocked: new Set(['u1']) }));
    expect(stringify).toHaveBeenCalledTimes(3);
    expect(new Set(hides).size).toBe(1);
    expect(JSON.parse(hides[0]!.toString()).message).toMatchObject({ filtered: ['pregnancy'], authorBlocked: false });
    expect(JSON.parse(blocks[0]!.toString()).message).toMatchObject({ filtered: [], authorBlocked: true });
    expect(JSON.parse(event.frame.toString()).message).toMatchObject({ filtered: [], authorBlocked: false });
  });
});
