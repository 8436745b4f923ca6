// Crisis language: does a message or story suggest a risk of suicide or self-harm? When it does, the writer
// is shown crisis resources privately and the post goes to the top of the moderators' queue (CARE.md,
// "Crisis and self-harm"). This module only answers the question: pure, no Fastify, no database, so it can
// be improved or swapped behind `assessCrisisRisk`.
//
// It is a word-and-phrase matcher over normalized text, checked against the corpus in crisis.test.ts.
// A false positive costs a kind note and a moderator's glance; a miss can cost a life. So ambiguous wording
// matches, and a phrase is left alone only where the other reading is clear:
// - a negation just before it in the same clause ("I would never hurt myself", "I'm not suicidal, just
//   sad"), unless the negation admits the urge ("trying not to hurt myself", "can't promise I won't");
// - grief idioms that never name the writer's own death: "this is killing me", "I died inside", "dying to
//   see you", "my baby died" contain no phrase here at all;
// - someone else's death told as history ("my mother died by suicide years ago");
// - medical instructions for pills ("they told me to take all four misoprostol tablets").
// Means and plans count as much as words about dying: pills gathered or a lethal dose looked up, being at a
// bridge or a roof now, no point in the writer being alive (crisis-guidance.test.ts, a corpus written apart
// from these patterns, from public safe-messaging guidance).
// Past first-person wording still matches ("I wanted to die when they told me"): a history is a risk, and
// a moderator can tell the difference. Someone else at risk now ("she keeps saying she wants to die")
// matches too: the writer needs the same numbers. A screening question matches ("the nurse asked if I was
// suicidal") because the answer is often in the next clause or not given at all.

export interface CrisisAssessment {
  match: boolean;
  /** Human names of what was found, for the moderators' context. */
  phrases: string[];
}

interface RiskPhrase {
  name: string;
  /** Tried against each normalized clause; see `normalizeClauses` for the form. */
  patterns: RegExp[];
  /** A clause where this wording is confidently about something else. */
  unless?: (clause: string) => boolean;
}

/** A global pattern from regex source, so fragments below can be interpolated. */
function pattern(strings: TemplateStringsArray, ...fragments: string[]): RegExp {
  return new RegExp(String.raw({ raw: strings.raw }, ...fragments), 'g');
}

const SELF = String.raw`(?:myself|myslef|mysef|meself|mself)`;
const CHILD = String.raw`(?:baby|babies|bubba|babe|angel baby|angels?|little ones?|sons?|daughters?|boys?|girls?|twins|child|children|little bean|bean)`;
const LONGING = String.raw`(?:want|wants|wnat|need|needs|ready|long|longing|just want|wish i could|anything|desperate)`;
const DRUG = String.raw`(?:pills?|tablets?|meds|medications?|medicine|painkillers|pain killers|sleeping pills|sleeping tablets|antidepressants|paracetamol|tylenol|ibuprofen|codeine|insulin)`;
const PILL_AMOUNT = String.raw`(?:all|every one|every single one|every last one|the rest|too many|enough|(?:a |an |the )?(?:whole |entire )?(?:bottle|box|packet|pack|strip|jar|handful|bunch)s?)`;

// Places where a life can end at once; the edge of a platform or of water only as an edge.
const PLACE = String.raw`(?:bridge|bridges|viaduct|overpass|flyover|roof|rooftop|cliff|cliffs|cliff edge|cliff top|clifftop|ledge|(?:train |railway |rail )?tracks|railway line|railway|rail line|level crossing|car park|multi storey|parking garage|tower block|top floor|dam|quarry)`;
const PLACE_EDGE = String.raw`(?:platform|balcony|water|river|lake|sea|pier|harbour|harbor)`;

// "my mother died by suicide", "we lost my brother to an overdose": someone else's death, told as history.
const OTHERS_DEATH =
  /\b(?:died|passed away|passed|death|deaths|lost (?:\w+ ){1,3}to|loss (?:\w+ ){0,3}to|committed|completed) (?:by |from |of |to |through |after )?(?:an |a )?(?:accidental )?(?:suicide|overdose)\b|\b(?:his|her|their) (?:suicide|overdose)\b/;
const WRITER_TOO =
  /\bi (?:\w+ ){0,2}(?:want|wanted|wish|think|thought|feel|felt|tried|attempt|attempted|commit|committed|died|nearly|almost|might|will|could|would|plan|am going)\b/;
