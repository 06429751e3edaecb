/**
 * The check every co-editor's update passes before a note's document takes it (docs/decisions/0008,
 * 0009): what the update would do is worked out the way Yjs integrates it, without applying it,
 * and held against the note editor's own vocabulary, so that a hand-made update can do nothing the
 * editor itself never does. A post is rebuilt into its canonical form (app/posts/lexical.ts); a
 * Yjs update cannot be rewritten, so anything outside the vocabulary is refused instead:
 *
 * - node types: those the note editor registers (NOTE_NODE_TYPES), each in the shape the Lexical
 *   binding gives it (elements an embedded `Y.XmlText`, text-like leaves a `Y.Map`), inside the
 *   parents the editor puts it in (a table holds rows, a row cells, a list items…);
 * - properties: only those the binding syncs for that type (PROPERTIES), each within its range:
 *   text formats Lexical's own bits, no client style at all (`__style`, `__textStyle` empty, no cell
 *   background), headings h1–h6, lists bullet or number, links http, https or mailto, tables (sizes
 *   bounded, no merged cells) and citations as the editor makes them;
 * - structure: a node's type set once, with the node, never changed; text only in the elements
 *   that hold text, after a text node; no property removed from a node that stays; no content under another top-level type, no sub-document, no other kind of
 *   content than text, nodes and property values; nothing that depends on changes the note does
 *   not have (Yjs would keep it pending and apply it unchecked once they arrive) and no deletion
 *   of what the note does not have;
 * - size: no single piece of content larger than MAX_CONTENT_CHARS.
 *
 * Only the integration is simulated: the document is read, never written. Yjs decides where an
 * item goes from its left or right neighbour when it has one (the update then does not say which
 * node or property it belongs to), so each item's place is found by following its neighbours
 * into the update or the document, as `Item.getMissing` does.
 *
 * Also here: the document size limit (NOTE_LIMITS.documentBytes), checked per update against a
 * running estimate of the document's encoded size.
 */
import { IS_ALL_FORMATTING } from 'lexical';
import * as Y from 'yjs';
import { NOTE_CITATION_KINDS } from '../contributions/refs';
import { NOTE_NODE_TYPES } from './note-nodes';
import { isSafeUrl } from '../posts/lexical';
import { hasControlCharacters } from '../text/policy';
import { NOTE_LIMITS } from './protocol';

/** The name of the shared root type, as the CollaborationPlugin creates it. */
export const ROOT_NAME = 'root';

/** Largest single piece of content an update may carry (one insertion, one property value). */
export const MAX_CONTENT_CHARS = 100_000;

// ---------------------------------------------------------------------------------------------
// The vocabulary
// ---------------------------------------------------------------------------------------------

type Rule = (value: unknown) => boolean;

const integer =
  (min: number, max: number): Rule =>
  (value) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
const oneOf =
  (...allowed: unknown[]): Rule =>
  (value) =>
    allowed.includes(value);
/** Lexical's text formats (bold, italic, underline, strikethrough, code, sub/superscript, highlight, case): bits only it defines. */
const textFormat: Rule = (value) => integer(0, IS_ALL_FORMATTING)(value) && ((value as number) & ~IS_ALL_FORMATTING) === 0;
/** No client style: the editor's formats are all a note's text may carry. */
const noStyle: Rule = oneOf('');
const plainString =
  (max: number): Rule =>
  (value) =>
    typeof value === 'string' && value.length <= max && !hasControlCharacters(value);

