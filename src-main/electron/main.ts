/**
 * The Electron shell: lifecycle, the main window and composer windows, the app:// protocol, IPC and
 * the system's mailto: links. Everything else is the core, shared with browser mode.
 */
import { app, BrowserWindow, ipcMain, powerMonitor } from 'electron';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MailtoHandlerState } from '#shared/dto';
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
/** mailto: links that came before the core started (the first launch's own, macOS open-url). */
const earlyMailto: string[] = [];

registerAppScheme();
app.setName('Petrel');

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A mailto: link opened while Petrel runs starts a second instance (Windows, Linux) with the link
  // in its arguments; macOS sends open-url instead, also before the app is ready.
  app.on('second-instance', (_event, argv) => {
    focusMainWindow();
    const url = mailtoArgument(argv);
    if (url) openMailto(url);
  });
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openMailto(url);
  });
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
    desktop: {
      // The dock (macOS) or launcher (Unity-compatible Linux desktops) badge.
      setUnreadCount: (count) => void app.setBadgeCount(count),
      mailtoHandler: mailtoHandlerState,
      setMailtoHandler: (on) => {
        const [path, args] = launchCommand();
        if (on) app.setAsDefaultProtocolClient('mailto', path, args);
        else app.removeAsDefaultProtocolClient('mailto', path, args);
        return mailtoHandlerState();
      },
      openComposerWindow: (draftId) => void openComposerWindow(draftId),
    },
  });
  const first = mailtoArgument(process.argv);
  if (first) earlyMailto.push(first);
  for (const url of earlyMailto.splice(0)) core.openMailto(url);
  registerIpc(ipcMain, core.api, trustedSenderCheck(devServerUrl), stderrLogger);
  powerMonitor.on('resume', () => core?.wake());
  await createMainWindow();
}

/** Every window's security settings: isolated, sandboxed, no Node. */
const webPreferences = (): Electron.WebPreferences => ({
  preload: join(here, '../preload/index.cjs'),
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  webSecurity: true,
  spellcheck: true,
});

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
    webPreferences: webPreferences(),
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

/** Composer windows by draft: opening a draft that has a window focuses that window. */
const composerWindows = new Map<string, BrowserWindow>();

/**
 * A composer in a window of its own. It reads its draft from the same cache (saved there by the
 * window that asked) and queues the message there; the main window, the cache writer, sends it.
 */
async function openComposerWindow(draftId: string): Promise<void> {
  const open = composerWindows.get(draftId);
  if (open && !open.isDestroyed()) {
    open.focus();
    return;
  }
  const window = new BrowserWindow({
    width: 760,
    height: 640,
    minWidth: 480,
    minHeight: 360,
    title: 'New message',
    backgroundColor: '#f6f7f9',
    icon: join(here, '../../assets/icon.png'),
    webPreferences: webPreferences(),
  });
  composerWindows.set(draftId, window);
  window.on('closed', () => composerWindows.delete(draftId));
  const page = devServerUrl ?? `${APP_ORIGIN}/index.html`;
  await window.loadURL(`${page}#compose=${encodeURIComponent(draftId)}`);
}

function openMailto(url: string): void {
  if (core) core.openMailto(url);
  else earlyMailto.push(url);
}

function mailtoHandlerState(): MailtoHandlerState {
  const [path, args] = launchCommand();
  return { supported: true, isDefault: app.isDefaultProtocolClient('mailto', path, args) };
}

/** How the system starts Petrel: unpackaged (npm run dev), Electron with the app's path. */
function launchCommand(): [string | undefined, string[] | undefined] {
  if (app.isPackaged) return [undefined, undefined];
  return [process.execPath, [resolve(process.argv[1] ?? '.')]];
}

/** The mailto: URL among a launch's arguments, if any. */
function mailtoArgument(argv: readonly string[]): string | undefined {
  return argv.find((arg) => /^mailto:/i.test(arg));
}

function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}
