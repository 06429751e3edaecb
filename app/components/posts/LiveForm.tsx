import type { FormEvent, ReactNode } from 'react';
import { sendInsteadOfForm, type Ack } from '../../live/socket.client';
import type { PostView } from '../../posts/post-view';

/**
 * A plain POST form (it works without JavaScript) that, with JavaScript, sends the same
 * action as a Socket.io event instead, for an immediate answer. If the socket cannot answer,
 * the form is submitted the ordinary way; retries are idempotent either way.
 */
export function LiveForm({
  event,
  payload,
  onAck,
  confirm,
  className,
  children,
  hidden,
}: {
  event: string;
  /** The event's payload, from the form's current fields. */
  payload: (form: HTMLFormElement) => unknown;
  onAck?: (ack: Ack<PostView>, form: HTMLFormElement) => void;
  confirm?: string;
  className?: string;
  children: ReactNode;
  hidden: Record<string, string | number>;
}) {
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    const form = e.currentTarget;
    if (confirm && !window.confirm(confirm)) {
      e.preventDefault();
      return;
    }
    const ack = await sendInsteadOfForm<PostView>(e, event, payload(form), 2);
    if (ack) onAck?.(ack, form);
  }
  return (
    <form method="post" className={className} onSubmit={onSubmit}>
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {children}
    </form>
  );
}
