/**
 * The Electron shell: lifecycle, the one main window, the app:// protocol and IPC. Everything else
 * is the core, shared with browser mode.
 */
import { app, BrowserWindow, ipcMain, powerMonitor } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, type PetrelCore } from '../core/petrel-core.ts';
import { stderrLogger } from '../core/ports.ts';
import { APP_ORIGIN, registerIpc, trustedSenderCheck, webContentsEventSink } from './ipc.ts';
import { registerAppScheme, serveRenderer } from './protocol.ts';
import { safeStorageSecrets } from './secrets.ts';
import { hardenWebContents } from './security.ts';
import { loadWindowState, trackWindowState } from './window-state.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
let mainWindow: BrowserWindow | undefined;
let core: PetrelCore | undefined;

registerAppScheme();
app.setName('Petrel');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', focusMainWindow);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createMainWindow();
  });
  app.on('will-quit', () => void core?.dispose());
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  hardenWebContents();
  serveRenderer(join(here, '../renderer'));
  core = createCore({
    profileDir: app.getPath('userData'),
    mode: 'electron',
    version: app.getVersion(),
    events: webContentsEventSink(() => mainWindow?.webContents),
    logger: stderrLogger,
    secrets: safeStorageSecrets(app.getPath('userData')),
    // The dock (macOS) or launcher (Unity-compatible Linux desktops) badge.
    desktop: { setUnreadCount: (count) => void app.setBadgeCount(count) },
  });
  registerIpc(ipcMain, core.api, trustedSenderCheck(devServerUrl), stderrLogger);
  powerMonitor.on('resume', () => core?.wake());
  await createMainWindow();
}

async function createMainWindow(): Promise<void> {
  const state = await loadWindowState(app.getPath('userData'));
  mainWindow = new BrowserWindow({
    ...state.bounds,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Petrel',
    backgroundColor: '#f6f7f9',
    icon: join(here, '../../assets/icon.png'),
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: true,
    },
  });
  trackWindowState(mainWindow, app.getPath('userData'));
  mainWindow.once('ready-to-show', () => {
    if (state.maximized) mainWindow?.maximize();
    mainWindow?.show();
  });
  mainWindow.on('closed', () => {
    mainWindow = undefined;
  });
  await mainWindow.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
}

function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}
