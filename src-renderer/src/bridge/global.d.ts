import type { PetrelBridge } from '#shared/contract';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode, where the WebSocket bridge is used. */
    readonly petrel?: PetrelBridge;
  }
}