const reportsAnotherDeath = (clause: string) => OTHERS_DEATH.test(clause) && !WRITER_TOO.test(clause);

// Early pregnancy loss is often managed with tablets taken all at once, as instructed.
const MEDICAL_INSTRUCTIONS =
  /\b(?:misoprostol|miso|mifepristone|mife|mifeprex|cytotec|as (?:instructed|prescribed|directed)|(?:told|instructed|advised) (?:me|us|her) to|prenatal|folic|vitamins|antibiotics)\b/;

// Scattering ashes at sea or in a river is a ritual of remembrance, not a method.
const REMEMBRANCE = /\b(?:ashes|scatter\w*|swim\w*)\b/;

const RISK_PHRASES: RiskPhrase[] = [
  {
    name: 'wants to die',
    patterns: [
      pattern`\b(?:want|wants|wnat|wanted|wanting|need|needs|ready|wish|wished|wishing|long|longing|would like|rather|prefer|deserve) (?:to |too )?(?:just |simply |honestly |really )?(?:die|be dead|not be alive|not exist|stop living|stop existing|stop breathing|cease to exist|disappear(?: forever| for good|(?= *$)))\b(?! (?:(?:of|from) (?:embarrassment|shame|laughter|laughing|cringe)|than (?:go|going|attend|attending|sit|sitting|see|seeing|watch|watching|listen|listening|hear|hearing|be at|have to go|have to sit)|(?:my|her|your) hair)\b)`,
    ],
  },
  {
    name: 'wishes they were dead',
    patterns: [
      pattern`\bwish(?:ed|ing)? (?:that )?i (?:was|were|could be|had been|would be) dead\b`,
      pattern`\bwish(?:ed|ing)? (?:that )?i (?:had |could |would |could just |would just |had just |just |could have |would have |did )?(?:died|die|disappear)\b`,
      pattern`\bwish(?:ed|ing)? (?:that )?i (?:had |was |were |would )?never (?:been )?born\b`,
      pattern`\bwish(?:ed|ing)? (?:that )?i (?:was|were|had) not (?:been )?born\b`,
      pattern`\bwish(?:ed|ing)? (?:that )?i (?:did|do|would|could|will) not (?:exist|wake up)\b`,
      pattern`\bwish(?:ed|ing)? (?:that )?i (?:was|were) not (?:here|alive)\b`,
    ],
  },
  { name: 'better off dead', patterns: [pattern`\bbetter off dead\b`] },
  {
    name: 'kill myself',
    patterns: [
      // "killing myself trying to get pregnant" is about exhaustion.
      pattern`\b(?:kill|kil|kills|killing|kiling|killed) ${SELF}\b(?! (?:trying|working|at (?:work|the gym)|to (?:get|make|finish|please|keep))\b)`,
      pattern`\bkms\b`,
      pattern`\b(?:to|going to|should|could|might|will|just) off ${SELF}\b`,
    ],
  },
  {
    name: 'end my life',
    patterns: [pattern`\b(?:end|ends|ending|ended|finish|finishing) my (?:own )?life\b(?! as i (?:knew|know) it\b)`],
  },
  {
    name: 'take my own life',
    // "take my life back" and "one day at a time" are about recovery.
    patterns: [
      pattern`\b(?:take|takes|taking|took|taken) my (?:own )?life\b(?! (?:back|in (?:a|my|new|another)|into|forward|one day)\b)`,
    ],
  },
  {
    name: 'end it all',
    patterns: [
      pattern`\b(?:end|ends|ending|ended) (?:it all|everything|all of it|it now|it tonight|it today|it for good)\b`,
      // Not "we": parents who ended a pregnancy for medical reasons say "we decided to end it".
      pattern`(?<!\b(?:we|they)(?: were| are| had| have)? )\b(?:want|wants|wanted|need|needs|going|ready|plan|planning|tempted|trying) to end it\b(?! (?:with|for|on|off|early|there|here)\b)`,
      pattern`\b(?:thinking|thought|think) (?:about|of) ending (?:it|things)\b(?! (?:with|for|off|between)\b)`,
    ],
  },
  {
    name: 'does not want to be here',
    // The negation belongs to the phrase here: "I don't want to be here anymore" is the risk.
    patterns: [
      pattern`\b(?:do not|does not|did not|no longer|never|not sure(?: if| whether)?)(?: \w+){0,3} (?:want|deserve) to (?:be here|live|be alive|exist|wake up|go on|carry on|keep going|keep living|survive|be on this earth|be in this world)\b(?! (?:in|through|near|nearby|at|here|there|abroad|close|far|alone|on|off|together|up to|a |an |the |holiday|vacation|trip|walk|date|leave|with (?:my|our|his|her|their|the|them|him|us|you))\b)`,
      pattern`\b(?:do not|can not|no longer) see (?:any|a|the) (?:reason|point) (?:to|in|of)(?: me| my)? (?:live|living|keep living|keep going|go on|going on|be alive|being alive|carry on|carrying on|being here|existing)\b`,
    ],
  },
  {
    name: 'better off without me',
    patterns: [
      pattern`\b(?:better off|better|happier|easier) (?:without me|with me gone|if i (?:was|were|had|just) (?:gone|dead|not here|not around|never born|died)|if i (?:died|disappeared|was not here|were not here|was not around))\b`,
    ],
  },
  {
    name: 'nobody would miss me',
    patterns: [
      pattern`\b(?:no one|noone|nobody|no body)(?: would| will| is going to| even| really)* (?:miss me|notice (?:if|when|that) i (?:(?:was|were|am) )?(?:gone|dead|died|disappeared|not here|left)|cares? (?:if|when|that|whether) i (?:(?:was|were|am) )?(?:gone|dead|died|die|disappeared|live|lived|not here))\b`,
    ],
  },
  {
    name: 'no reason to live',
    patterns: [
      pattern`\bno (?:reason|reasons|point|will|desire|purpose|motivation)(?: left)?(?: (?:to|in|of|for))?(?: me| my)?(?: even| still| really)? (?:live|living|go on|going on|carry on|carrying on|be alive|being alive|be here|being here|keep going|life|existing|exist)\b`,
      pattern`\bmy life (?:has|had|holds) no (?:point|purpose|meaning)\b`,
      pattern`\bnothing (?:left )?to live for\b`,
      pattern`\bnot worth living\b`,
      pattern`\bwhat is the point (?:of|in) (?:me |my )?(?:even |still )?(?:living|life|going on|being alive|being here|carrying on|anything anymore|it all|existing)\b`,
      pattern`\bwhat is the point (?:of|in) (?:me|my existence)(?= *$| anymore| now| without| being)`,
      pattern`\blost (?:the|my|all) will to live\b`,
      pattern`\blife is (?:pointless|meaningless|not worth it)\b`,
    ],
  },
  {
    name: 'tired of living',
    patterns: [
      pattern`\b(?:tired|sick|done|exhausted|weary) (?:of|with) (?:living|life|being alive|existing|this life|being here)\b`,
      pattern`\b(?:give|gives|giving|gave|given) up on (?:life|living)\b`,
    ],
  },
  {
    name: 'join my baby',
    patterns: [
      // Living children are joined at school or for lunch; a lost baby is joined in heaven.
      pattern`\b(?:join|joining) (?:my|our) ${CHILD}\b(?! (?:loss|memorial|group|page|walk|club|class|school|for|at|on|to|when|while|in (?!heaven))\b)`,
      pattern`\b(?:join|joining) (?:him|her|them) (?:in heaven|up there|on the other side)\b`,
      pattern`\b${LONGING} to (?:go (?:and )?)?be with (?:my|our) (?:bab(?:y|ies)|angels?|angel baby|little one|bean)\b(?! (?:at|when|while|for|during|on|in the|before|after|as)\b)`,
      pattern`\b${LONGING} to (?:go (?:and )?)?be with (?:(?:my|our) ${CHILD}|him|her|them) (?:again|in heaven|up there|on the other side)\b`,
    ],
  },
  {
    name: 'suicide',
    patterns: [
      pattern`\b(?:suicide|suicides|suicidal|suicidally|sucidal|suicidial|suisidal|suicdal|suicidel|suiside|sucide|suicde|sewer ?slide|unalive|unaliving|unalived)\b`,
    ],
    unless: reportsAnotherDeath,
  },
  {
    name: 'thoughts of dying',
    patterns: [
      pattern`\b(?:think|thinks|thinking|thought|thoughts) (?:about|of) (?:dying|death|being dead|not being here|not being alive|not existing|ending it|ending my life|killing myself|suicide|not waking up|taking my (?:own )?life)\b`,
      pattern`\bfeel(?:s|ing)? like dying\b`,
    ],
  },
  {
    name: 'not wake up',
    patterns: [
      pattern`\b(?:hope|hoped|hoping|wish|wished|wishing|pray|prayed|praying|want|wanted|rather)(?: that)?(?: i)?(?: would| will| could| do| did| just)? (?:not|never) (?:to )?(?:wake|woke) up\b`,
      pattern`\b(?:sleep|slept|sleeping|asleep|pills|tablets)(?: and| then) (?:just )?(?:not|never) (?:wake|waking|woke) up\b`,
      pattern`\b(?:easier|better|happier|ok|okay|fine|alright|relieved|glad) if i (?:just )?(?:did not|do not|never|would not) (?:wake up|exist)\b`,
      pattern`\bsleep forever\b`,
    ],
  },
  {
    name: "can't go on",
    patterns: [
      pattern`\bcan not (?:go on|keep going|carry on|keep living|do this anymore|do it anymore|take it anymore|take this anymore|take anymore|take much more|cope anymore|live like this|live with (?:this|myself|the (?:pain|guilt|grief))|live without|survive without|handle this anymore|handle it anymore|bear it anymore|bear this anymore|be here anymore|keep doing this|face another day|face tomorrow)\b(?! (?:a|an|the|holiday|holidays|vacation|trips?|walks?|dates?|leave|maternity|social|facebook|instagram|tiktok|medication|meds|antidepressants|to|about|with (?:work|school|my job|the))\b)`,
      pattern`\b(?:do not|did not) know (?:how|if|whether) (?:much longer )?i (?:can|could|will|am going to) (?:go on|keep going|carry on|keep living|live without|survive (?:this|without))\b`,
    ],
  },
  {
    name: 'take me instead',
    patterns: [
      pattern`\b(?:god|lord|jesus|universe) (?:please )?(?:just )?take me\b`,
      pattern`\btake me (?:too|instead|with (?:her|him|them))\b`,
      pattern`\b(?:should|could|would) have taken me (?:instead|too)\b`,
    ],
  },
  {
    name: 'hurt myself',
    patterns: [
      pattern`\b(?:hurt|hurts|hurting|harm|harms|harming|harmed|injure|injuring|hit|hitting|punch|punching|burn|burning|starve|starving|scratch|scratching) ${SELF}\b(?! (?:by accident|accidentally|cooking|on (?:the|a) (?:oven|stove|iron|kettle|pan)|at (?:the gym|work)|lifting|running|playing|falling)\b)`,
      pattern`\bdo something (?:stupid |drastic |bad )?to ${SELF}\b`,
    ],
  },
  {
    name: 'cut myself',
    patterns: [
      pattern`\b(?:cut|cuts|cutting|slit|slitting|slash|slashing|carve|carving) ${SELF}\b(?! (?:off|out|shaving|cooking|chopping|slicing|on (?:a|the|some|broken|glass|paper)|by accident|accidentally|while)\b)`,
      pattern`\b(?:cut|cutting|slit|slitting|slash|slashing) (?:my |both )?wrists?\b`,
      pattern`\bcutting again\b`,
      pattern`\b(?:urge|urges|want|wanting|need|needing|started|start|relapsed|relapsing) (?:to )?cut(?:ting)?(?: again)?(?= *$)`,
    ],
  },
  {
    name: 'self-harm',
    patterns: [
      pattern`\bself ?(?:harm|harming|harmed|harms|injury|injuring|injure|injured|mutilation|mutilate|mutilating)\b`,
    ],
  },
  {
    name: 'overdose',
    patterns: [
      pattern`\bover ?dos(?:e|es|ed|ing)\b`,
      pattern`\b(?:to|might|could|will|would|going to|want to) od\b`,
      pattern`\bod(?:ing)? (?:on|tonight)\b`,
    ],
    unless: reportsAnotherDeath,
  },
  {
    name: 'pills',
    patterns: [
      pattern`\b(?:take|taking|took|taken|swallow|swallowing|swallowed|down|downing|downed|neck|necking|necked|eat|ate) ${PILL_AMOUNT} (?:of )?(?:my |the |these |those |her |his |their |our )?(?:\w+ )?${DRUG}\b`,
      pattern`\b(?:whole|entire) (?:bottle|box|packet|pack|strip|jar)s? of (?:\w+ )?${DRUG}\b`,
      pattern`\bhandfuls? of ${DRUG}\b`,
      pattern`\b(?:stockpil\w*|hoard\w*|saving up|saved up|save up|stash\w*) (?:my |the |some |up )?(?:\w+ )?${DRUG}\b`,
      pattern`\benough ${DRUG} to\b(?! (?:last|get (?:me )?through|cover)\b)`,
    ],
    unless: (clause) => MEDICAL_INSTRUCTIONS.test(clause),
  },
  {
    name: 'method',
    patterns: [
      pattern`\b(?:hang|hanging|hanged|drown|drowning|shoot|shooting|poison|poisoning|gas|gassing|suffocate|suffocating|strangle|strangling|electrocute|electrocuting|stab|stabbing) ${SELF}\b(?! in the foot\b)`,
      pattern`\b(?:jump|jumping|jumped|throw myself|throwing myself|step|stepping|walk|walking|drive|driving|crash|crashing) (?:off|from|in front of|into|under) (?:a |an |the |my |some )?(?:\w+ )?(?:bridge|building|roof|rooftop|cliff|balcony|window|train|trains|bus|lorry|truck|traffic|tracks|motorway|highway|river|sea|ocean|lake|wall|tree)\b(?! (?:stop|station)\b)`,
      pattern`\b(?:drive|driving|crash|crashing|steer|steering) (?:my |the )?car (?:into|off)\b`,
      pattern`\b(?:thinking|thought|think) (?:about|of) jumping\b(?! (?:back|in|into|on|at|ship)\b)`,
      pattern`\b(?:bought|buy|buying|got|get|have|found|tied|tying|made|make) (?:a |the |some )?(?:rope|noose)\b`,
      pattern`\bnoose\b`,
      pattern`\b(?:looked up|looking up|look up|researching|researched|googling|googled|searched|searching|reading about) (?:how|ways|the best way|painless ways|easy ways|the easiest way|methods) (?:to|of) (?:die|dying|kill|end it|end my life|overdose|do it)\b`,
      pattern`\b(?:painless|easy|easiest|quick|quickest|best|fastest|peaceful|surest) (?:way|ways|method|methods) to (?:die|end it|end my life|kill myself)\b`,
    ],
    unless: (clause) => REMEMBRANCE.test(clause),
  },
  {
    name: 'means at hand',
    // Means gathered, kept or being researched: how many of one's pills it would take, a lethal dose.
    patterns: [
      pattern`\b(?:lethal|fatal|deadly|toxic|overdose) (?:dose|doses|dosage|amount|amounts|quantity|number)\b`,
      pattern`\bhow (?:many|much)(?: of)?(?: my| the| these| those| her| his| our)?(?: \w+)? ${DRUG}(?: i| it| you| we)? (?:would|will|could|might|it would|i would|i will|i need|i would need|does it|do you) (?:take|need|be (?:enough|too (?:many|much)|fatal|lethal|a lethal|deadly)|kill|do it|work|end it)\b`,
      pattern`\bwhich (?:\w+ )?${DRUG} (?:would|will|could|might) (?:work|kill|do it|end it|be (?:best|quickest|fastest|surest|enough))\b`,
      pattern`\b(?:have|have got|got|keep|kept|keeping)(?: all)?(?: of)? (?:the |my |some |these |those |enough )?(?:\w+ )?${DRUG} (?:saved|stashed|hidden|hid|stockpiled|put away|put aside|set aside|ready|lined up|counted out)\b`,
      pattern`\b(?:collect\w*|gather\w*|(?:keep|keeping|kept|held|holding|hold) back|hiding|hidden|hid) (?:all )?(?:my |the |some |these |those |enough )?(?:\w+ )?${DRUG}\b(?! (?:from|at|for (?:my|the|her|him|them)|up from|today|this morning|yesterday)\b)`,
      pattern`\b(?:bought|buying|buy|got|getting|stocked up on|stocking up on) (?:\w+ )?(?:boxes|packets|packs|bottles|lots|loads|strips) of (?:\w+ )?${DRUG}\b`,
      pattern`\b(?:the|my|all my|all the) (?:\w+ )?${DRUG} (?:are|is) (?:ready|here|with me|in my (?:hand|hands|pocket|bag|car)|next to me|in front of me|beside me|lined up|counted out)\b`,
      pattern`\bcount\w* (?:my |the |all (?:my |the )?)?(?:\w+ )?${DRUG}(?: \w+){0,6} enough\b`,
    ],
    unless: (clause) => MEDICAL_INSTRUCTIONS.test(clause),
  },
  {
    name: 'at a dangerous place',
    // Being at such a place now; "we walked past the bridge where we scattered her ashes" is remembrance.
    patterns: [
      pattern`\bi am (?:(?:now|right now|still|just|already) )?(?:(?:standing|sitting|sat|stood|waiting|parked|up|out|here|now|alone) )?(?:on|at|by|near|next to|beside|under|over|in front of|on top of|up on|onto) (?:the |a |this |that |my )?(?:(?:very )?edge of (?:the |a |this |that )?(?:\w+ )?(?:${PLACE}|${PLACE_EDGE})|top (?:floor )?of (?:the |a |this |my )?(?:\w+ )?${PLACE}|roof of (?:the |a |this |my )?\w+|(?:\w+ )?${PLACE})\b(?! (?:where|station|stop|terrace|garden|bar|restaurant|cafe|party|club|game|table|of (?:my|the) nose)\b)`,
      pattern`\bi (?:have )?(?:drove|driven|walked|went|gone|come|came|got|climbed|climbing|driving|walking) (?:up |out |all the way )?(?:to|onto|on to|up to|out to) (?:the |a |this |that )?(?:\w+ )?${PLACE}\b(?! (?:where|to|with|for|station|stop)\b)`,
    ],
    unless: (clause) => REMEMBRANCE.test(clause),
  },
  {
    name: 'giving things away',
    patterns: [
      pattern`\b(?:give|giving|gave|given) away (?:all )?(?:of )?my (?:things|stuff|belongings|possessions|prized possessions|treasured things|jewellery|jewelry)\b`,
      pattern`\b(?:give|giving|gave|given) (?:all )?(?:of )?my (?:things|stuff|belongings|possessions|prized possessions|treasured things|jewellery|jewelry) away\b`,
    ],
  },
  {
    name: 'wrote a note',
    patterns: [
      pattern`\bsuicide (?:note|notes|letter|letters)\b`,
      // A goodbye letter to the baby is a common and gentle grief exercise.
      pattern`\b(?:goodbye|good bye|farewell) (?:note|notes|letter|letters|message|messages|video)\b(?! (?:to|for) (?:(?:my|our) ${CHILD}|him|her|them)\b)`,
      pattern`\b(?:wrote|written|writing|write|left|leave|leaving) (?:a |my |the |some |a few )?notes?\b(?! (?:(?:to|for) (?:my|our) ${CHILD}|(?:to|for|in) (?:him|her|them|the (?:nurses|midwives|midwife|doctors?|hospital|staff|school|teacher|funeral))|in (?:the|her|his|a|my) (?:memory|remembrance|journal|book|box|card|diary|casket|coffin)|on (?:the|my|her|his|a))\b)`,
      pattern`\b(?:wrote|written|writing|write|left|leaving) (?:letters|goodbyes?) (?:to|for) (?:everyone|everybody|my family|my kids|my children|my husband|my wife|my partner|my parents|my friends|my loved ones|my mum|my mom|my dad)\b`,
    ],
  },
  {
    name: 'saying goodbye',
    // Not "we said goodbye to our daughter": that is how a baby's funeral is told.
    patterns: [
      pattern`\b(?:said|saying|say) (?:my )?(?:goodbyes?|good byes?) (?:to )?(?:everyone|everybody|my family|my friends|friends and family|the world|this world|all of you|you all|you guys|everyone here|life)\b`,
      pattern`\bthis is (?:my )?(?:goodbye|good bye|farewell)\b`,
      pattern`\b(?:goodbye|good bye|farewell) (?:everyone|everybody|world|cruel world|forever)\b`,
      pattern`\b(?:wanted|want|came|needed|need) to say (?:goodbye|good bye|goodbyes|my goodbyes)(?= *$| to (?:everyone|everybody|all|you)| and (?:thank|thanks|sorry|i love))`,
    ],
  },
  {
    name: 'has a plan',
    patterns: [
      pattern`\bi (?:have|have got|got|made|have made|am making|have been making|already have|finally have|have finally made|came up with|have come up with) (?:a|the|my|a real|a proper|a clear) plans?\b(?! (?:for (?:the|a|our|my|her|his|next|when|trying|ttc|christmas|the weekend|tomorrow|dinner|work)|with|to (?:try|get|ttc|see|talk|go|move|start|visit|meet|have|cope|remember|honour|honor|mark|celebrate|manage)|b|in place)\b)`,
      pattern`\bknow (?:exactly )?(?:how|when|where) i (?:would|will|am going to|could|want to) do it\b`,
      pattern`\bi (?:have )?(?:picked|chosen|chose|set|decided on) (?:a|the) (?:date|day)(?= *$| to)`,
    ],
  },
  {
    name: 'someone else at risk',
    patterns: [
      pattern`\b(?:kill|killing|hurt|hurting|harm|harming) (?:himself|herself|themselves|themself)\b`,
      pattern`\b(?:take|taking) (?:his|her|their) (?:own )?li(?:fe|ves)\b`,
    ],
  },
];

