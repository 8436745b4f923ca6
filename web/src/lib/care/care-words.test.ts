import { describe, expect, it } from 'vitest';
import { hardDayNames, hardDayTitle } from './care-words';

describe('hardDayNames: the days a member kept, as they read inside a sentence', () => {
  it.each([
    ['The day we said goodbye', 'the day we said goodbye'],
    ['Her due date', 'her due date'],
    ['Our anniversary', 'our anniversary'],
    ['A hard day', 'a hard day'],
    ['the day we said goodbye', 'the day we said goodbye'],
  ])('“Today is %s” reads “Today is %s”', (label, reads) => {
    expect(hardDayNames([label])).toBe(reads);
  });

  it.each(['Mia’s birthday', 'Hope', 'IVF transfer day', 'THE DAY', 'Theo’s day', 'A&E night'])(
    'keeps a name, an acronym or a shout as written: %s',
    (label) => {
      expect(hardDayNames([label])).toBe(label);
    },
  );

  it('joins more than one in plain words', () => {
    expect(hardDayNames(['Her due date', 'Mia’s birthday'])).toBe('her due date and Mia’s birthday');
    expect(hardDayNames(['The day we said goodbye', 'Her due date', 'Hope'])).toBe(
      'the day we said goodbye, her due date and Hope',
    );
  });
});

describe('hardDayTitle: a kept day on its own line', () => {
  it('starts with a capital, whatever was typed', () => {
    expect(hardDayTitle('her due date')).toBe('Her due date');
    expect(hardDayTitle('The day we said goodbye')).toBe('The day we said goodbye');
    expect(hardDayTitle('éa’s day')).toBe('Éa’s day');
  });
});
