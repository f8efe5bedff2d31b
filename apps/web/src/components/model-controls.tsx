import { type ReactNode, useId, useState } from 'react';

export interface ModelControlsProps {
  /** Phone layout: the controls hide behind one button that names the current choice. */
  compact: boolean;
  /** What the button says: the provider and model the next turn uses. */
  summary: string;
  children: ReactNode;
}

/** The provider/model/reasoning controls: inline on wide screens, behind one button on phones. */
export function ModelControls({ compact, summary, children }: ModelControlsProps) {
  const [open, setOpen] = useState(false);
  const id = useId();
  if (!compact) return <>{children}</>;
  return (
    <div className="model-controls">
      <button
        type="button"
        className="button-quiet button-small model-controls-toggle"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen(!open)}
      >
        <span className="visually-hidden">Model settings: </span>
        {summary} <span aria-hidden="true">{open ? '▴' : '▾'}</span>
      </button>
      <div id={id} className="model-controls-panel" hidden={!open}>
        {children}
      </div>
    </div>
  );
}
