// The corpus is written the way members write: on a phone, at night, lower case, typos, no punctuation,
// emoji, the risk in the middle of a long message. Every case is its own test, so a failure names it.
// When the matcher changes, add the message that taught you something here.
import { describe, expect, it } from 'vitest';
import { assessCrisisRisk, normalizeClauses } from './crisis.ts';

const mustMatch = [
  // Wanting to die, however it is spelled
  'i just want to die',
  "I want to die. I can't do this without her",
  'honestly i wanna die 😭😭',
  'some days i wnat to die',
  'I want to dieeee',
  "I'm not okay and I want to die",
  'not gonna lie i want to die',
  'Everyone keeps saying it gets better but honestly I just want to die 😔',
  'i would never hurt myself but I want to die',
  'I hate myself and I want to die',
  'Someone please tell me how to stop wanting to die',
  'When they told me there was no heartbeat I wanted to die',
  "i'd rather be dead than feel like this",
  'its my fault she died and i dont deserve to live',
  "I've never wanted to die more than I do tonight",
  "not a day goes by that I don't want to die",
  "i'd rather die than live without her",
  // Wishing to be dead
  'i wish i was dead',
  'I wish I had died with her',
  "I wish I'd never been born",
  "I sometimes wish I didn't exist",
  'i’d be better off dead tbh',
  // Killing oneself, ending one's life
  'I keep thinking about killing myself',
  'i think im going to kill myself tonight',
  "I'm going to kms",
  'Honestly the only thing stopping me from killing myself is my son',
  'I could end my life tonight and nobody would know',
  "I can't stop thinking about ending my life",
  "I've thought about taking my own life",
  "I've been thinking about ending it all",
  'If it wasnt for my daughter I would have ended it all already',
  'Part of me wants to end it',
  'i want to end it once and for all',
  'been thinking of ending things',
  // Not wanting to be here
  'i dont want to be here anymore',
  'I don’t want to be here anymore',
  "I don't want to live without my baby",
  'i really dont want to be alive any more',
  'im not ok. i dont want to exist anymore',
  "I don't think I want to be here anymore",
  'i dont see any reason to keep living',
  // A burden, nobody would notice
  'everyone would be better off without me',
  'My husband would be better off without me, he could start again with someone who can give him a baby',
  "i feel like i'm a burden and everyone would be happier without me",
  'No one would miss me',
  'nobody would even notice if i was gone',
  // No reason, tired of living
  "there's no reason to live now",
  'i have nothing left to live for',
  'there is no point in living anymore',
  "what's the point of living without her",
  'lost the will to live tbh',
  "I'm tired of living",
  "i'm so tired of being alive",
  // Joining the baby
  'I just want to go and be with my angel',
  'i want to join my baby',
  'sometimes i think about joining my son in heaven',
  'my baby is gone and i want to be with her in heaven',
  'God please take me too',
  // Suicide, named
  "I'm suicidal",
  'i feel suicidal tonight',
  'im so sucidal rn',
  'Ive been having suicidal thoughts again since the d&c',
  "I'm not going to lie, I've thought about suicide",
  'the nurse asked if I was suicidal and I said no', // a screening question: the answer may not be the whole story
  "i'm not suicidal but i do think about dying a lot",
  // Sleep and not wake up
  "i hope i don't wake up tomorrow",
  'I want to go to sleep and never wake up',
  "i'm not suicidal but honestly i'd be ok if i didn't wake up",
  // Can't go on
  "I can't go on like this",
  'i cant go on',
  "I can't do this anymore",
  "I can't do this any more, I'm done",
  "i don't know how much longer i can go on",
  'I can’t live with myself after what happened',
  // Self-harm, and a negation that admits the urge
  'I want to hurt myself',
  'I am trying so hard not to hurt myself',
  "I can't promise I won't hurt myself",
  "i'm not sure i won't do something to myself",
  'i keep cutting myself again',
  "I've started self harming again",
  'I relapsed and self-harmed last night',
  // Pills and overdose
  'i have been thinking of taking an overdose',
  "I'm going to take all my pills tonight",
  "I've been saving up my sleeping pills",
  'I took a whole bottle of paracetamol',
  // Plans, notes, goodbyes, means
  'I wrote a note for my husband and kids',
  "i've written letters to my family",
  "I've said goodbye to everyone",
  'I have a plan',
  'i have a plan and i know how i would do it',
  "I know exactly how I'd do it",
  'I bought a rope',
  'thinking about driving my car into a tree on the way home',
  "i've been looking at the bridge on my way home thinking about jumping",
  // Someone else at risk
  "my wife keeps saying she wants to die and I don't know what to do",
  "I'm scared my partner is going to hurt herself",
  // Long messages with the risk in the middle
  "We lost our little girl at 22 weeks in March. Everyone has gone back to normal, my husband is back at work, and I sit in her nursery every day. I've started looking up ways to die and I'm scared of myself. I don't know why I'm posting this.",
  'third mc this year and the doctor just said "these things happen" like it was nothing. went home and sat in the car for an hour. honestly i dont want to be here anymore and i dont know who to tell. sorry for the long post, i just needed to say it somewhere',
  'Sorry to vent 💔 its been 6 months since we lost our son at 38 weeks and everyone expects me to be fine. I smile at work and then come home and lie in the dark. Some nights I think everyone would be better off without me. Anyway, how is everyone doing with the holidays coming up?',
];

