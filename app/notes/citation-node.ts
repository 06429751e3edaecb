/**
 * A citation in a synthesis note: an atomic inline marker ("[C-17]" for post 17, "[CS-4]" for case
 * study 4, "[CL-12]" for clip 12 of the compilation) pointing at the contribution a point draws
 * on, or at the clipped words of one. It is a token-mode text node (as
 * Lexical's mentions are), so the Yjs binding syncs it like text plus two properties, `__kind`
 * and `__targetId`; it is deleted as a whole and never typed into.
 *
 * The marker holds no attribution: who wrote the contribution is worked out when the note is read
 * (app/notes/citations.server.ts, through app/contributions/), from the contribution's own attribution choice, in the footnotes
 * under the note. Isomorphic: the browser editor and the server's headless editors register it.
 */
import {
  $applyNodeReplacement,
  isHTMLElement,
  TextNode,
  type DOMExportOutput,
  type EditorConfig,
  type LexicalEditor,
  type LexicalNode,
  type LexicalUpdateJSON,
  type NodeKey,
  type SerializedTextNode,
  type Spread,
} from 'lexical';
import { citationAnchor, citationKey, citationMarker, parseCitationKey, type NoteCitationKind, type NoteCitationRef } from '../contributions/refs';

export type SerializedCitationNode = Spread<{ kind: NoteCitationKind; targetId: number }, SerializedTextNode>;

export class CitationNode extends TextNode {
  __kind: NoteCitationKind;
  __targetId: number;

  static getType(): string {
    return 'citation';
  }

  static clone(node: CitationNode): CitationNode {
    return new CitationNode(node.__kind, node.__targetId, node.__text, node.__key);
  }

  constructor(kind: NoteCitationKind = 'post', targetId = 0, text?: string, key?: NodeKey) {
    super(text ?? `[${citationMarker(kind, targetId)}]`, key);
    this.__kind = kind;
    this.__targetId = targetId;
  }

  static importJSON(json: SerializedCitationNode): CitationNode {
    return $createCitationNode({ kind: json.kind, id: json.targetId }).updateFromJSON(json);
  }

  updateFromJSON(json: LexicalUpdateJSON<SerializedCitationNode>): this {
    return super.updateFromJSON(json).setMode('token');
  }

  exportJSON(): SerializedCitationNode {
    return { ...super.exportJSON(), kind: this.__kind, targetId: this.__targetId };
  }

  /**
   * A link to its footnote under the note, as in the server's HTML (`#source-post-17`): a reader
   * (read-only editor) reaches it with Tab and follows it with Enter; its name is the marker. The
   * element is the text node's own (no wrapper): TextNode.updateDOM then finds the text where it
   * expects it. Inside an editable area browsers do not follow links on click, so writing is
   * unaffected; editors reach the same footnotes in "Sources cited".
   */
  createDOM(config: EditorConfig): HTMLElement {
    const text = super.createDOM(config);
    const ref = this.getRef();
    const link = text.ownerDocument.createElement('a');
    for (const { name, value } of [...text.attributes]) link.setAttribute(name, value);
    link.append(...text.childNodes);
    link.href = `#${citationAnchor(ref)}`;
    link.classList.add('citation');
    link.dataset.citation = citationKey(ref);
    return link;
  }

  /** Copied, a citation is its marker as text: the footnote it links to is this page's only. */
  exportDOM(editor: LexicalEditor): DOMExportOutput {
    const output = super.exportDOM(editor);
    const link = output.element;
    if (!isHTMLElement(link) || link.tagName !== 'A') return output;
    const span = link.ownerDocument.createElement('span');
    for (const { name, value } of [...link.attributes]) if (name !== 'href') span.setAttribute(name, value);
    span.append(...link.childNodes);
    return { ...output, element: span };
  }

  getRef(): NoteCitationRef {
    const self = this.getLatest();
    return { kind: self.__kind, id: self.__targetId };
  }

  isTextEntity(): true {
    return true;
  }

  canInsertTextBefore(): false {
    return false;
  }

  canInsertTextAfter(): false {
    return false;
  }
}

export function $createCitationNode(ref: NoteCitationRef): CitationNode {
  return $applyNodeReplacement(new CitationNode(ref.kind, ref.id)).setMode('token');
}

export const $isCitationNode = (node: LexicalNode | null | undefined): node is CitationNode => node instanceof CitationNode;

/**
 * In an editor that may edit: a citation whose text or mode a co-editor altered (through raw
 * Yjs) gets its marker back, and one without a valid target is removed. The server never reads
 * the text anyway; this keeps what co-editors see honest too.
 */
export function registerCitationRules(editor: LexicalEditor): () => void {
  return editor.registerNodeTransform(CitationNode, (node) => {
    if (!editor.isEditable()) return; // a reader's change would be refused by the server
    const ref = parseCitationKey(citationKey(node.getRef()));
    if (!ref) {
      node.remove();
      return;
    }
    const marker = `[${citationMarker(ref.kind, ref.id)}]`;
    if (node.getTextContent() !== marker) node.setTextContent(marker);
    if (node.getMode() !== 'token') node.setMode('token');
    if (node.getFormat() !== 0) node.setFormat(0);
  });
}

/** The valid citations of a note's Lexical JSON, in reading order, each once. Defensive: the JSON comes from co-editors. */
export function citationsIn(content: string): NoteCitationRef[] {
  let state: unknown;
  try {
    state = JSON.parse(content);
  } catch {
    return [];
  }
  const seen = new Map<string, NoteCitationRef>();
  const walk = (node: unknown, depth: number) => {
    if (depth > 48 || typeof node !== 'object' || node === null) return;
    const n = node as { type?: unknown; kind?: unknown; targetId?: unknown; children?: unknown };
    if (n.type === 'citation') {
      const ref = parseCitationKey(`${String(n.kind)}:${String(n.targetId)}`);
      if (ref && !seen.has(citationKey(ref))) seen.set(citationKey(ref), ref);
    }
    if (Array.isArray(n.children)) for (const child of n.children) walk(child, depth + 1);
  };
  walk((state as { root?: unknown })?.root, 0);
  return [...seen.values()];
}