/** Deeper indentation than any note needs; Lexical renders it as padding (40 px a level). */
export const MAX_INDENT = 10;
/** A table's columns, and a column's width or a row's height in pixels: wider than any page. */
const MAX_COLUMNS = 64;
const MAX_PIXELS = 2_000;
const size: Rule = (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_PIXELS;

const ELEMENT = {
  __format: integer(0, 6), // alignment: none, left, center, right, justify, start, end
  __style: noStyle,
  __indent: integer(0, MAX_INDENT),
  __dir: oneOf(null, 'ltr', 'rtl'),
  __textFormat: textFormat, // the format typing continues with
  __textStyle: noStyle,
} satisfies Record<string, Rule>;

const TEXT = {
  __format: textFormat,
  __style: noStyle,
  __mode: integer(0, 2), // normal, token, segmented
  __detail: integer(0, 3), // directionless, unmergeable
} satisfies Record<string, Rule>;

/**
 * Every property the Lexical binding syncs for each node type of a note (besides `__type`), and
 * the values the note editor gives it. The keys are exactly the binding's (a unit test holds them
 * against `binding.nodeProperties`, so a Lexical upgrade that adds one fails loudly, not silently).
 */
export const PROPERTIES: Readonly<Record<string, Readonly<Record<string, Rule>>>> = {
  root: { __format: ELEMENT.__format, __style: noStyle, __indent: ELEMENT.__indent, __dir: ELEMENT.__dir },
  paragraph: ELEMENT,
  quote: ELEMENT,
  heading: { ...ELEMENT, __tag: oneOf('h1', 'h2', 'h3', 'h4', 'h5', 'h6') },
  list: { ...ELEMENT, __tag: oneOf('ul', 'ol'), __listType: oneOf('bullet', 'number'), __start: integer(-1_000_000, 1_000_000) },
  // `__checked` belongs to check lists, which the editor turns into bullet lists; harmless elsewhere.
  listitem: { ...ELEMENT, __value: integer(-1_000_000, 2_000_000), __checked: oneOf(undefined, false, true) },
  link: {
    ...ELEMENT,
    __url: (value) => typeof value === 'string' && !hasControlCharacters(value) && isSafeUrl(value.trim()),
    __target: oneOf(null), // the editor's link rules drop a pasted target
    __rel: (value) => value === null || (typeof value === 'string' && /^[a-z]+( [a-z]+)*$/.test(value) && value.length <= 64),
    __title: (value) => value === null || plainString(1_000)(value),
  },
  // Tables as the note editor makes them, by its toolbar or by pasting a table (Lexical's table
  // import keeps column widths, row heights and a frozen header row): no merged cells (the editor
  // unmerges them), no cell colours (it clears them), sizes within reason.
  table: {
    ...ELEMENT,
    __rowStriping: oneOf(false, true),
    __frozenColumnCount: integer(0, 1),
    __frozenRowCount: integer(0, 1),
    __colWidths: (value) => value === undefined || (Array.isArray(value) && value.length <= MAX_COLUMNS && value.every(size)),
  },
  tablerow: { ...ELEMENT, __height: (value) => value === undefined || size(value) },
  tablecell: {
    ...ELEMENT,
    __colSpan: oneOf(1),
    __rowSpan: oneOf(1),
    __headerState: integer(0, 3), // none, row, column, both
    __backgroundColor: oneOf(null),
    __width: (value) => value === undefined || size(value),
    __verticalAlign: oneOf(undefined, 'top', 'middle', 'bottom'),
  },
  text: TEXT,
  tab: TEXT,
  linebreak: {},
  // app/notes/citation-node.ts: a target (a post, a case study or a clip of the compilation, by id) and nothing else.
  citation: { ...TEXT, __kind: oneOf(...NOTE_CITATION_KINDS), __targetId: integer(1, 999_999_999) },
};

/** Types whose nodes are `Y.Map`s (text-like leaves); every other type is an element (`Y.XmlText`). */
const LEAVES: ReadonlySet<string> = new Set(['text', 'tab', 'linebreak', 'citation']);

const INLINE = ['text', 'tab', 'linebreak', 'citation', 'link'];
const BLOCKS = ['paragraph', 'heading', 'quote', 'list'];

/** Which node types each element may hold, as the note editor nests them. */
export const CHILDREN: Readonly<Record<string, ReadonlySet<string>>> = {
  root: new Set([...BLOCKS, 'table']),
  paragraph: new Set(INLINE),
  heading: new Set(INLINE),
  quote: new Set(INLINE),
  link: new Set(['text', 'tab', 'linebreak', 'citation']),
  list: new Set(['listitem']),
  listitem: new Set([...INLINE, 'list']), // a nested list sits in an item of its own
  table: new Set(['tablerow']),
  tablerow: new Set(['tablecell']),
  tablecell: new Set(BLOCKS), // no table in a table
};

// ---------------------------------------------------------------------------------------------
// Checking an update
// ---------------------------------------------------------------------------------------------

export type UpdateCheck =
  /** `grows`: the update adds content (rather than only deleting or repeating what the note has). */
  | { ok: true; grows: boolean }
  /** `reason`: what was refused, for the log and tests (not shown to users). */
  | { ok: false; reason: string };

/** Thrown inside the check to stop at the first refusal. */
class Refusal extends Error {}
const refuse = (reason: string): never => {
  throw new Refusal(reason);
};

/** `record[key]` if it is the record's own (a type named `constructor` finds nothing). */
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);

