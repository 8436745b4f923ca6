import { beforeEach, describe, expect, it } from 'vitest';
import { Outbox, isFinalRefusal, newClientId, outboxKey, waitSecondsIn } from './outbox';

const member = 'member-1';
const room = 'mothers';

beforeEach(() => {
  localStorage.clear();
});

describe('Outbox', () => {
  it('keeps what was written across a reload of the page, in the order it was written', () => {
    const outbox = new Outbox(member, room);
    const first = outbox.add('I keep thinking about the scan.', null);
    const second = outbox.add('Thank you for listening.', 'b8a0e0a8-5a0c-4a39-9a24-0e2f0d7f3c11');

    const reopened = new Outbox(member, room);
    expect(reopened.entries).toEqual([first, second]);
    expect(reopened.due().map((entry) => entry.body)).toEqual([
      'I keep thinking about the scan.',
      'Thank you for listening.',
    ]);
  });

  it('keeps a message’s content notes with it, and drops an entry whose notes are not a list of words', () => {
    const outbox = new Outbox(member, room);
    const noted = outbox.add('She arrived at 3am.', null, ['birth']);
    expect(new Outbox(member, room).entries).toEqual([noted]);
    expect(noted.contentWarnings).toEqual(['birth']);
    expect(outbox.add('Thank you.', null).contentWarnings).toBeUndefined();

    localStorage.setItem(outboxKey(member, room), JSON.stringify([{ ...noted, contentWarnings: 'birth' }]));
    expect(new Outbox(member, room).entries).toEqual([]);
  });

  it('gives each message its own clientId once, and keeps it for every resend', () => {
    const outbox = new Outbox(member, room);
    const entry = outbox.add('Hello', null);
    expect(entry.clientId).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    outbox.refuse(entry.clientId, 'unavailable', 'Kindred is restarting.', 0);
    outbox.retry(entry.clientId);
    expect(new Outbox(member, room).entries[0]?.clientId).toBe(entry.clientId);
    expect(newClientId()).not.toBe(newClientId());
  });

  it('keeps each member and each room apart', () => {
    new Outbox(member, room).add('for the mothers room', null);
    expect(new Outbox(member, 'partners').entries).toEqual([]);
    expect(new Outbox('member-2', room).entries).toEqual([]);
    expect(localStorage.getItem(outboxKey(member, room))).toContain('for the mothers room');
  });

  it('never overwrites what another tab of the same member kept', () => {
    const here = new Outbox(member, room);
    const there = new Outbox(member, room);
    const mine = here.add('from this tab', null);
    there.add('from the other tab', null);
    here.remove(mine.clientId);
    expect(new Outbox(member, room).entries.map((entry) => entry.body)).toEqual(['from the other tab']);
  });

  it('forgets an entry once it is confirmed, and leaves no empty key behind', () => {
    const outbox = new Outbox(member, room);
    const entry = outbox.add('Hello', null);
    outbox.remove(entry.clientId);
    expect(outbox.entries).toEqual([]);
    expect(localStorage.getItem(outboxKey(member, room))).toBeNull();
  });

  it.each(['validation', 'not_a_member', 'forbidden', 'room_archived'])(
    'holds a message refused with %s for the member, words intact',
    (code) => {
      const outbox = new Outbox(member, room);
      const entry = outbox.add('Words worth keeping', null);
      outbox.refuse(entry.clientId, code, 'The reason, for people.');
      expect(outbox.due()).toEqual([]);
      expect(new Outbox(member, room).entries[0]).toMatchObject({
        body: 'Words worth keeping',
        refusal: { code, message: 'The reason, for people.' },
      });
      expect(isFinalRefusal(code)).toBe(true);
    },
  );

  it('tries a rate-limited message again after the wait the server named', () => {
    const outbox = new Outbox(member, room);
    const entry = outbox.add('Hello', null);
    outbox.refuse(entry.clientId, 'rate_limited', "That's a lot of messages at once. Please wait 12 seconds.", 1_000);
    expect(outbox.due(1_000)).toEqual([]);
    expect(outbox.nextRetryAt()).toBe(13_000);
    expect(outbox.due(13_000).map((e) => e.clientId)).toEqual([entry.clientId]);
  });

  it('tries again shortly after a passing problem on the server', () => {
    const outbox = new Outbox(member, room);
    const entry = outbox.add('Hello', null);
    outbox.refuse(entry.clientId, 'unavailable', 'Kindred is restarting. Please try again.', 0);
    expect(isFinalRefusal('unavailable')).toBe(false);
    expect(outbox.nextRetryAt()).toBe(5_000);
  });

  it('sends a refused message again when the member asks', () => {
    const outbox = new Outbox(member, room);
    const entry = outbox.add('Hello', null);
    outbox.refuse(entry.clientId, 'forbidden', 'This room is paused.');
    outbox.retry(entry.clientId);
    expect(outbox.due()).toEqual([entry]);
  });

  it('ignores stored data it does not understand', () => {
    localStorage.setItem(
      outboxKey(member, room),
      JSON.stringify([{ clientId: 'no spaces allowed', body: 'x', replyTo: null, writtenAt: '' }, 42]),
    );
    expect(new Outbox(member, room).entries).toEqual([]);
    localStorage.setItem(outboxKey(member, room), '{not json');
    expect(new Outbox(member, room).entries).toEqual([]);
  });

  it('still works for this page when storage refuses to write', () => {
    const full = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
      removeItem: () => undefined,
    } as unknown as Storage;
    const outbox = new Outbox(member, room, full);
    outbox.add('Hello', null);
    outbox.add('again', null);
    expect(outbox.entries).toHaveLength(2);
    outbox.draft = 'half a thought';
  });

  it('keeps the draft in the message box until it is cleared', () => {
    const outbox = new Outbox(member, room);
    outbox.draft = 'Half a thought';
    expect(new Outbox(member, room).draft).toBe('Half a thought');
    outbox.draft = '   ';
    expect(new Outbox(member, room).draft).toBe('');
  });
});

describe('waitSecondsIn', () => {
  it.each([
    ["That's a lot of messages at once. Please wait 12 seconds — your message is kept.", 12],
    ['This room is in slow mode: one message every 30 seconds. You can send again in 8 seconds.', 8],
    ['Please wait 1 second.', 1],
    ['Please slow down.', 10],
  ])('reads %j as %i seconds', (message, seconds) => {
    expect(waitSecondsIn(message)).toBe(seconds);
  });
});
