import type { Message } from '@kindred/shared';
import { fireEvent, render } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/session.svelte', () => ({ session: { user: { id: 'me' }, expire: vi.fn() } }));

const { default: MessageItem } = await import('./MessageItem.svelte');
const { Conversation } = await import('./conversation.svelte');
type ChatSocket = import('./socket.svelte').ChatSocket;

const conversation = new Conversation('mothers', 'me', {} as ChatSocket);
afterEach(() => localStorage.clear());

function message(overrides: Partial<Message> = {}): Message {
  return {
    id: 'm1',
    room: 'mothers',
    seq: 1,
    author: { id: 'wren', displayName: 'Wren', staff: null },
    body: 'Hello',
    replyTo: null,
    contentWarnings: [],
    filtered: [],
    authorBlocked: false,
    reactions: {},
    createdAt: '2026-03-12T03:04:00.000Z',
    editedAt: null,
    deleted: false,
    hidden: false,
    ...overrides,
  };
}

const show = (m: Message, canWrite = true) =>
  render(MessageItem, { conversation, message: m, composerId: 'message-box', canWrite });

describe('MessageItem', () => {
  it('shows words as plain text with their line breaks, never as markup', () => {
    const { container } = show(message({ body: '<img src=x onerror="alert(1)">\n<b>line two</b>' }));
    const body = container.querySelector('.card-body')!;
    expect(body.querySelector('img, b')).toBeNull();
    expect(body.textContent).toBe('<img src=x onerror="alert(1)">\n<b>line two</b>');
    expect(container.querySelector('time')?.getAttribute('datetime')).toBe('2026-03-12T03:04:00.000Z');
  });

  it('keeps the place of a deleted message, and of one whose writer left', () => {
    const { getByText, queryByRole } = show(message({ author: null, deleted: true, body: '' }));
    getByText('A member who left');
    getByText('This message was deleted.');
    expect(queryByRole('button')).toBeNull();
  });

  it('shows a hidden message as hidden to others', () => {
    const { getByText } = show(message({ hidden: true, body: '' }));
    getByText('A moderator has hidden this message.');
  });

  /** Opens the message's More menu and answers the names of what it offers. */
  async function menuOf(getByRole: (role: string, options?: object) => HTMLElement): Promise<string[]> {
    const more = getByRole('button', { name: /^More for / });
    if (more.getAttribute('aria-expanded') !== 'true') await fireEvent.click(more);
    return Array.from(getByRole('menu').querySelectorAll('[role^="menuitem"]')).map((item) => item.textContent!.trim());
  }

  it('offers the shared support reactions by their words, with counts, and the rest in one More menu', async () => {
    const { getByRole, queryByRole, rerender } = show(message({ reactions: { candle: 3 } }));
    expect(getByRole('button', { name: 'Candle 3' }).getAttribute('aria-pressed')).toBe('false');
    for (const name of ['Love', 'Hug', 'Me too']) getByRole('button', { name });
    expect(queryByRole('button', { name: /^Reply|^Report|^Block/ })).toBeNull();
    const more = getByRole('button', { name: 'More for Wren’s message' });
    expect(more.getAttribute('aria-haspopup')).toBe('menu');
    expect(more.getAttribute('aria-expanded')).toBe('false');
    expect(await menuOf(getByRole)).toEqual([
      'Love',
      'Hug',
      'Me too',
      'Candle',
      'Reply',
      'Report message',
      'Report member',
      'Block Wren',
    ]);
    expect(more.getAttribute('aria-expanded')).toBe('true');

    rerender({
      message: message({ author: { id: 'me', displayName: 'Me', staff: null }, editedAt: '2026-03-12T03:05:00.000Z' }),
    });
    expect(await menuOf(getByRole)).toEqual(['Love', 'Hug', 'Me too', 'Candle', 'Reply', 'Edit', 'Delete']);
  });

  it('only shows the counts when nothing can be written here', () => {
    const { queryAllByRole, container } = show(message({ reactions: { love: 2 } }), false);
    expect(queryAllByRole('button')).toEqual([]);
    expect(container.querySelector('.reactions')?.textContent?.replace(/\s+/g, ' ').trim()).toBe('Love 2');
  });

  it('folds a message the filter matches behind its label, and Show opens it in place and folds it again', async () => {
    const { container, getByRole, queryByText } = show(
      message({ body: 'We are expecting again', contentWarnings: ['pregnancy'], filtered: ['pregnancy'] }),
    );
    expect(container.textContent).toContain('Contains: Pregnancy announcement or update');
    expect(queryByText('We are expecting again')).toBeNull();
    expect(container.querySelector('article')?.getAttribute('aria-label')).toBe(
      'Contains: Pregnancy announcement or update',
    );
    const button = getByRole('button', { name: 'Show this message' });
    expect(button.getAttribute('aria-expanded')).toBe('false');
    await fireEvent.click(button);
    expect(queryByText('We are expecting again')).not.toBeNull();
    expect(button.getAttribute('aria-expanded')).toBe('true');
    await fireEvent.click(getByRole('button', { name: 'Fold away this message' }));
    expect(queryByText('We are expecting again')).toBeNull();
  });

  it('folds a blocked member’s message without their name, and offers Block on others’ messages only', async () => {
    const folded = show(message({ id: 'm2', body: 'Is anyone awake?', authorBlocked: true }));
    expect(folded.container.textContent).toContain('A message from someone you blocked');
    expect(folded.container.textContent).not.toMatch(/Wren|awake/);
    folded.unmount();

    const { getByRole, rerender } = show(message({ id: 'm3' }));
    const offered = await menuOf(getByRole);
    expect(offered).toContain('Block Wren');
    expect(offered).not.toContain('Add a content warning');
    rerender({ message: message({ id: 'm3', author: { id: 'me', displayName: 'Me', staff: null } }) });
    expect((await menuOf(getByRole)).join()).not.toMatch(/Block/);
  });

  it('lets the room’s moderators add a content warning', async () => {
    const { getByRole } = render(MessageItem, {
      conversation,
      message: message({ id: 'm4' }),
      composerId: 'message-box',
      canWrite: true,
      steward: true,
    });
    expect(await menuOf(getByRole)).toContain('Add a content warning');
  });
});
