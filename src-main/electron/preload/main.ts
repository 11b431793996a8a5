import { contextBridge, ipcRenderer } from 'electron';
import { exposeBridge } from './index.ts';

exposeBridge(contextBridge, ipcRenderer);