const idKey = (id: Y.ID) => `${id.client}:${id.clock}`;

/** A node of the note: the root, or (by its id) the item holding its shared type. */
const ROOT_NODE = 'root';

/** Where an item ends up once integrated: in which node, and under which property (null: in its content). */
interface Place {
  node: string;
  key: string | null;
}

/** Rough size of one piece of content; only ever compared with MAX_CONTENT_CHARS. */
function contentSize(content: Y.Item['content']): number {
  if (content instanceof Y.ContentString) return content.str.length;
  if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) {
    let size = 0;
    for (const value of content.arr as unknown[]) size += typeof value === 'string' ? value.length : value == null ? 0 : JSON.stringify(value).length;
    return size;
  }
  if (content instanceof Y.ContentEmbed) return JSON.stringify(content.embed).length;
  if (content instanceof Y.ContentFormat) return content.key.length + JSON.stringify(content.value ?? null).length;
  if (content instanceof Y.ContentBinary) return content.content.length;
  return 0; // ContentType, ContentDeleted: no payload
}

const show = (value: unknown) => {
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, 60);
  } catch {
    return typeof value;
  }
};

/**
 * Checks `update` against the note `doc` it is meant for (see the top of this file). Never throws
 * and never modifies `doc`: anything it cannot make sense of is refused.
 */
export function checkUpdate(update: Uint8Array, doc: Y.Doc): UpdateCheck {
  try {
    return { ok: true, grows: new UpdateChecker(update, doc).run() };
  } catch (error) {
    return { ok: false, reason: error instanceof Refusal ? error.message : `malformed update (${(error as Error)?.message ?? String(error)})` };
  }
}

/** Whether `doc` may take `update` (see checkUpdate). */
export function validateUpdate(update: Uint8Array, doc: Y.Doc): boolean {
  return checkUpdate(update, doc).ok;
}

class UpdateChecker {
  private readonly structs: (Y.Item | Y.GC)[];
  private readonly deletions: Map<number, { clock: number; len: number }[]>;
  /** The update's structs of each client, by clock. */
  private readonly byClient = new Map<number, (Y.Item | Y.GC)[]>();
  /** Each update item's place once worked out; null: Yjs drops it (its neighbour or parent is garbage). */
  private readonly places = new Map<Y.Item, Place | null>();
  /** The shared-type item of each node met, from the update or the document. */
  private readonly nodeItems = new Map<string, Y.Item>();
  /** `__type` set by this update, per node. */
  private readonly newTypes = new Map<string, string>();

