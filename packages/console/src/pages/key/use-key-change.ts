import { useCallback } from 'react';
import { useNotifications } from '../../notifications.js';

/** One change to a key: the API call, and the flash headers for its outcome. */
export interface KeyRequest<T> {
  readonly call: () => Promise<T>;
  /** The success flash's header, from the API's answer. */
  readonly success: (result: T) => string;
  /** The error flash's header; its content is the API's code and message. */
  readonly failure: string;
}

export type ChangeOutcome<T> = { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: unknown };

/**
 * Runs one change to a key, flashes its outcome, then reloads the key whatever happened (a refusal
 * may come from a state someone else changed meanwhile).
 */
export function useKeyChange(reload: () => Promise<void>) {
  const { notify, notifyError } = useNotifications();
  return useCallback(
    async <T>(request: KeyRequest<T>): Promise<ChangeOutcome<T>> => {
      try {
        const result = await request.call();
        notify({ type: 'success', header: request.success(result) });
        return { ok: true, result };
      } catch (error) {
        notifyError(request.failure, error);
        return { ok: false, error };
      } finally {
        await reload();
      }
    },
    [notify, notifyError, reload],
  );
}

export type KeyChange = ReturnType<typeof useKeyChange>;
