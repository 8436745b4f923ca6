import { fireEvent, render } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';

const session = vi.hoisted(() => ({
  user: { id: 'me', country: null as string | null },
  expire: vi.fn(),
  update: vi.fn(),
}));
vi.mock('$lib/session.svelte', () => ({ session }));

const { default: CrisisLines } = await import('./CrisisLines.svelte');

const international = {
  country: null,
  emergency: null,
  lines: [{ name: 'Find a Helpline', url: 'https://findahelpline.com', description: 'Lines worldwide.' }],
  international: [],
};
const ireland = {
  country: 'IE',
  emergency: '112',
  lines: [{ name: 'Samaritans Ireland', phone: '116 123', description: 'Listening, any hour.' }],
  international: [],
};

afterEach(() => {
  vi.unstubAllGlobals();
  session.update.mockReset();
});

describe('CrisisLines', () => {
  it('promises a moderator only when one is on duty', () => {
    const onDuty = render(CrisisLines, { resources: ireland, moderatorOnDuty: true, onclose: () => {} });
    const text = (rendered: { container: HTMLElement }) => rendered.container.textContent?.replace(/\s+/g, ' ') ?? '';
    expect(text(onDuty)).toContain('A moderator of this room may reach out gently.');
    onDuty.unmount();
    const none = render(CrisisLines, { resources: ireland, moderatorOnDuty: false, onclose: () => {} });
    expect(text(none)).not.toContain('may reach out');
    expect(text(none)).toContain('will see your message when they are next here');
    expect(text(none)).not.toMatch(/tonight/i);
  });

  it('without a country, shows emergency numbers to tap and lets the member choose one in place', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string) => {
        const body = url.includes('/api/resources/countries')
          ? { countries: [{ code: 'IE', name: 'Ireland' }] }
          : ireland;
        return new Response(JSON.stringify(body), { status: 200 });
      }),
    );
    const { getByRole, findByLabelText, findByRole } = render(CrisisLines, {
      resources: international,
      moderatorOnDuty: false,
      onclose: () => {},
    });
    for (const number of ['112', '911', '999', '000']) {
      expect(getByRole('link', { name: number }).getAttribute('href')).toBe(`tel:${number}`);
    }
    await fireEvent.change(await findByLabelText('Country'), { target: { value: 'IE' } });
    await fireEvent.click(getByRole('button', { name: 'Save country' }));
    expect(session.update).toHaveBeenCalledWith({ country: 'IE' });
    expect((await findByRole('link', { name: '116 123' })).getAttribute('href')).toBe('tel:116123');
  });
});
