/**
 * Before the page's own code has loaded and hydrated (seconds on a slow link), a focus or touch
 * of a composer's plain textarea (`textarea.ed-textarea`) asks at once for every module of the
 * rich editor (`<link rel="modulepreload">`), so that they download alongside the page's code
 * instead of after it. Once hydrated, PostComposer's own `load` takes over (it skips links
 * already present). Renders nothing when `modules` is empty (readers who cannot write).
 */
import { useNonce } from '../utils/nonce';

/** The inline listener, with the module URLs as its argument (JSON, `<` escaped). */
function script(modules: string[]): string {
  const urls = JSON.stringify(modules).replace(/</g, '\\u003c');
  return (
    `(function(u){var d=document;function p(e){var t=e.target;if(!t||!t.classList||!t.classList.contains("ed-textarea"))return;` +
    `d.removeEventListener("focusin",p,true);d.removeEventListener("pointerdown",p,true);` +
    `u.forEach(function(h){if(d.head.querySelector('link[rel="modulepreload"][href="'+h+'"]'))return;` +
    `var l=d.createElement("link");l.rel="modulepreload";l.href=h;d.head.appendChild(l)})}` +
    `d.addEventListener("focusin",p,true);d.addEventListener("pointerdown",p,true)})(${urls});`
  );
}

/** `modules`: the editor's module URLs (app/editor/assets.server.ts `lazyModuleGraph`). */
export function EditorPreload({ modules }: { modules: string[] }) {
  const nonce = useNonce();
  if (!modules.length) return null;
  // suppressHydrationWarning: the browser hides a script's nonce from the DOM after parsing.
  return <script nonce={nonce || undefined} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: script(modules) }} />;
}