// Every pattern in one alternation: a clause it does not match cannot match any of them, so most clauses
// (nearly all of what people write) are passed over with one test instead of eighty.
const ANY_RISK = new RegExp(RISK_PHRASES.flatMap((risk) => risk.patterns.map((p) => `(?:${p.source})`)).join('|'));

export function assessCrisisRisk(text: string): CrisisAssessment {
  const found = new Set<string>();
  for (const clause of normalizeClauses(text)) {
    if (!ANY_RISK.test(clause)) continue;
    for (const risk of RISK_PHRASES) {
      if (found.has(risk.name) || risk.unless?.(clause)) continue;
      const stated = risk.patterns.some((p) => [...clause.matchAll(p)].some((m) => !isNegated(clause, m.index, m[0])));
      if (stated) found.add(risk.name);
    }
  }
  const phrases = RISK_PHRASES.map((risk) => risk.name).filter((name) => found.has(name));
  return { match: phrases.length > 0, phrases };
}

// ---- Negation -------------------------------------------------------------------------------------

const wordSet = (words: string) => new Set(words.split(' '));
const NEGATORS = wordSet('not never nor');
// "no" negates only as "no longer", "no way", "no intention of", "no thoughts of"…
const NEGATED_BY_NO = wordSet(
  'longer way intention intentions intent plan plans desire wish urge urges thought thoughts interest',
);
// Words that may stand between a negator and the phrase it denies: "not going to", "would never ever",
// "don't have any thoughts of". Anything else ("and", "but", "sure if") ends the negation's reach.
const BRIDGES = new Set([
  ...NEGATED_BY_NO,
  ...wordSet(
    'i am is are was were be been being will would could should shall might may must can do does did have has had going to ever really actually actively even seriously truly honestly totally definitely want wanted wanting trying planning about thinking think of any feel feeling like that',
  ),
]);
const MAX_BRIDGES = 5;
// Enough characters for those few words; looking no further keeps a long message linear.
const LOOKBACK_CHARS = 160;
// A negation that admits the urge rather than denying it: "trying not to", "not sure I won't", "if I don't",
// "not a day goes by that I don't".
const ADMITS_THE_URGE = wordSet(
  'day by trying try tried struggling hard harder hardest best fighting how sure if whether scared afraid worried hope hoping myself',
);
const PROMISES = wordSet('promise guarantee swear');
const FILLERS = wordSet('i will would can could do did am be so really very just that');

