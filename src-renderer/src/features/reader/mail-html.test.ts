// @vitest-environment jsdom
/**
 * Hostile mail HTML through the real DOMPurify configuration: what survives must be inert in a
 * frame without scripts, and every rewrite must have happened during sanitization.
 */
import { describe, expect, it } from 'vitest';
import { mountSanitizedMail, sanitizeMailHtml, type InlineParts } from './mail-html.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_URI = 'data:image/png;base64,iVBORw0KGgo=';
const NO_PARTS: InlineParts = new Map();

function clean(html: string, parts: InlineParts = NO_PARTS) {
  return sanitizeMailHtml(html, parts);
}

/** Everything that could run script or leave the frame, anywhere in the result. */
function dangers(body: HTMLElement): string[] {
  const found: string[] = [];
  for (const element of [body, ...body.querySelectorAll('*')]) {
    const tag = element.localName;
    if (
      /^(script|iframe|frame|object|embed|form|input|button|textarea|select|base|meta|svg|math)$/.test(
        tag,
      )
    ) {
      found.push(`<${tag}>`);
    }
    for (const attr of element.attributes) {
      if (/^on/i.test(attr.name)) found.push(`${tag}[${attr.name}]`);
      if (/^\s*(javascript|vbscript|data:text)/i.test(attr.value)) {
        found.push(`${tag}[${attr.name}=${attr.value}]`);
      }
    }
  }
  return found;
}

describe('sanitizeMailHtml: script', () => {
  it('drops <script> and every event handler attribute', () => {
    const { body } = clean(
      '<p onclick="alert(1)">Hi</p><script>alert(1)</script>' +
        '<img src="https://x.test/a.png" onerror="alert(1)" onload="alert(2)">' +
        '<div style="color:red" onmouseover="alert(3)">x</div>',
    );
    expect(dangers(body)).toEqual([]);
    expect(body.textContent).toBe('Hix');
    expect(body.querySelector('img')?.getAttribute('src')).toBe('https://x.test/a.png');
    expect(body.querySelector('div')?.getAttribute('style')).toBe('color:red');
  });

  it('drops the handlers of the mail <body> but keeps its presentation', () => {
    const { body } = clean(
      '<html><head><title>T</title></head><body bgcolor="#eee" onload="alert(1)">Text</body></html>',
    );
    expect(body.getAttribute('bgcolor')).toBe('#eee');
    expect(body.hasAttribute('onload')).toBe(false);
    expect(body.textContent).toBe('Text');
  });

  it('drops frames, plugins, forms and their controls, keeping their text', () => {
    const { body } = clean(
      '<iframe src="https://x.test/"></iframe><frameset><frame src="x"></frameset>' +
        '<object data="x.swf"></object><embed src="x.swf">' +
        '<form action="https://evil.test/steal"><input name="password"><textarea>old</textarea>' +
        '<select><option>one</option></select><button formaction="https://evil.test">Send</button></form>',
    );
    expect(dangers(body)).toEqual([]);
    expect(body.textContent).toBe('oldoneSend');
  });

  it('drops <base> and <meta http-equiv=refresh>, wherever they are', () => {
    const { body } = clean(
      '<html><head><base href="https://evil.test/"><meta http-equiv="refresh" content="0;url=https://evil.test/">' +
        '</head><body><meta http-equiv="refresh" content="0"><a href="https://ok.test/">ok</a></body></html>',
    );
    expect(dangers(body)).toEqual([]);
    expect(body.querySelector('a')?.getAttribute('href')).toBe('https://ok.test/');
  });

  it('drops SVG and MathML altogether, script and all', () => {
    const { body } = clean(
      '<svg><script>alert(1)</script><a xlink:href="javascript:alert(2)"><text>t</text></a>' +
        '<animate attributeName="href" to="javascript:alert(3)"/></svg>' +
        '<svg onload="alert(4)"></svg><math><mi xlink:href="javascript:alert(5)">m</mi></math>ok',
    );
    expect(dangers(body)).toEqual([]);
    expect(body.innerHTML).toBe('ok');
  });
});

