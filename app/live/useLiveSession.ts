/**
 * Keeps the live connection acting for the user the page shows (docs/decisions/0010): every
 * handshake names that user and the server refuses one for anybody else; whenever the signed-in
 * user changes, however the page changed (a sign-in or sign-out form, a password change), the
 * socket is replaced by one whose handshake carries the current cookie; and when the server ends
 * this socket's session (signed out in another tab, "sign out everywhere") or the cookie turns
 * out to be someone else's, the page reloads its data so it shows, and acts as, who is signed in.
 * It reloads it too when the consultation of a thread it reads moves to another phase.
 */
import { useRevalidator } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { onPhaseChanged, onSessionEnded, setExpectedUser } from './socket.client';

export function useLiveSession(userId: string | null) {
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;

  // During render, not in an effect: the page's components open the socket in their own effects,
  // which run before this component's, and the first handshake must already name the user.
  if (typeof window !== 'undefined') setExpectedUser(userId);

  useEffect(() => onSessionEnded(() => revalidate.current()), []);
  // The consultation moved to another phase: the page's badge and forms follow.
  useEffect(() => onPhaseChanged(() => revalidate.current()), []);
}