  constructor(
    update: Uint8Array,
    private readonly doc: Y.Doc,
  ) {
    const decoded = Y.decodeUpdate(update);
    this.structs = decoded.structs.filter((s): s is Y.Item | Y.GC => !(s instanceof Y.Skip));
    this.deletions = new Map();
    // Sorted and merged: overlapping ranges must not make the walk over the document repeat itself.
    for (const [client, ranges] of decoded.ds.clients) {
      const merged: { clock: number; len: number }[] = [];
      for (const { clock, len } of [...ranges].sort((a, b) => a.clock - b.clock)) {
        // Yjs keeps an empty range it cannot apply yet, then throws while encoding it, halfway
        // through applying the update.
        if (!(len > 0)) refuse('an empty deletion');
        const last = merged.at(-1);
        if (last && clock <= last.clock + last.len) last.len = Math.max(last.len, clock + len - last.clock);
        else merged.push({ clock, len });
      }
      if (merged.length > 0) this.deletions.set(client, merged);
    }
    for (const struct of this.structs) {
      let list = this.byClient.get(struct.id.client);
      if (!list) this.byClient.set(struct.id.client, (list = []));
      list.push(struct);
    }
    for (const list of this.byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  }

  /** Returns whether the update adds anything new; throws a Refusal. */
  run(): boolean {
    const fresh = this.freshItems();
    for (const item of fresh) this.placeOf(item);
    this.collectTypes(fresh);
    for (const item of fresh) this.checkItem(item);
    this.checkDeletions();
    return fresh.length > 0;
  }

  private state(client: number): number {
    return Y.getState(this.doc.store, client);
  }

  /**
   * The items the document does not have yet. Each client's structs must continue where the
   * document's stop, without a gap (Yjs would keep what follows a gap pending) or an overlap.
   * Every item, known or not, must have its neighbours and parent at hand (checked in placeOf).
   */
  private freshItems(): Y.Item[] {
    const fresh: Y.Item[] = [];
    for (const [client, list] of this.byClient) {
      const known = this.state(client);
      let end = known;
      for (const struct of list) {
        const last = struct.id.clock + struct.length;
        if (struct.length <= 0) refuse('an empty struct');
        if (last <= known) {
          if (struct instanceof Y.Item) this.placeOf(struct); // ignored by Yjs, but its references are still resolved
          continue;
        }
        if (struct.id.clock !== end) refuse(struct.id.clock > end ? 'depends on changes the note does not have' : 'overlapping changes');
        end = last;
        if (struct instanceof Y.Item) fresh.push(struct);
      }
    }
    return fresh;
  }

  // -- where things go ------------------------------------------------------------------------

  /** The struct at `id`: the document's if it has it, else the update's; undefined if neither. */
  private lookup(id: Y.ID): Y.Item | Y.GC | undefined {
    if (id.clock < this.state(id.client)) return Y.getItem(this.doc.store, id) as Y.Item | Y.GC;
    const list = this.byClient.get(id.client);
    if (!list) return undefined;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const struct = list[mid]!;
      if (id.clock < struct.id.clock) high = mid - 1;
      else if (id.clock >= struct.id.clock + struct.length) low = mid + 1;
      else return struct;
    }
    return undefined;
  }

  /** A struct `item` refers to (neighbour or parent), which Yjs must have before integrating it. */
  private reference(item: Y.Item, id: Y.ID): Y.Item | Y.GC {
    // Yjs integrates a client's structs in order and looks an earlier one up without checking.
    if (id.client === item.id.client && id.clock >= item.id.clock) refuse('refers to a later change of its own');
    return this.lookup(id) ?? refuse('depends on changes the note does not have');
  }

  private isDocItem(struct: Y.Item | Y.GC): boolean {
    return struct.id.clock < this.state(struct.id.client);
  }

  /** A node's id from its shared type in the document. */
  private nodeOfType(type: Y.AbstractType<unknown>): string {
    const item = type._item;
    if (item) {
      const key = idKey(item.id);
      this.nodeItems.set(key, item);
      return key;
    }
    if (this.doc.share.get(ROOT_NAME) === type) return ROOT_NODE;
    return refuse('content under another top-level type than the note’s');
  }

  /** What each of `item`'s references resolves to, the update's ones needing their own place first. */
  private dependencies(item: Y.Item): Y.Item[] {
    const refs = [item.origin, item.rightOrigin, item.parent instanceof Y.ID ? item.parent : null];
    const deps: Y.Item[] = [];
    for (const id of refs) {
      if (!id) continue;
      const struct = this.reference(item, id);
      if (struct instanceof Y.Item && !this.isDocItem(struct)) deps.push(struct);
    }
    return deps;
  }