/** Whether `phrase`, found at `start` in `clause`, is denied by a negator shortly before it. */
function isNegated(clause: string, start: number, phrase: string): boolean {
  const end = start + phrase.length;
  // "I've never wanted to die more than now" compares rather than denies.
  if (/^ (?:more|as much|so much|this much)\b/.test(clause.slice(end, end + 12))) return false;
  const windowStart = Math.max(0, start - LOOKBACK_CHARS);
  const before = clause.slice(windowStart, start).split(' ').filter(Boolean);
  if (windowStart > 0) before.shift(); // it may be half a word
  let following = phrase.split(' ', 1)[0];
  for (let i = before.length - 1, bridged = 0; i >= 0 && bridged <= MAX_BRIDGES; i--, bridged++) {
    const word = before[i]!;
    const negates = NEGATORS.has(word) || (word === 'no' && following !== undefined && NEGATED_BY_NO.has(following));
    if (negates) return !admitsTheUrge(before, i);
    if (!BRIDGES.has(word)) return false;
    following = word;
  }
  return false;
}

function admitsTheUrge(words: string[], negatorIndex: number): boolean {
  let i = negatorIndex - 1;
  while (i >= 0 && FILLERS.has(words[i]!)) i--;
  const word = words[i];
  if (word === undefined) return false;
  // "I promise I won't" denies; "I can't promise I won't" does not.
  if (PROMISES.has(word)) return NEGATORS.has(words[i - 1] ?? '');
  return ADMITS_THE_URGE.has(word);
}

