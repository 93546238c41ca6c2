// The Electron main process: one window, its CSP, and the IPC bridge to a core Session.
// Kept thin on purpose: everything it does is also reachable (and tested) through browser mode.

import { app, BrowserWindow, ipcMain, session as electronSession, shell, type WebContents } from 'electron'
import { join } from 'node:path'
import { loadAddon } from '../../native/index'
import { ELECTRON_EVENT, ELECTRON_INVOKE, type EventEnvelope } from '../../src-common/contract/contract'
import { ProcessHub } from '../core/processHub'
import { Session } from '../core/session'
import { printToPdf } from './printToPdf'
import { version } from '../../package.json'

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'"
const sessions = new Map<number, Session>()
let processes: ProcessHub | undefined

function sessionFor(contents: WebContents): Session {
  let s = sessions.get(contents.id)
  if (!s) {
    const addon = loadAddon()
    // Every window shares one process list: one snapshot per interval however many are open.
    processes ??= new ProcessHub(addon)
    s = new Session({ addon, processes, mode: 'electron', version, printPdf: printToPdf }, (event, payload) => {
      if (!contents.isDestroyed()) contents.send(ELECTRON_EVENT, { event, payload } satisfies EventEnvelope)
    })
    sessions.set(contents.id, s)
    contents.once('destroyed', () => {
      sessions.get(contents.id)?.close()
      sessions.delete(contents.id)
    })
  }
  return s
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'Snapscope',
    webPreferences: {
      preload: join(__dirname, '../preload/index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false
    }
  })
  // The renderer never navigates or opens windows; links go to the system browser.
  win.webContents.on('will-navigate', (e) => e.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL)
  else void win.loadFile(join(__dirname, '../renderer/index.html'))
}

void app.whenReady().then(() => {
  electronSession.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
  ipcMain.handle(ELECTRON_INVOKE, (event, raw: unknown) => sessionFor(event.sender).handle(raw))
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
