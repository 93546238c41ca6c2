// The Electron main process: one window, its CSP, and the IPC bridge to a core Session.
// Kept thin on purpose: everything it does is also reachable (and tested) through browser mode.

import { app, BrowserWindow, ipcMain, session as electronSession, shell, type WebContents } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { loadAddon } from '../../native/index'
import { ELECTRON_MESSAGE, ELECTRON_SEND } from '../../src-common/contract/contract'
import { ProcessHub } from '../core/processHub'
import { Session } from '../core/session'
import { printToPdf } from './printToPdf'
import { senderAllowed } from './senderFrame'
import { version } from '../../package.json'

const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'"
const sessions = new Map<number, Session>()
// The page our windows load, and the contents of those windows: IPC from anything else is refused.
const PAGE = process.env.ELECTRON_RENDERER_URL ?? pathToFileURL(join(__dirname, '../renderer/index.html')).href
const ourContents = new WeakSet<WebContents>()
let processes: ProcessHub | undefined

function sessionFor(contents: WebContents): Session {
  let s = sessions.get(contents.id)
  if (!s) {
    const addon = loadAddon()
    // Every window shares one process list: one snapshot per interval however many are open.
    processes ??= new ProcessHub(addon)
    // Messages go as structured clones: the bytes of a download arrive as a Uint8Array, the error code as a field.
    s = new Session({ addon, processes, mode: 'electron', version, printPdf: printToPdf }, (message) => {
      if (!contents.isDestroyed()) contents.send(ELECTRON_MESSAGE, message)
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
  ourContents.add(win.webContents)
  // The renderer never navigates or opens windows; links go to the system browser.
  win.webContents.on('will-navigate', (e) => e.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  void win.loadURL(PAGE)
}

void app.whenReady().then(() => {
  electronSession.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
  ipcMain.on(ELECTRON_SEND, (event, raw: unknown) => {
    if (!senderAllowed(event.senderFrame, ourContents.has(event.sender), PAGE)) {
      const id = (raw as { id?: unknown })?.id
      const message = `IPC refused: only the Snapscope page in the top frame of its window may call (${event.senderFrame?.url ?? 'frame gone'})`
      event.reply(ELECTRON_MESSAGE, { id: typeof id === 'number' ? id : -1, ok: false, error: { code: 'EPERM', message } })
      return
    }
    sessionFor(event.sender).receive(raw)
  })
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