// ---- Normalization ------------------------------------------------------------------------------------

const SPELLED_OUT: Record<string, string> = {
  im: 'i am',
  ive: 'i have',
  id: 'i would',
  dont: 'do not',
  doesnt: 'does not',
  didnt: 'did not',
  cant: 'can not',
  cannot: 'can not',
  wont: 'will not',
  wouldnt: 'would not',
  couldnt: 'could not',
  shouldnt: 'should not',
  isnt: 'is not',
  arent: 'are not',
  wasnt: 'was not',
  werent: 'were not',
  havent: 'have not',
  hasnt: 'has not',
  hadnt: 'had not',
  aint: 'is not',
  gonna: 'going to',
  wanna: 'want to',
  wana: 'want to',
  gotta: 'got to',
  tryna: 'trying to',
  thats: 'that is',
  whats: 'what is',
  theres: 'there is',
  hes: 'he is',
  shes: 'she is',
  theyre: 'they are',
  noone: 'no one',
  '2': 'to',
};
const IRREGULAR_NOT: Record<string, string> = { ca: 'can', wo: 'will', sha: 'shall', ai: 'is' };
const SUFFIXES: Record<string, string> = { m: 'am', re: 'are', ve: 'have', ll: 'will', d: 'would' };
const IS_AFTER = wordSet('it that what there here he she who where life everything');

