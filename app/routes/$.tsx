/** Any address no other route matches: the 404 page, in the reader's language (root ErrorBoundary). */
export function loader(): never {
  throw new Response('Not Found', { status: 404 });
}

export default function NotFound() {
  return null;
}
