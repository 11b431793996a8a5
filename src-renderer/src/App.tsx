import { useUiStore } from './state/store.ts';
import { SessionGate } from './features/session/SessionGate.tsx';
import { Workspace } from './features/accounts/Workspace.tsx';
import { getConnection } from './bridge/index.ts';
import { ComposerWindow } from './features/composer/ComposerWindow.tsx';
import { composerWindowDraftId } from './features/composer/windows.ts';

// Connect once, before the first render, so the gate reflects the real state from the start.
getConnection();

/** A composer window (desktop app) shows only the composer of its draft. */
const composerDraftId = composerWindowDraftId();

export function App() {
  const hostState = useUiStore((s) => s.hostState);
  if (hostState !== 'active') return <SessionGate state={hostState} />;
  return composerDraftId ? <ComposerWindow draftId={composerDraftId} /> : <Workspace />;
}
