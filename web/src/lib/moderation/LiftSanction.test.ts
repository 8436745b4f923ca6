import { fireEvent, render } from '@testing-library/svelte';
import { tick } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.mock('$lib/session.svelte', () => ({ session: { user: { id: 'me' }, expire: vi.fn() } }));

const { default: LiftSanction } = await import('./LiftSanction.svelte');

afterEach(() => {
  vi.unstubAllGlobals();
});

function setup(props: { action: 'unmute' | 'readmit' | 'unban'; room?: { slug: string; name: string } }) {
  const fetch = vi.fn().mockResolvedValue(new Response(JSON.stringify({ action: {} }), { status: 201 }));
  vi.stubGlobal('fetch', fetch);
  const onlifted = vi.fn().mockResolvedValue(undefined);
  const view = render(LiftSanction, { props: { member: { id: 'u1', displayName: 'Wren' }, onlifted, ...props } });
  return { ...view, fetch, onlifted };
}

describe('LiftSanction', () => {
  it('asks first, wants a reason for the log, then lifts a removal from the room', async () => {
    const { getByRole, getByLabelText, fetch, onlifted, container } = setup({
      action: 'readmit',
      room: { slug: 'partners', name: 'Partners' },
    });
    await fireEvent.click(getByRole('button', { name: 'Let Wren back…' }));
    expect(getByRole('heading', { name: 'Let Wren back into Partners?' })).toBeTruthy();

    await fireEvent.click(getByRole('button', { name: 'Let them back' }));
    await tick();
    expect(fetch).not.toHaveBeenCalled();
    expect(container.textContent).toContain('Please give a reason. It is kept in the log.');

    await fireEvent.input(getByLabelText('Your reason'), { target: { value: ' We talked it through. ' } });
    await fireEvent.click(getByRole('button', { name: 'Let them back' }));
    await vi.waitFor(() => expect(onlifted).toHaveBeenCalledWith('Wren can join Partners again.'));
    const [path, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(path).toBe('/api/moderation/actions');
    expect(JSON.parse(init.body as string)).toEqual({
      action: 'readmit',
      target: { type: 'user', id: 'u1' },
      reason: 'We talked it through.',
      room: 'partners',
    });
  });

  it('lifts a ban with no room', async () => {
    const { getByRole, getByLabelText, fetch } = setup({ action: 'unban' });
    await fireEvent.click(getByRole('button', { name: 'Lift Wren’s ban…' }));
    await fireEvent.input(getByLabelText('Your reason'), { target: { value: 'Appeal accepted.' } });
    await fireEvent.click(getByRole('button', { name: 'Lift the ban' }));
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledOnce());
    expect(JSON.parse((fetch.mock.calls[0] as [string, RequestInit])[1].body as string)).toEqual({
      action: 'unban',
      target: { type: 'user', id: 'u1' },
      reason: 'Appeal accepted.',
    });
  });
});
