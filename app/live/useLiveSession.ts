/**
 * Keeps the live connection acting for the user the page shows (docs/decisions/0010): whenever
 * the signed-in user changes, however the page changed (a sign-in or sign-out form, a password
 * change), the socket is replaced by one whose handshake carries the current cookie; and when
 * the server ends this socket's session (signed out in another tab, "sign out everywhere"), the
 * page reloads its data so it stops offering what the user may no longer do.
 */
import { useRevalidator } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { onSessionEnded, renewSocket } from './socket.client';

export function useLiveSession(userId: string | null) {
  const revalidator = useRevalidator();
  const shown = useRef(userId);
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;

  useEffect(() => {
    if (shown.current === userId) return;
    shown.current = userId;
    renewSocket();
  }, [userId]);

  useEffect(() => onSessionEnded(() => revalidate.current()), []);
}
