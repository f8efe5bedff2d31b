/** What a script run produced; the tool worker turns it into a `script_execution_output` item. */
export interface ScriptResult {
  success: boolean;
  /** The script's value as JSON text (`null` when it returned nothing or failed). */
  result: string;
  /** Console output, one entry per console call (`[warn] …` / `[error] …` for those levels). */
  logs: string[];
  error?: { code: string; message: string; stack?: string };
}
