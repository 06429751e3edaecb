import { createContext, useContext } from 'react';

/** The request's CSP nonce (empty in the browser, where scripts are already allowed). */
export const NonceContext = createContext('');
export const useNonce = () => useContext(NonceContext);
