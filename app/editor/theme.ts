/**
 * Lexical theme: the CSS classes (all prefixed `ed-`, styled in app/styles/editor.css) that the
 * editor puts on the elements it renders. Rendering a saved post elsewhere can reuse them.
 */
import type { EditorThemeClasses } from 'lexical';

export const editorTheme: EditorThemeClasses = {
  root: 'ed-root',
  paragraph: 'ed-p',
  quote: 'ed-quote',
  link: 'ed-link',
  list: {
    ul: 'ed-ul',
    ol: 'ed-ol',
    listitem: 'ed-li',
    nested: { listitem: 'ed-li-nested' },
  },
  text: {
    bold: 'ed-bold',
    italic: 'ed-italic',
  },
};
