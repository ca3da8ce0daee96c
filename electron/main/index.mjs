// Electron entry (package.json "main"): registers the TypeScript loader, then starts the app.
import { register } from 'tsx/esm/api';

register();
const electron = await import('electron');
const { runApp } = await import('./main.ts');
await runApp(electron.default ?? electron);