describe('sanitizeMailHtml: mutation XSS classics', () => {
  const classics = [
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=alert(1)>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>',
    '<svg><p><style><g title="</style><img src=x onerror=alert(1)>">',
    '<template><style></template><img src=x onerror=alert(1)></style></template>',
    '<a href="java&#x09;script:alert(1)">x</a><a href="&#106;avascript:alert(1)">y</a>',
    '<!--<img src=x onerror=alert(1)>--><p>after</p>',
  ];
  it.each(classics)('%s', (html) => {
    const { body } = clean(html);
    expect(dangers(body)).toEqual([]);
    // Imported as DOM, nothing is parsed again: the same check holds in the frame document.
    const doc = document.implementation.createHTMLDocument('');
    expect(dangers(mountSanitizedMail(doc, clean(html)))).toEqual([]);
  });
});

describe('sanitizeMailHtml: links', () => {
  it('keeps http, https and mailto links', () => {
    const { body } = clean(
      '<a href="http://a.test/x">1</a><a href="https://b.test/?q=1#f">2</a>' +
        '<a href="mailto:someone@c.test?subject=hi">3</a>',
    );
    expect([...body.querySelectorAll('a')].map((a) => a.getAttribute('href'))).toEqual([
      'http://a.test/x',
      'https://b.test/?q=1#f',
      'mailto:someone@c.test?subject=hi',
    ]);
  });

  it.each([
    'javascript:alert(1)',
    ' JaVaScRiPt:alert(1)',
    'java\nscript:alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'data:image/png;base64,iVBORw0KGgo=',
    'smb://evil.test/share/payload.exe',
    'file:///etc/passwd',
    'ftp://files.test/x',
    'tel:+100',
    'ms-msdt:/id PCWDiagnostic',
    'cid:part@x',
    '#section',
    '/relative/path',
    'relative.html',
  ])('removes the href %j and keeps the text', (href) => {
    const { body } = clean(`<a href="${href}" target="_blank">text</a>`);
    const link = body.querySelector('a');
    expect(link?.hasAttribute('href')).toBe(false);
    expect(link?.hasAttribute('target')).toBe(false);
    expect(link?.textContent).toBe('text');
  });

  it('treats image-map areas like links', () => {
    const { body } = clean(
      '<map name="m"><area href="javascript:alert(1)"><area href="https://ok.test/"></map>',
    );
    expect([...body.querySelectorAll('area')].map((a) => a.getAttribute('href'))).toEqual([
      null,
      'https://ok.test/',
    ]);
  });
});

describe('sanitizeMailHtml: images and remote content', () => {
  it('keeps remote images as they are (the frame policy decides) and counts them', () => {
    const result = clean(
      '<img src="https://t.test/pixel.gif"><img src="http://t.test/a.png">' +
        '<table background="https://t.test/bg.png"><tr><td>x</td></tr></table>' +
        '<picture><source srcset="https://t.test/a.webp 1x, https://t.test/b.webp 2x"><img src="data:image/gif;base64,R0lGOD"></picture>',
    );
    const srcs = [...result.body.querySelectorAll('img')].map((img) => img.getAttribute('src'));
    expect(srcs).toEqual([
      'https://t.test/pixel.gif',
      'http://t.test/a.png',
      'data:image/gif;base64,R0lGOD',
    ]);
    expect(result.body.querySelector('table')?.getAttribute('background')).toBe(
      'https://t.test/bg.png',
    );
    expect(result.body.querySelector('source')?.getAttribute('srcset')).toContain('b.webp 2x');
    expect(result.remoteResources).toBe(4);
  });

  it('removes image sources that are neither remote nor data:image', () => {
    const result = clean(
      '<img src="data:text/html,<script>alert(1)</script>"><img src="/assets/app.js">' +
        '<img src="file:///etc/passwd"><img src="javascript:alert(1)"><img srcset="data:image/png;base64,AA 1x">' +
        '<table background="smb://evil.test/x.png"></table>',
    );
    expect(dangers(result.body)).toEqual([]);
    for (const img of result.body.querySelectorAll('img')) {
      expect(img.hasAttribute('src') || img.hasAttribute('srcset')).toBe(false);
    }
    expect(result.body.querySelector('table')?.hasAttribute('background')).toBe(false);
    expect(result.remoteResources).toBe(0);
  });

  it('turns cid: images into data: URIs of the message parts, and drops unknown ones', () => {
    const parts: InlineParts = new Map([
      ['logo@mail.test', { contentType: 'image/png; name="logo.png"', data: PNG }],
      ['Photo@Mail.Test', { contentType: 'IMAGE/PNG', data: PNG }],
      ['page@mail.test', { contentType: 'text/html', data: new TextEncoder().encode('<b>') }],
    ]);
    const result = clean(
      '<img id="a" src="cid:logo@mail.test"><img id="b" src="CID:%3Cphoto@mail.test%3E">' +
        '<img id="c" src="cid:nobody@mail.test"><img id="d" src="cid:page@mail.test">' +
        '<table id="e" background="cid:logo@mail.test"></table>',
      parts,
    );
    const attr = (id: string, name: string) =>
      result.body.querySelector(`#${id}`)?.getAttribute(name) ?? null;
    expect(attr('a', 'src')).toBe(PNG_URI);
    expect(attr('b', 'src')).toBe(PNG_URI);
    expect(attr('c', 'src')).toBeNull();
    expect(attr('d', 'src')).toBeNull();
    expect(attr('e', 'background')).toBe(PNG_URI);
    expect([...result.usedContentIds].sort()).toEqual(['Photo@Mail.Test', 'logo@mail.test']);
    expect(result.remoteResources).toBe(0);
  });

  it('turns url(cid:…) in styles into data: URIs too', () => {
    const parts: InlineParts = new Map([['bg@x', { contentType: 'image/png', data: PNG }]]);
    const { body } = clean(
      '<style>.hero { background: url("cid:bg@x") }</style>' +
        '<div style="background-image: url(cid:bg@x)">a</div><div style="background: url(\'cid:none@x\')">b</div>',
      parts,
    );
    expect(body.querySelector('style')?.textContent).toBe(
      `.hero { background: url("${PNG_URI}") }`,
    );
    const [first, second] = body.querySelectorAll('div');
    expect(first?.getAttribute('style')).toContain(PNG_URI);
    expect(second?.getAttribute('style')).not.toContain('cid:');
  });
});

