/**
 * Remembers the main window's size, position and maximized state between launches, and never
 * restores it onto a display that is no longer attached.
 */
import type { BrowserWindow, Rectangle } from 'electron';
import { screen } from 'electron';
import { join } from 'node:path';
import { readJsonFile, writeJsonFile } from '../core/settings/json-file.ts';

interface WindowState {
  bounds?: Rectangle;
  maximized?: boolean;
}

const DEFAULT_SIZE = { width: 1280, height: 820 };

export async function loadWindowState(userDataDir: string): Promise<Required<WindowState>> {
  const saved = await readJsonFile<WindowState>(stateFile(userDataDir), {});
  const bounds = saved.bounds && isVisible(saved.bounds) ? saved.bounds : centered();
  return { bounds, maximized: saved.maximized ?? false };
}

export function trackWindowState(window: BrowserWindow, userDataDir: string): void {
  window.on('close', () => {
    const state: WindowState = {
      bounds: window.getNormalBounds(),
      maximized: window.isMaximized(),
    };
    void writeJsonFile(stateFile(userDataDir), state);
  });
}

function stateFile(userDataDir: string): string {
  return join(userDataDir, 'window-state.json');
}

function isVisible(bounds: Rectangle): boolean {
  const area = screen.getDisplayMatching(bounds).workArea;
  return (
    bounds.x < area.x + area.width &&
    bounds.x + bounds.width > area.x &&
    bounds.y < area.y + area.height &&
    bounds.y + bounds.height > area.y
  );
}

function centered(): Rectangle {
  const area = screen.getPrimaryDisplay().workArea;
  const width = Math.min(DEFAULT_SIZE.width, area.width);
  const height = Math.min(DEFAULT_SIZE.height, area.height);
  return {
    x: area.x + Math.round((area.width - width) / 2),
    y: area.y + Math.round((area.height - height) / 2),
    width,
    height,
  };
}
