// The entry of an export render worker (render-pool.ts). A worker thread starts without the
// TypeScript loader its parent may run under (tsx, Vitest): register it here, then load the
// renderer. Kept as plain JavaScript so that Node can start it as is.
import { register } from 'tsx/esm/api';

register();
await import('./render-worker.ts');
