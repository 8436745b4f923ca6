// Stories and replies are the one place Kindred draws HTML that members wrote (rendered from Markdown and
// sanitized on the server). This throws a corpus of cross-site scripting payloads at it through the API —
// as story titles, bodies and replies — and then reads every story in real Chromium, checking that no
// script ran (each payload would bump window.__xss or call alert), that no Content-Security-Policy
// violation fired (so the sanitizer, not the CSP, stopped them), that nothing dangerous is left in the
// rendered markup, and that no request left Kindred.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowserPlatform } from '../support/browser.ts';

const password = 'quiet harbour lantern morning';
const hit = 'window.__xss++';

/** Script tags, event handlers, dangerous URLs in Markdown and HTML, SVG, broken markup, entities and more. */
const payloads: string[] = [
  // Script tags, plain and disguised.
  `<script>${hit}</script>`,
  `<SCRIPT>${hit}</SCRIPT>`,
  `<ScRiPt >${hit}</sCrIpT >`,
  `<script src="data:text/javascript,${hit}"></script>`,
  `<scr<script>ipt>${hit}</scr</script>ipt>`,
  `<<script>${hit}//<</script>`,
  `"><script>${hit}</script>`,
  `'><script>${hit}</script>`,
  `<template><script>${hit}</script></template>`,
  `<xmp><script>${hit}</script></xmp>`,
  `<noscript><p title="</noscript><img src=x onerror=${hit}>">`,
  // Event handlers on many tags.
  `<img src=x onerror="${hit}">`,
  `<IMG SRC=x OnErRoR=${hit}>`,
  `<img src="x" onerror='${hit}'/>`,
  `<img src=x:alert(alt) onerror=eval(src) alt=0>`,
  `<img """><script>${hit}</script>">`,
  `<img src=x onerror=${hit}`,
  `<svg onload="${hit}">`,
  `<svg/onload=${hit}>`,
  `<body onload="${hit}">`,
  `<input autofocus onfocus="${hit}">`,
  `<select autofocus onfocus="${hit}"></select>`,
  `<textarea autofocus onfocus="${hit}"></textarea>`,
  `<details open ontoggle="${hit}"><summary>x</summary></details>`,
  `<video><source onerror="${hit}"></video>`,
  `<audio src=x onerror="${hit}"></audio>`,
  `<marquee onstart="${hit}">moving</marquee>`,
  `<div onmouseover="${hit}" style="position:fixed;inset:0">cover</div>`,
  `<a href="#" onclick="${hit}">click</a>`,
  `<x onclick=${hit}>custom</x>`,
  `<p onpointerenter="${hit}">pointer</p>`,
  // SVG and MathML.
  `<svg><script>${hit}</script></svg>`,
  `<svg><animate onbegin="${hit}" attributeName="x" dur="1s"/></svg>`,
  `<svg><a xlink:href="javascript:${hit}"><text x="20" y="20">svg link</text></a></svg>`,
  `<svg><foreignObject><iframe srcdoc="<script>parent.__xss++</script>"></iframe></foreignObject></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${hit}">`,
  // javascript:, data: and vbscript: links, in Markdown and in HTML.
  `<a href="javascript:${hit}">html link</a>`,
  `<a href="JaVaScRiPt:${hit}">mixed case html</a>`,
  `<a href=" javascript:${hit}">leading space</a>`,
  `<a href="jav&#x09;ascript:${hit}">tab entity</a>`,
  `<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:${hit}">hex entities</a>`,
  `<a href="&#106;avascript:${hit}">decimal entity</a>`,
  `<a href="vbscript:msgbox(1)">vbscript</a>`,
  `<a href="data:text/html,<script>${hit}</script>">data html</a>`,
  `[markdown link](javascript:${hit})`,
  `[mixed case](JaVaScRiPt:${hit})`,
  `[entity](&#106;avascript:${hit})`,
  `[colon entity](javascript&colon;${hit})`,
  `[data link](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3MrKzwvc2NyaXB0Pg==)`,
  `[vbscript](vbscript:msgbox(1))`,
  `[quoted "title"](javascript:${hit} "a 'nested' \\"quote\\"")`,
  `[ref link][evil]\n\n[evil]: javascript:${hit}`,
  // Markdown images, autolinks and linkified text.
  `![image](x" onerror="${hit})`,
  `![image](javascript:${hit})`,
  `![remote](https://example.invalid/x.png "title\\" onerror=\\"${hit}")`,
  `<javascript:${hit}>`,
  `<https://example.org/" onmouseover="${hit}>`,
  `https://example.org/?q="><script>${hit}</script>`,
  `www.example.org/<img src=x onerror=${hit}>`,
  // Frames, objects, embeds, forms, meta, base, style.
  `<iframe src="javascript:${hit}"></iframe>`,
  `<iframe srcdoc="<script>parent.__xss++</script>"></iframe>`,
  `<object data="javascript:${hit}"></object>`,
  `<embed src="javascript:${hit}">`,
  `<form action="javascript:${hit}"><button>go</button></form>`,
  `<button formaction="javascript:${hit}">go</button>`,
  `<meta http-equiv="refresh" content="0;url=javascript:${hit}">`,
  `<base href="javascript:${hit}//">`,
  `<link rel="stylesheet" href="data:text/css,*{}">`,
  `<div style="background:url(javascript:${hit})">style url</div>`,
  `<p style="width:expression(${hit})">expression</p>`,
  `<style>@import 'javascript:${hit}';</style>`,
  `<table background="javascript:${hit}"><tr><td>x</td></tr></table>`,
  // Entities and code: shown as text, never run.
  `&lt;script&gt;${hit}&lt;/script&gt;`,
  `&#60;img src=x onerror=${hit}&#62;`,
  `\`<script>${hit}</script>\``,
  `\`\`\`html\n<script>${hit}</script>\n\`\`\``,
  `    <img src=x onerror=${hit}>`,
  `> <iframe src="javascript:${hit}"></iframe>`,
  `- <img src=x onerror=${hit}>\n- [list link](javascript:${hit})`,
  `**<svg onload=${hit}>**`,
];

