import { fireEvent, render } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/session.svelte', () => ({ session: { user: { id: 'me' }, expire: vi.fn() } }));

const { default: Composer } = await import('./Composer.svelte');
const { Conversation } = await import('./conversation.svelte');
type ChatSocket = import('./socket.svelte').ChatSocket;

/** A socket that is never connected: every send stays in the outbox, which is what these tests look at. */
const offline = {
  status: 'offline',
  request: () => Promise.reject(Object.assign(new Error('offline'), { code: 'offline' })),
  reconnectNow: () => undefined,
} as unknown as ChatSocket;

let conversation: InstanceType<typeof Conversation>;

beforeEach(() => {
  localStorage.clear();
  conversation = new Conversation('mothers', 'me', offline);
});

afterEach(() => conversation.stop());

function setup() {
  const view = render(Composer, { conversation, id: 'message-box', slowModeSeconds: 0 });
  const box = view.getByLabelText('Write to the room') as HTMLTextAreaElement;
  return { ...view, box };
}

describe('Composer', () => {
  it('sends on Enter, keeps the cursor in the box, and ignores a box of spaces', async () => {
    const { box } = setup();
    await fireEvent.input(box, { target: { value: '   ' } });
    await fireEvent.keyDown(box, { key: 'Enter' });
    expect(conversation.unsent).toEqual([]);

    await fireEvent.input(box, { target: { value: 'It was today.\nA year.' } });
    await fireEvent.keyDown(box, { key: 'Enter', shiftKey: true });
    expect(conversation.unsent).toEqual([]);
    await fireEvent.keyDown(box, { key: 'Enter' });
    expect(conversation.unsent.map((entry) => entry.body)).toEqual(['It was today.\nA year.']);
    expect(box.value).toBe('');
    expect(document.activeElement).toBe(box);
  });

  it('sends the content notes the author ticked with that message only, then clears them', async () => {
    const { box, getByText, getByLabelText } = setup();
    getByText('Add a content note');
    await fireEvent.click(getByLabelText('Birth'));
    await fireEvent.click(getByLabelText('Medical detail'));
    getByText('Content note: Birth, Medical detail');
    await fireEvent.input(box, { target: { value: 'She arrived at 3am.' } });
    await fireEvent.keyDown(box, { key: 'Enter' });
    await fireEvent.input(box, { target: { value: 'Thank you all.' } });
    await fireEvent.keyDown(box, { key: 'Enter' });
    expect(conversation.unsent.map((entry) => [entry.body, entry.contentWarnings])).toEqual([
      ['She arrived at 3am.', ['birth', 'medical_detail']],
      ['Thank you all.', undefined],
    ]);
    getByText('Add a content note');
  });

  it('says how long a message is only near the limit, and holds one that is too long', async () => {
    const { box, container } = setup();
    const count = () => container.querySelector('#message-box-count')?.textContent?.trim();
    await fireEvent.input(box, { target: { value: 'a'.repeat(3000) } });
    expect(count()).toBe('');
    await fireEvent.input(box, { target: { value: '💜'.repeat(3600) } });
    expect(count()).toBe('3,600 of 4,000 characters');

    await fireEvent.input(box, { target: { value: 'a'.repeat(4012) } });
    expect(count()).toMatch(/^12 characters over the limit of 4,000/);
    expect(box.getAttribute('aria-invalid')).toBe('true');
    await fireEvent.keyDown(box, { key: 'Enter' });
    expect(conversation.unsent).toEqual([]);
    expect(box.value).toHaveLength(4012);
  });

  it('shows who is being replied to, and lets the reply go', async () => {
    conversation.startReply({
      id: 'm1',
      room: 'mothers',
      seq: 1,
      author: { id: 'wren', displayName: 'Wren', staff: null },
      body: 'Does it get easier?',
      replyTo: null,
      contentWarnings: [],
      filtered: [],
      authorBlocked: false,
      reactions: {},
      createdAt: new Date().toISOString(),
      editedAt: null,
      deleted: false,
      hidden: false,
    });
    const { getByRole, getByText, queryByRole, box } = setup();
    getByText('Does it get easier?');
    await fireEvent.click(getByRole('button', { name: 'Cancel reply to Wren' }));
    expect(queryByRole('button', { name: 'Cancel reply to Wren' })).toBeNull();
    expect(conversation.replyTarget).toBeNull();
    expect(document.activeElement).toBe(box);
  });

  it('keeps what was typed, for the next visit', async () => {
    const { box } = setup();
    await fireEvent.input(box, { target: { value: 'half a thought' } });
    expect(new Conversation('mothers', 'me', offline).draft).toBe('half a thought');
  });
});