describe('sanitizeMailHtml: styles', () => {
  it('keeps <style> from the head and the body', () => {
    const { body } = clean(
      '<html><head><style>p { color: red }</style></head><body><style>b { color: blue }</style><p>x</p></body></html>',
    );
    expect([...body.querySelectorAll('style')].map((s) => s.textContent)).toEqual([
      'p { color: red }',
      'b { color: blue }',
    ]);
  });

  it('keeps only http(s) stylesheet links, which load once remote content is allowed', () => {
    const result = clean(
      '<html><head><link rel="stylesheet" href="https://fonts.test/a.css">' +
        '<link rel="stylesheet" href="/assets/index.css"><link rel="stylesheet" href="data:text/css,p{}">' +
        '<link rel="stylesheet" href="javascript:alert(1)"><link rel="icon" href="https://x.test/i.png">' +
        '<link rel="preload" href="https://x.test/a.js" as="script"><link rel="import" href="https://x.test/a.html">' +
        '<link rel="stylesheet alternate" href="https://x.test/b.css"></head><body>x</body></html>',
    );
    const links = [...result.body.querySelectorAll('link')];
    expect(links.map((link) => link.getAttribute('href'))).toEqual(['https://fonts.test/a.css']);
    expect(result.remoteResources).toBe(1);
  });

  it('does not turn the head title into body text', () => {
    const { body } = clean(
      '<html><head><title>Secret subject</title></head><body>Hi</body></html>',
    );
    expect(body.textContent).toBe('Hi');
  });
});

describe('sanitizeMailHtml: DOM clobbering', () => {
  it('removes ids and names that would shadow document properties', () => {
    const { body } = clean(
      '<img name="body" src="https://x.test/a.png"><a id="addEventListener">x</a><p id="intro">y</p>',
    );
    expect(body.querySelector('img')?.hasAttribute('name')).toBe(false);
    expect(body.querySelector('a')?.hasAttribute('id')).toBe(false);
    expect(body.querySelector('p')?.id).toBe('intro');
  });
});

describe('mountSanitizedMail', () => {
  it('replaces the frame body with the sanitized one, cloned into the frame document', () => {
    const doc = document.implementation.createHTMLDocument('');
    doc.body.innerHTML = '<p>old</p>';
    const sanitized = clean('<body bgcolor="#fff"><p>new</p></body>');
    const body = mountSanitizedMail(doc, sanitized);
    expect(doc.body).toBe(body);
    expect(body.ownerDocument).toBe(doc);
    expect(body.getAttribute('bgcolor')).toBe('#fff');
    expect(doc.body.innerHTML).toBe('<p>new</p>');
    expect(doc.querySelectorAll('body')).toHaveLength(1);
  });
});
