import { type ReactNode, useEffect, useRef } from 'react';

export interface ModalDialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}

/** A native modal <dialog>: focus trap, Escape and the top layer come from the browser. */
export function ModalDialog({ open, title, onClose, children }: ModalDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal?.();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className="modal" aria-labelledby="modal-title" onClose={onClose}>
      {open ? (
        <>
          <h2 id="modal-title">{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}