/** A word from a table, or the word itself: never a property every object has ("constructor"). */
const lookUp = (table: Record<string, string>, word: string): string =>
  Object.hasOwn(table, word) ? table[word]! : word;

/** One word as the patterns expect it: "can't", "cant" and "cannot" all become "can not". */
function expandWord(word: string): string {
  // Nearly every word has no apostrophe: nothing below but the spelling table can change it.
  if (!word.includes("'")) return lookUp(SPELLED_OUT, word);
  const not = /^(\w+)n't$/.exec(word);
  if (not) return `${lookUp(IRREGULAR_NOT, not[1]!)} not`;
  const suffix = /^(\w+)'(m|re|ve|ll|d)$/.exec(word);
  if (suffix) return `${suffix[1]} ${SUFFIXES[suffix[2]!]}`;
  const possessive = /^(\w+)'s$/.exec(word);
  if (possessive) return IS_AFTER.has(possessive[1]!) ? `${possessive[1]} is` : possessive[1]!;
  return lookUp(SPELLED_OUT, word.replace(/'/g, ''));
}

/**
 * The text as lower-case clauses of single-space-separated words, contractions spelled out. Punctuation
 * (quotes too), line breaks and emoji end a clause, so a negation never reaches across them.
 */
export function normalizeClauses(text: string): string[] {
  const folded = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u201a\u201b\u2032\u02bc`\u00b4]/g, "'")
    .replace(/(\p{L})\1{2,}/gu, '$1') // "dieeee", "sooo"
    .replace(/&/g, ' and ')
    .replace(/(?<=\p{L})[-_](?=\p{L})/gu, ' ') // "self-harm"
    .replace(/[^\S\n]+/g, ' ');
  return folded
    .split(/[^\p{L}\p{M}\p{N}' ]+/u)
    .map((clause) =>
      clause
        .split(' ')
        .map((word) => word.replace(/^'+|'+$/g, ''))
        .filter(Boolean)
        .map(expandWord)
        .join(' ')
        .replace(/\bany (?:more|longer)\b/g, 'anymore')
        .replace(/\bmy self\b/g, 'myself'),
    )
    .filter((clause) => clause.length > 0);
}
