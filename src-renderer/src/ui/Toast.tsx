import { Button, Notification } from '@mantine/core';
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

/**
 * Short-lived messages at the bottom left ("Case D-12 is yours", a refusal from "take next"):
 * the right-hand side is the case's sidebar with the buyer's risk, which a toast must not cover.
 * While a case's command dialog is open (Decide, Request evidence, Publish, Release) they wait
 * under its overlay (desk.css, `.md-command-dialog`): at 1024 × 700 the dialog fills the window
 * and a toast would sit on its reasons and its footer.
 */
interface ToastItem {
  id: number;
  title?: string;
  message: string;
  color: string;
  /** One button in the toast ("Undo"); pressing it closes the toast. */
  action?: { label: string; onClick: () => void };
  /** How long it stays (default 4 s, 9 s for errors). */
  durationMs?: number;
}
type Show = (t: Omit<ToastItem, 'id'>) => void;
const ToastContext = createContext<Show>(() => {});
export const useToast = () => useContext(ToastContext);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const next = useRef(1);
  const show = useCallback<Show>((t) => {
    const id = next.current++;
    setItems((xs) => [...xs.slice(-2), { ...t, id }]);
    setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== id)), t.durationMs ?? (t.color === 'red' ? 9000 : 4000));
  }, []);
  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="md-toasts" aria-live="polite" data-testid="toasts">
        {items.map((t) => (
          <Notification
            key={t.id}
            color={t.color}
            title={t.title}
            withBorder
            role={t.color === 'red' ? 'alert' : 'status'}
            onClose={() => setItems((xs) => xs.filter((x) => x.id !== t.id))}
            data-testid="toast"
          >
            {t.message}
            {t.action && (
              <Button
                size="compact-sm"
                variant="light"
                ml="sm"
                onClick={() => {
                  setItems((xs) => xs.filter((x) => x.id !== t.id));
                  t.action!.onClick();
                }}
                data-testid="toast-action"
              >
                {t.action.label}
              </Button>
            )}
          </Notification>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