  /** Where `item` goes (null: dropped as garbage), as Yjs's Item.getMissing decides. */
  private placeOf(start: Y.Item): Place | null {
    if (this.places.has(start)) return this.places.get(start)!;
    // Depth first without recursion: a long chain of neighbours must not exhaust the stack.
    // One dependency pushed at a time, so that the stack is the path and a cycle shows on it.
    const path = new Set<Y.Item>([start]);
    const stack: Y.Item[] = [start];
    while (stack.length > 0) {
      const item = stack.at(-1)!;
      const pending = this.dependencies(item).find((dep) => !this.places.has(dep));
      if (pending) {
        if (path.has(pending)) refuse('changes that depend on each other');
        path.add(pending);
        stack.push(pending);
        continue;
      }
      this.places.set(item, this.resolve(item));
      path.delete(item);
      stack.pop();
    }
    return this.places.get(start)!;
  }

  /** `item`'s place once its references in the update are placed. */
  private resolve(item: Y.Item): Place | null {
    if (item.origin || item.rightOrigin) {
      const left = item.origin ? this.reference(item, item.origin) : null;
      const right = item.rightOrigin ? this.reference(item, item.rightOrigin) : null;
      if (this.isGarbage(left) || this.isGarbage(right)) return null;
      return this.placeOfNeighbour((left ?? right) as Y.Item);
    }
    const parent = item.parent as unknown;
    if (typeof parent === 'string') return parent === ROOT_NAME ? { node: ROOT_NODE, key: item.parentSub } : refuse('content under another top-level type than the note’s');
    if (parent instanceof Y.ID) {
      const holder = this.reference(item, parent);
      if (this.isGarbage(holder)) return null;
      const content = (holder as Y.Item).content;
      if (!(content instanceof Y.ContentType)) {
        if (content instanceof Y.ContentDeleted) return null; // a deleted node's leftovers: Yjs drops the item
        return refuse('content inside something that is not a node');
      }
      const key = idKey(holder.id);
      this.nodeItems.set(key, holder as Y.Item);
      return { node: key, key: item.parentSub };
    }
    return refuse('an item without a parent');
  }

  private isGarbage(struct: Y.Item | Y.GC | null): boolean {
    if (struct === null) return false;
    if (struct instanceof Y.GC) return true;
    return !this.isDocItem(struct) && this.places.get(struct) === null;
  }

  private placeOfNeighbour(item: Y.Item): Place | null {
    if (!this.isDocItem(item)) return this.places.get(item) ?? null;
    const parent = item.parent as Y.AbstractType<unknown> | null;
    if (!parent) return null;
    return { node: this.nodeOfType(parent), key: item.parentSub };
  }

  // -- what it holds --------------------------------------------------------------------------

  /** What kind of node `node` is: an element (`XmlText`) or a leaf (`Map`), and its type if known. */
  private nodeInfo(node: string): { kind: 'element' | 'leaf'; type: string | undefined } {
    if (node === ROOT_NODE) return { kind: 'element', type: 'root' };
    const item = this.nodeItems.get(node) ?? refuse('an unknown node');
    const content = item.content;
    if (!(content instanceof Y.ContentType)) return refuse('content inside something that is not a node');
    const shared = content.type;
    const kind = shared.constructor === Y.XmlText ? 'element' : shared.constructor === Y.Map ? 'leaf' : refuse('a kind of shared type notes do not use');
    let type = this.newTypes.get(node);
    if (type === undefined && this.isDocItem(item)) {
      const value = kind === 'element' ? (shared as Y.XmlText).getAttribute('__type') : (shared as Y.Map<unknown>).get('__type');
      if (typeof value === 'string') type = value;
    }
    return { kind, type };
  }

