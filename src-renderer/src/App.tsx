import { useUiStore } from './state/store.ts';
import { SessionGate } from './features/session/SessionGate.tsx';
import { Workspace } from './features/accounts/Workspace.tsx';
import { getConnection } from './bridge/index.ts';

// Connect once, before the first render, so the gate reflects the real state from the start.
getConnection();

export function App() {
  const hostState = useUiStore((s) => s.hostState);
  return hostState === 'active' ? <Workspace /> : <SessionGate state={hostState} />;
}
