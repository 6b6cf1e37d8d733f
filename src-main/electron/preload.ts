import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ChangeNotice, DeskBridge } from '../contract/bridge';
import { CHANGE_CHANNEL, INVOKE_CHANNEL } from './channels';

/**
 * Sandboxed preload: the page gets two functions and never ipcRenderer itself (the
 * electron-vite template's `electronAPI` would hand it every channel). The listener is
 * wrapped so the page never sees the IpcRendererEvent (which carries `sender`).
 */
const api: DeskBridge = {
  invoke: (method, input) => ipcRenderer.invoke(INVOKE_CHANNEL, String(method), input),
  onChange: (listener) => {
    const wrapped = (_event: IpcRendererEvent, notice: ChangeNotice | null) => listener(notice);
    ipcRenderer.on(CHANGE_CHANNEL, wrapped);
    return () => {
      ipcRenderer.removeListener(CHANGE_CHANNEL, wrapped);
    };
  },
};

contextBridge.exposeInMainWorld('api', api);
