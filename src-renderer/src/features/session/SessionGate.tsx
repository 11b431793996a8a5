/**
 * What a tab shows while it is not the one UI attached to Petrel: connecting, open in another tab
 * (with a way to take over), displaced by another tab, or the host has stopped.
 */
import type { HostState } from '../../bridge/websocket-bridge.ts';
import { takeOverHere } from '../../bridge/index.ts';

export function SessionGate({ state }: { state: Exclude<HostState, 'active'> }) {
  if (state === 'connecting') {
    return (
      <main className="centered">
        <p role="status">Connecting to Petrel…</p>
      </main>
    );
  }
  const copy = COPY[state];
  return (
    <main className="centered" aria-labelledby="gate-title">
      <section className="card">
        <h1 id="gate-title">{copy.title}</h1>
        <p>{copy.body}</p>
        {state !== 'disconnected' && (
          <button type="button" className="primary" onClick={() => takeOverHere(state)}>
            Use Petrel here
          </button>
        )}
      </section>
    </main>
  );
}

const COPY = {
  elsewhere: {
    title: 'Petrel is open in another tab',
    body: 'Only one tab at a time can keep your mail in sync. Switch to that tab, or use Petrel here instead; the other tab will stop.',
  },
  displaced: {
    title: 'Petrel was opened in another tab',
    body: 'This tab stopped so that the other one can keep your mail in sync.',
  },
  disconnected: {
    title: 'Petrel is not running',
    body: 'Start Petrel again (npm run serve) and open the link it prints.',
  },
} as const;
