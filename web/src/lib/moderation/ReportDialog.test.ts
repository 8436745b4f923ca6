import { fireEvent, render } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/session.svelte', () => ({ session: { user: { id: 'me' }, expire: vi.fn() } }));

const { default: ReportDialog } = await import('./ReportDialog.svelte');

// jsdom has the element but not its modal behaviour: open and close are all these tests need.
beforeEach(() => {
  HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
    this.open = false;
    this.dispatchEvent(new Event('close'));
  };
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function setup(props: Record<string, unknown> = {}) {
  const fetch = vi.fn().mockResolvedValue(new Response(JSON.stringify({ report: {} }), { status: 201 }));
  vi.stubGlobal('fetch', fetch);
  const view = render(ReportDialog, {
    props: { target: { type: 'message', id: 'm1' }, about: "Wren's message", ...props },
  });
  const dialog = view.container.querySelector('dialog')!;
  return { ...view, fetch, dialog };
}

describe('ReportDialog', () => {
  it('asks what the matter is before sending anything', async () => {
    const { getByRole, fetch, dialog } = setup();
    await fireEvent.click(getByRole('button', { name: "Report Wren's message" }));
    expect(dialog.open).toBe(true);

    await fireEvent.click(getByRole('button', { name: 'Send report', hidden: true }));
    await tick();
    expect(fetch).not.toHaveBeenCalled();
    expect(dialog.textContent).toContain('Please choose what the matter is.');
  });

  it('sends the reason and the note, then says the person reported won’t know who it was', async () => {
    const { getByRole, getByLabelText, fetch, dialog } = setup();
    await fireEvent.click(getByRole('button', { name: "Report Wren's message" }));
    await fireEvent.click(getByLabelText('Unkind or harassing', { exact: false }));
    await fireEvent.input(getByLabelText('Anything the moderators should know? (optional)'), {
      target: { value: '  It felt aimed at me.  ' },
    });
    await fireEvent.click(getByRole('button', { name: 'Send report', hidden: true }));
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledOnce());

    const [path, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(path).toBe('/api/reports');
    expect(JSON.parse(init.body as string)).toEqual({
      target: { type: 'message', id: 'm1' },
      reason: 'harassment',
      note: 'It felt aimed at me.',
    });
    await vi.waitFor(() =>
      expect(dialog.textContent).toContain(
        "Thank you — a moderator will look at it. The person you reported won't know it was you.",
      ),
    );
  });

  it('names the room for a report about a member, and offers urgent help when someone is worried', async () => {
    const { getByRole, getByLabelText, fetch, dialog } = setup({
      target: { type: 'user', id: 'u1' },
      room: 'mothers',
      about: 'Wren',
    });
    await fireEvent.click(getByRole('button', { name: 'Report Wren' }));
    await fireEvent.click(getByLabelText("I'm worried about this person", { exact: false }));
    await fireEvent.click(getByRole('button', { name: 'Send report', hidden: true }));
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledOnce());

    const [, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(JSON.parse(init.body as string)).toEqual({
      target: { type: 'user', id: 'u1' },
      reason: 'worried_about_member',
      room: 'mothers',
    });
    await vi.waitFor(() => expect(dialog.querySelector('a[href="/help"]')).not.toBeNull());
  });
});
