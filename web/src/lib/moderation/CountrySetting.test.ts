import { fireEvent, render } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';

const session = vi.hoisted(() => ({
  user: { id: 'me', country: 'GB' as string | null },
  expire: vi.fn(),
  update: vi.fn(),
}));
vi.mock('$lib/session.svelte', () => ({ session }));

const { default: CountrySetting } = await import('./CountrySetting.svelte');

afterEach(() => {
  vi.unstubAllGlobals();
  session.update.mockReset();
});

function countries() {
  const body = {
    countries: [
      { code: 'GB', name: 'United Kingdom' },
      { code: 'IE', name: 'Ireland' },
    ],
  };
  vi.stubGlobal('fetch', vi.fn().mockResolvedValue(new Response(JSON.stringify(body), { status: 200 })));
}

describe('CountrySetting', () => {
  it('starts from the member’s country and saves the one they choose', async () => {
    countries();
    const { findByLabelText, getByRole, findByText } = render(CountrySetting);
    const select = (await findByLabelText('Country')) as HTMLSelectElement;
    expect(select.value).toBe('GB');

    await fireEvent.change(select, { target: { value: 'IE' } });
    await fireEvent.click(getByRole('button', { name: 'Save country' }));
    expect(session.update).toHaveBeenCalledWith({ country: 'IE' });
    await findByText('Saved. When Kindred shows you crisis lines, they will be for Ireland.');
  });

  it('can be set back to none, for international lines', async () => {
    countries();
    const { findByLabelText, getByRole, findByText } = render(CountrySetting);
    await fireEvent.change(await findByLabelText('Country'), { target: { value: '' } });
    await fireEvent.click(getByRole('button', { name: 'Save country' }));
    expect(session.update).toHaveBeenCalledWith({ country: null });
    await findByText('Saved. When Kindred shows you crisis lines, they will be international ones.');
  });
});
