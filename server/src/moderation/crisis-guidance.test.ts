// A second corpus, written apart from the patterns in crisis.ts: statements modelled on the warning signs
// that public safe-messaging guidance lists (988 Lifeline, Samaritans, NHS, WHO, Mind, NIMH: "looking for a
// way to kill themselves, such as searching online or stockpiling pills", "identifying or obtaining means",
// "seeing no reason for living or having no sense of purpose", being at a place to die) in the words a
// grieving member might write, beside grief wording that is not risk and shares their words (pills, doses,
// bridges, "no point"). The run reports what was caught, missed and falsely flagged, kind by kind; the kinds
// the matcher once missed (means, a dangerous place now, no point in the writer being alive) must miss none,
// and nothing here may be a false alarm.
import { afterAll, describe, expect, it } from 'vitest';
import { assessCrisisRisk } from './crisis.ts';

type Kind = 'means' | 'place' | 'no point in being alive' | 'other signs';

const risk: Record<Kind, string[]> = {
  // Means at hand, gathered or being researched.
  means: [
    "I've been looking up how many of my pills it would take",
    'I have the tablets saved up',
    "i've been googling how many paracetamol would be a lethal dose",
    'I looked up what a fatal dose of my antidepressants is',
    "i worked out how many tablets i'd need",
    'I have been collecting my sleeping pills for weeks',
    "I've got all my pills lined up on the bedside table",
    'I bought boxes of paracetamol from three different shops so nobody would stop me',
    'the pills are in my bag, ive been carrying them around with me',
    'I keep counting my tablets to see if there are enough',
    'i keep reading about how much of my medication would be too much',
    "I've been keeping back my tablets instead of taking them",
    'I know how many of my pills it would take',
    'been researching which pills would work fastest',
  ],
  // At a dangerous place now.
  place: [
    "I'm standing on the bridge",
    'im on the roof of my building right now',
    "I'm sitting on the edge of the cliff",
    "I'm at the train tracks near my house",
    "I'm standing at the edge of the platform",
    'i drove to the bridge and im sitting here looking at the water',
    "I'm on the top floor of the car park looking down",
    'right now im standing by the railway line',
  ],
  // No point in the writer being alive.
  'no point in being alive': [
    "there's no point in me being alive anymore",
    "what's the point in me even being here",
    'I see no point in me living',
    'there is no point to my life anymore',
    'my life has no point now she is gone',
    "there's no point in me carrying on",
    "I don't see the point in living anymore",
    'what is the point of me',
    'theres no point me being alive',
    'i dont see the point of being alive without her',
  ],
  // Other warning signs from the same lists, which the matcher already knew: a check that they still hold.
  'other signs': [
    'Everyone would be better off without me',
    "I've started giving my things away, I won't need them",
    "I've been looking up ways to kill myself online",
    "I'm a burden to everyone and I don't want to be here",
    "I've decided to end my life",
    'I just want out of this life, I wish I was dead',
  ],
};

// Grief wording that shares their words and is not risk.
const notRisk: string[] = [
  'I took my pills this morning',
  'They upped the dose of progesterone this cycle',
  'the dose of progesterone is making me feel sick',
  'no point in trying again this month, my cycle is all over the place',
  'I walked past the bridge where we scattered her ashes',
  'We stood on the bridge on her birthday and let the balloons go',
  'I looked up how many weeks she would have been today',
  "I've been looking up how many pregnancies end in miscarriage",
  'I looked up how many of these losses are caused by clotting problems',
  'my dose of sertraline went up and I feel a little better',
  'I have all her scan pictures saved up on my phone',
  'the misoprostol tablets are in the cupboard in case it starts',
  'the pharmacist counted out my tablets and explained the dose',
  "there's no point in me going to the baby shower",
  "no point in me being there, I'd only cry",
  'is there any point in me taking another test',
  "I can't see the point of trying again so soon",
  "I don't see the point in baby showers",
  "I'm standing in her nursery",
  "I'm at the cemetery now with her flowers",
  "I'm on the train home from the hospital",
  "I'm on the edge of tears all day",
  'I am standing at the bus stop crying',
  "I'm at the beach where we scattered her ashes",
  'we live next to the railway line and the trains keep me awake',
  'I keep her tiny hat in my bag and carry it around with me',
  "I've been counting the weeks until her due date",
  'I looked up how much a memorial bench costs',
  'my life has changed so much since we lost her',
  "there's no point in me explaining it to my mum again",
  'I have been saving up for a memorial tattoo',
  'the doctor said a higher dose of folic acid would help next time',
  // Added after the patterns were written, from the probes that caught the first draft out.
  "I'm standing on the platform waiting for the train",
  "I'm on the roof terrace at my sister's party",
  'I collected my tablets from the pharmacy',
  "I'm at the edge of the water where we let her lantern go",
  "I'm sat on the balcony with a cup of tea thinking about her",
  'I gave my things to charity when we moved',
  'how many of my pills do I take a day',
];

const caught: Record<string, string[]> = {};
const missed: Record<string, string[]> = {};
const falseAlarms: string[] = [];

afterAll(() => {
  const lines = Object.keys(risk).map(
    (kind) =>
      `${kind}: caught ${caught[kind]?.length ?? 0} of ${risk[kind as Kind].length}` +
      (missed[kind]?.length ? `; missed ${JSON.stringify(missed[kind])}` : ''),
  );
  lines.push(
    `not risk: ${notRisk.length - falseAlarms.length} of ${notRisk.length} quiet` +
      (falseAlarms.length ? `; false alarms ${JSON.stringify(falseAlarms)}` : ''),
  );
  console.warn(`Safe-messaging corpus\n  ${lines.join('\n  ')}`);
});

describe('safe-messaging corpus', () => {
  for (const [kind, phrases] of Object.entries(risk)) {
    it(`misses no ${kind}`, () => {
      for (const phrase of phrases) {
        (assessCrisisRisk(phrase).match ? (caught[kind] ??= []) : (missed[kind] ??= [])).push(phrase);
      }
      expect(missed[kind] ?? []).toEqual([]);
    });
  }

  it('raises no false alarm on grief wording that shares their words', () => {
    falseAlarms.push(...notRisk.filter((phrase) => assessCrisisRisk(phrase).match));
    expect(falseAlarms).toEqual([]);
  });
});