const mustNotMatch = [
  // Negations
  "I'm not going to hurt myself, I promise",
  "I promise that I won't hurt myself",
  'I would never kill myself',
  'I would never ever hurt myself',
  "I don't want to die, I just want the pain to stop",
  "i don't want to die, i want my baby back",
  "I'm not suicidal, just sad",
  'no longer suicidal, thank goodness for my therapist',
  "I'm not suicidal. I want to make that clear. I'm just so sad.",
  "I haven't had suicidal thoughts, just a lot of sadness",
  "I don't have any thoughts of harming myself",
  'No intention of hurting myself, just needed to vent',
  'i would never hurt myself, my son needs me',
  'i would never take my own life, i promised my husband',
  "i am not going to overdose, i just can't sleep",
  // Grief language
  'I felt like I died inside',
  'my baby died at 20 weeks',
  'the pregnancy ended at 9 weeks',
  'I died a little when I saw the empty car seat',
  'my heart died with her',
  'she was born sleeping on 3rd may',
  'The birth was traumatic and I thought I was going to die',
  'I felt like I was dying when the bleeding started',
  'this is killing me',
  'the waiting is killing me',
  'my husband is killing me with his snoring',
  "i'm killing myself trying to get pregnant again",
  'It feels like the end of the world',
  "The grief comes in waves and some days I can't get out of bed",
  "I'm not okay but I'm still here and I'm talking to my GP",
  'I just want to hold my baby again',
  'i wish i could have held her longer',
  'I wish it had all been a bad dream',
  'I never want to go through this pain again',
  'I just want this day to be over',
  'Is it normal to feel numb? I dont feel anything',
  'My rainbow baby is 6 months old and I still think about my angel every day',
  'My therapist says my guilt is a form of self-punishment',
  // Idioms
  "I'm dying to see you all at the walk next month",
  'dying to know if anyone else had spotting at 6 weeks',
  "I'm literally dying of cringe reading my old posts",
  'I wanted to die of embarrassment when my boss asked about the baby',
  'just trying to kill time before my scan',
  'i could kill for a coffee right now',
  'I could have killed the sonographer for the way she said it',
  "I'm dead tired after the funeral",
  'I would die for my children',
  // Someone else's death, told as history
  'my mother died by suicide years ago',
  'I lost my brother to suicide in 2019',
  'my sister took her own life last year and the grief is complicated',
  // Goodbyes, letters and plans that belong to the baby
  'we said goodbye to our daughter on tuesday',
  'I said goodbye to him at the hospital',
  'I never got to say goodbye',
  "I'll never forget saying goodbye to you, my sweet boy",
  'i dont know how to say goodbye to her things',
  'I wrote a letter to my baby',
  'we wrote a goodbye letter to our baby',
  'we wrote notes to our baby and put them in the memory box',
  'I left a note on the fridge for my husband',
  'we have a birth plan for the next one',
  'I have a plan for the anniversary',
  'my OB has a plan for my next pregnancy',
  // Medicine
  'I had to take the misoprostol pills to pass the pregnancy at home',
  'they told me to take all four pills at once',
  'I take my pills every morning',
  'i take sleeping pills some nights',
  'I asked the nurse if I could take the pills home',
  // Everyday life
  'I cut myself shaving my legs lol',
  "I've cut myself off from my friends",
  'I hurt my back carrying the memory box down from the loft',
  "i can't go on holiday this year, too many babies at the resort",
  "I can't go on facebook anymore without seeing pregnancy announcements",
  "I don't want to be here at this baby shower",
  "I don't want to live in this house anymore, everything reminds me of her",
  "I'm so tired of people asking when we'll try again",
  "I'm done with people telling me everything happens for a reason",
  'we gave up on trying after the third loss',
  "I'd rather not go to my cousin's gender reveal",
  "I'd rather die than go to another baby shower",
  'i dont want to live here anymore too many memories',
  'bye everyone, see you tomorrow night in chat',
  'goodnight all, sending love 💕',
  "I'm going to join my daughter at her school play tonight",
  'I want to be with my baby when she is cremated',
  "We're going to scatter her ashes in the sea and then walk into the sea together",
  // Ending a pregnancy for medical reasons
  'we decided to end the pregnancy for medical reasons',
  'we made the heartbreaking decision to end it at 21 weeks',
  'we were going to end it but then the second scan changed everything',
];

describe('assessCrisisRisk', () => {
  it.each(mustMatch)('notices risk in %j', (text) => {
    expect(assessCrisisRisk(text).match).toBe(true);
  });

  it.each(mustNotMatch)('stays quiet for %j', (text) => {
    expect(assessCrisisRisk(text)).toEqual({ match: false, phrases: [] });
  });

  it('names what it found for the moderators, once each', () => {
    const result = assessCrisisRisk('I have a plan. I want to die. I really want to die and I wrote a note');
    expect(result).toEqual({ match: true, phrases: ['wants to die', 'wrote a note', 'has a plan'] });
  });

  it('reads every clause, not only the first that is negated', () => {
    expect(assessCrisisRisk("I'm not going to kill myself tonight but I keep thinking I should kill myself")).toEqual({
      match: true,
      phrases: ['kill myself'],
    });
  });

  it('answers an empty message', () => {
    expect(assessCrisisRisk('')).toEqual({ match: false, phrases: [] });
    expect(assessCrisisRisk('   \n 🙂 ')).toEqual({ match: false, phrases: [] });
  });
});

describe('normalizeClauses', () => {
  it('spells out contractions and keeps every other word as written', () => {
    expect(normalizeClauses("I can't sleep, and it's her due date")).toEqual([
      'i can not sleep',
      'and it is her due date',
    ]);
  });

  it('never takes a word for a property every object has', () => {
    // "constructor" was looked up in a plain object and came back as `function Object() { [native code] }`.
    expect(normalizeClauses('The constructor of our cot; valueOf nothing')).toEqual([
      'the constructor of our cot',
      'valueof nothing',
    ]);
  });
});