/** Payloads per story: many at once keeps the run fast; each story also gets a reply of other payloads. */
const perStory = 5;

const { platform, openPage, visit } = useBrowserPlatform({
  // A new member's first story would wait for a moderator: here every story is shared at once.
  env: { REGISTER_LIMIT_PER_HOUR: '1000', NEW_MEMBER_LINK_WAIT_HOURS: '0' },
});

/** A signed-in member's page that counts any script a payload manages to run, and any request off-site. */
async function memberPage(displayName: string) {
  const { page, errors } = await openPage();
  await page.addInitScript(() => {
    const counted = window as unknown as { __xss: number };
    counted.__xss = 0;
    const count = () => {
      counted.__xss += 1;
    };
    window.alert = count;
    window.confirm = () => {
      count();
      return false;
    };
    window.prompt = () => {
      count();
      return null;
    };
  });
  const offsite: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(platform().url) && !url.startsWith('data:')) offsite.push(url);
  });
  const answer = await page.context().request.post(`${platform().url}/api/auth/register`, {
    headers: { origin: platform().url },
    data: { username: `${displayName.toLowerCase()}_${Date.now().toString(36)}`, password, displayName },
  });
  expect(answer.status(), await answer.text()).toBe(201);
  return { page, errors, offsite };
}

async function post<T>(page: Page, path: string, data: unknown): Promise<T> {
  const answer = await page.context().request.post(`${platform().url}${path}`, {
    headers: { origin: platform().url },
    data,
  });
  expect(answer.status(), `${path}: ${await answer.text()}`).toBe(201);
  return (await answer.json()) as T;
}

/** How many payloads ran on the page so far, and what dangerous markup survived in it. */
async function inspect(page: Page, path: string) {
  // Give handlers that fire late (load, focus, animation begin) a moment to try.
  await page.waitForTimeout(300);
  const found = await page.evaluate(() => {
    const dangerous: string[] = [];
    for (const element of document.querySelectorAll('main *')) {
      const tag = element.tagName.toLowerCase();
      if (
        ['script', 'iframe', 'object', 'embed', 'svg', 'math', 'style', 'meta', 'base', 'link', 'img'].includes(tag)
      ) {
        dangerous.push(`<${tag}>`);
      }
      for (const attribute of element.attributes) {
        const value = attribute.value.replace(/[\s\p{Cc}]/gu, '').toLowerCase();
        if (attribute.name.startsWith('on') || attribute.name === 'style' || attribute.name === 'srcdoc') {
          dangerous.push(`${tag}[${attribute.name}]`);
        }
        if (/^(javascript|data|vbscript):/.test(value)) dangerous.push(`${tag}[${attribute.name}=${value}]`);
      }
    }
    return { ran: (window as unknown as { __xss: number }).__xss, dangerous };
  });
  return { path, ...found };
}

describe('stories and replies written to attack other members', () => {
  it(`run none of ${payloads.length} payloads, in a story's title, body or replies`, async () => {
    expect(payloads.length).toBeGreaterThanOrEqual(50);
    const writer = await memberPage('Writer');
    const reader = await memberPage('Reader');

    const storyIds: string[] = [];
    for (let start = 0; start < payloads.length; start += perStory) {
      const chunk = payloads.slice(start, start + perStory);
      const { story } = await post<{ story: { id: string; status: string } }>(writer.page, '/api/stories', {
        title: chunk[0]!.slice(0, 140),
        body: chunk.join('\n\n'),
        tags: [],
        contentWarnings: [],
        anonymous: false,
      });
      expect(story.status).toBe('published');
      storyIds.push(story.id);
      // The reply carries the next payloads along, so each one is tried in a story and in a reply.
      const replyChunk = [...payloads.slice(start + perStory), ...payloads].slice(0, perStory);
      await post(reader.page, `/api/stories/${story.id}/replies`, { body: replyChunk.join('\n\n') });
    }

    const seen: Awaited<ReturnType<typeof inspect>>[] = [];
    for (const id of storyIds) {
      await visit(reader.page, `/stories/${id}`, reader.errors, '.story-text');
      seen.push(await inspect(reader.page, `/stories/${id}`));
    }
    // The lists show the titles and plain-text excerpts; the author's own page also keeps the Markdown to edit.
    await visit(reader.page, '/stories', reader.errors, 'main article');
    seen.push(await inspect(reader.page, '/stories'));
    await visit(writer.page, '/stories/mine', writer.errors, 'main article');
    seen.push(await inspect(writer.page, '/stories/mine'));
    await visit(writer.page, `/stories/${storyIds[0]}`, writer.errors, '.story-text');
    seen.push(await inspect(writer.page, `/stories/${storyIds[0]} (its author)`));
    const edit = `/stories/${storyIds[1]}/edit`;
    await visit(writer.page, edit, writer.errors, 'textarea');
    await writer.page.getByText('Preview your story').click();
    await writer.page.locator('.preview-text').waitFor();
    seen.push(await inspect(writer.page, edit));

    expect(seen.filter((entry) => entry.ran > 0 || entry.dangerous.length > 0)).toEqual([]);
    expect(reader.errors).toEqual([]);
    expect(writer.errors).toEqual([]);
    expect([...reader.offsite, ...writer.offsite]).toEqual([]);
  });
});
