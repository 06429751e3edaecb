import { useEffect, useId, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';

/** A click the browser should handle itself (a new tab or window). */
const modified = (e: MouseEvent) => e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey;

/**
 * A post's form asked for by its control ("Report", "Hide"), rendered only on the post it is
 * asked for: a page of 100 posts would otherwise carry 100 closed forms (a report form is about
 * 2 KB of markup and a form key), which made up much of a signed-in reader's page and of its
 * server rendering time (docs/decisions/0011).
 *
 * Without JavaScript the control is a link to `openHref` (the same page with
 * `?<param>=<postId>#post-<postId>`), which the server renders with this one form shown
 * (`requested`); `closeHref` (the page without it) closes it. With JavaScript the same links open
 * and close the form in place, without a page load: focus moves to the form's first field, and
 * Escape or Cancel closes it and gives focus back to the control.
 *
 * @param children the form, given the Cancel link to place beside its submit button.
 */
export function OnDemandForm({
  label,
  cancelLabel,
  openHref,
  closeHref,
  requested,
  className,
  children,
}: {
  label: string;
  /** Passed in rather than translated here: a page renders one of these per post. */
  cancelLabel: string;
  openHref: string;
  closeHref: string;
  /** Shown from the start: asked for by the URL, or shown again with a refusal. */
  requested: boolean;
  /** Styles this control's kind (`post-report`, `post-moderate`). */
  className: string;
  children: (cancel: ReactNode) => ReactNode;
}) {
  const [open, setOpen] = useState(requested);
  // A navigation (another page of the thread, a refusal) decides again; set while rendering, not
  // in an effect: an effect run late after hydration would close a form the reader just opened.
  const [asked, setAsked] = useState(requested);
  if (asked !== requested) {
    setAsked(requested);
    setOpen(requested);
  }
  const toggle = useRef<HTMLAnchorElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  // Focus moves in only when the reader opened it here, not when a page arrives with it open.
  const focusIn = useRef(false);
  const panelId = useId();
  useEffect(() => {
    if (!open || !focusIn.current) return;
    focusIn.current = false;
    panel.current?.querySelector<HTMLElement>('select, textarea, input:not([type="hidden"]), button')?.focus();
  }, [open]);

  const close = () => {
    setOpen(false);
    toggle.current?.focus();
    // Opened by the address (`?report=…`): the address no longer asks for it, or a reload or a
    // shared link would open it again. Replaced in place, without a navigation (no reload of the
    // page's data); the router's own entry keeps its state, and the next navigation starts from it.
    if (asked && typeof window !== 'undefined') window.history.replaceState(window.history.state, '', closeHref);
  };
  const onToggle = (e: MouseEvent) => {
    if (modified(e)) return;
    e.preventDefault();
    if (open) return close();
    focusIn.current = true;
    setOpen(true);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    close();
  };
  const cancel = (
    <a
      href={closeHref}
      className="post-action"
      onClick={(e) => {
        if (modified(e)) return;
        e.preventDefault();
        close();
      }}
    >
      {cancelLabel}
    </a>
  );
  return (
    <div className={`post-disclosure ${className}${open ? ' post-disclosure-open' : ''}`}>
      <a ref={toggle} href={open ? closeHref : openHref} className="post-disclosure-toggle" aria-expanded={open} aria-controls={open ? panelId : undefined} onClick={onToggle}>
        {label}
      </a>
      {open ? (
        <div id={panelId} ref={panel} onKeyDown={onKeyDown}>
          {children(cancel)}
        </div>
      ) : null}
    </div>
  );
}
