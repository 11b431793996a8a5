// @vitest-environment jsdom
/** PlainTextBody in a DOM: links go through onOpenLink, markup stays text, quotes fold. */
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { PlainTextBody } from './PlainTextBody.tsx';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;

beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

function render(text: string, onOpenLink = vi.fn()) {
  act(() => root.render(<PlainTextBody text={text} onOpenLink={onOpenLink} />));
  return onOpenLink;
}

it('opens links through onOpenLink and never navigates', () => {
  const onOpenLink = render('Go to https://example.com/a or mail bob@example.com');
  const [web, mail] = container.querySelectorAll('a');
  const click = new MouseEvent('click', { bubbles: true, cancelable: true });
  act(() => web?.dispatchEvent(click));
  expect(click.defaultPrevented).toBe(true);
  act(() => mail?.click());
  expect(onOpenLink.mock.calls).toEqual([['https://example.com/a'], ['mailto:bob@example.com']]);
});

it('shows markup as text', () => {
  render('<img src=x onerror="alert(1)"><script>alert(2)</script>');
  expect(container.querySelector('img, script')).toBeNull();
  expect(container.textContent).toBe('<img src=x onerror="alert(1)"><script>alert(2)</script>');
});

it('folds quoted text into a closed <details>', () => {
  render('Yes.\n\n> Shall we?\n> Tomorrow');
  const details = container.querySelector('details');
  expect(details?.open).toBe(false);
  expect(details?.querySelector('summary')?.textContent).toBe('Show quoted text');
  expect(details?.textContent).toContain('> Shall we?\n> Tomorrow');
});