  /** The `__type` of the nodes this update creates: each a known type, set once, matching the node's kind. */
  private collectTypes(fresh: Y.Item[]) {
    for (const item of fresh) {
      const place = this.places.get(item);
      if (!place || place.key !== '__type') continue;
      // A node is typed once, with its creation: Lexical never changes a node's type in place
      // (a value that replaces another names it as its origin; one set without knowing of the
      // other would race it for the key).
      if (item.origin || item.rightOrigin) refuse('a node’s type changed');
      const holder = place.node === ROOT_NODE ? null : this.nodeItems.get(place.node);
      if (holder && this.isDocItem(holder)) refuse('a node’s type changed');
      // Typed even if deleted here: a batch may create a node and delete it again.
      if (item.content instanceof Y.ContentDeleted) continue;
      const value = item.content instanceof Y.ContentAny && item.content.arr.length === 1 ? item.content.arr[0] : undefined;
      if (typeof value !== 'string' || !NOTE_NODE_TYPES.has(value) || !own(PROPERTIES, value)) refuse(`a node type notes do not have: ${show(value)}`);
      if (this.newTypes.has(place.node)) refuse('a node typed twice');
      const { kind } = this.nodeInfo(place.node);
      const expected = value === 'root' ? place.node === ROOT_NODE : place.node !== ROOT_NODE && kind === (LEAVES.has(value as string) ? 'leaf' : 'element');
      if (!expected) refuse(`a ${show(value)} node of the wrong shape`);
      this.newTypes.set(place.node, value as string);
    }
  }

  private checkItem(item: Y.Item) {
    const place = this.places.get(item);
    if (!place) return; // dropped by Yjs
    const content = item.content;
    if (contentSize(content) > MAX_CONTENT_CHARS) refuse(`more than ${MAX_CONTENT_CHARS} characters at once`);
    const parent = this.nodeInfo(place.node);
    if (place.key !== null) {
      if (place.key === '__type') return; // collectTypes
      if (parent.type === undefined) refuse('a property of a node without a type');
      const rules = own(PROPERTIES, parent.type!) ?? refuse(`a node type notes do not have: ${show(parent.type)}`);
      const rule = own(rules, place.key) ?? refuse(`a property ${show(place.key)} that ${parent.type} nodes do not have`);
      if (content instanceof Y.ContentDeleted) return;
      if (!(content instanceof Y.ContentAny) || content.arr.length !== 1) return refuse(`a property value notes do not hold (${parent.type}.${place.key})`);
      if (!rule(content.arr[0])) refuse(`${parent.type}.${place.key} = ${show(content.arr[0])}`);
      return;
    }
    // Content of an element: text, or a child node.
    if (parent.kind !== 'element') refuse('content inside a text node’s properties');
    if (parent.type === undefined) refuse('content inside a node without a type');
    if (content instanceof Y.ContentDeleted) return;
    if (content instanceof Y.ContentString) {
      if (!own(CHILDREN, parent.type!)?.has('text')) refuse(`text directly inside a ${parent.type} node`);
      // The editors clean them out (app/editor/text-cleaning.ts): one here was sent around them.
      if (hasControlCharacters(content.str)) refuse('control characters in text');
      return this.checkTextPlace(item);
    }
    if (!(content instanceof Y.ContentType)) return refuse(`content notes do not hold (${content.constructor.name})`);
    const node = idKey(item.id);
    this.nodeItems.set(node, item);
    const child = this.nodeInfo(node); // refuses other shared types
    if (child.type === undefined) refuse('a node created without its type');
    if (!own(CHILDREN, parent.type!)?.has(child.type!)) refuse(`a ${child.type} node inside a ${parent.type} node`);
  }

  /**
   * Characters belong to the text node before them (its `Y.Map`, then its characters): the
   * binding gives text that follows no text node a place of its own and then misplaces everything
   * after it in that element, for every reader. Typing after a deletion may follow what was
   * deleted (Yjs skips deleted items), which is no longer known and is let through.
   */
  private checkTextPlace(item: Y.Item) {
    const left = item.origin ? this.lookup(item.origin) : undefined;
    if (!left) return refuse('text that belongs to no text node');
    if (left instanceof Y.GC || left.deleted || this.deletedHere(left.id)) return;
    const content = left.content;
    if (content instanceof Y.ContentString || content instanceof Y.ContentDeleted) return;
    if (content instanceof Y.ContentType) {
      const key = idKey(left.id);
      this.nodeItems.set(key, left);
      const { type } = this.nodeInfo(key);
      if (type === 'text' || type === 'tab' || type === 'citation') return;
    }
    refuse('text that belongs to no text node');
  }

  // -- deletions ------------------------------------------------------------------------------

  /** Whether this update's delete set covers `id`. */
  private deletedHere(id: Y.ID): boolean {
    const ranges = this.deletions.get(id.client);
    if (!ranges) return false;
    let low = 0;
    let high = ranges.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const range = ranges[mid]!;
      if (id.clock < range.clock) high = mid - 1;
      else if (id.clock >= range.clock + range.len) low = mid + 1;
      else return true;
    }
    return false;
  }

  /**
   * Deletions only of what exists (in the document or the update), and no property removed from
   * a node that stays: a property goes only with its node, or when a new value replaces it.
   */
  private checkDeletions() {
    let replaced: Set<string> | null = null;
    for (const [client, ranges] of this.deletions) {
      const known = this.state(client);
      const list = this.byClient.get(client);
      const end = Math.max(known, list?.length ? list.at(-1)!.id.clock + list.at(-1)!.length : 0);
      const structs = this.doc.store.clients.get(client);
      for (const { clock, len } of ranges) {
        if (clock + len > end) refuse('deletes what the note does not have');
        if (!structs || clock >= known) continue;
        for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < clock + len; i++) {
          const struct = structs[i]!;
          if (!(struct instanceof Y.Item) || struct.parentSub === null || struct.deleted) continue;
          const holder = (struct.parent as Y.AbstractType<unknown> | null)?._item ?? null;
          if (holder && (holder.deleted || this.deletedHere(holder.id))) continue; // the node goes too
          replaced ??= this.replacedProperties();
          const node = holder ? idKey(holder.id) : ROOT_NODE;
          if (!replaced.has(`${node}\u0000${struct.parentSub}`)) refuse(`removes the property ${show(struct.parentSub)} of a node`);
        }
      }
    }
  }

  /** The properties this update gives a new value (one it does not delete as well). */
  private replacedProperties(): Set<string> {
    const replaced = new Set<string>();
    for (const [item, place] of this.places) {
      if (place && place.key !== null && !this.isDocItem(item) && !this.deletedHere(item.id)) replaced.add(`${place.node}\u0000${place.key}`);
    }
    return replaced;
  }
}

// ---------------------------------------------------------------------------------------------
// Document size
// ---------------------------------------------------------------------------------------------

interface SizeEstimate {
  /** The document's encoded size when last measured, plus every update applied since. */
  bytes: number;
  /** Measured, with nothing applied since. */
  exact: boolean;
}

const sizes = new WeakMap<Y.Doc, SizeEstimate>();

function estimateOf(doc: Y.Doc): SizeEstimate {
  let estimate = sizes.get(doc);
  if (!estimate) {
    const tracked: SizeEstimate = { bytes: Y.encodeStateAsUpdate(doc).byteLength, exact: true };
    // An update never grows the encoded document by much more than its own size: adding them up
    // gives a cheap bound, measured again only when it comes near the limit.
    doc.on('update', (update: Uint8Array) => {
      tracked.bytes += update.byteLength;
      tracked.exact = false;
    });
    sizes.set(doc, (estimate = tracked));
  }
  return estimate;
}

/** The encoded size of `doc` in bytes (Yjs's full state, as stored in a snapshot). */
export function documentBytes(doc: Y.Doc): number {
  const estimate = estimateOf(doc);
  if (!estimate.exact) {
    estimate.bytes = Y.encodeStateAsUpdate(doc).byteLength;
    estimate.exact = true;
  }
  return estimate.bytes;
}

/**
 * Whether applying `update` (which adds content: see UpdateCheck.grows) would make `doc` larger
 * than `limit`. Measures the document only when the running estimate comes near the limit, so a
 * keystroke costs an addition. An update that only deletes is never refused by size: it is how
 * a full note makes room.
 */
export function exceedsDocumentLimit(doc: Y.Doc, update: Uint8Array, limit: number = NOTE_LIMITS.documentBytes): boolean {
  const estimate = estimateOf(doc);
  if (estimate.bytes + update.byteLength <= limit) return false;
  return documentBytes(doc) + update.byteLength > limit;
}
