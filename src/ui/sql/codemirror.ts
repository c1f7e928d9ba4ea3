/**
 * CodeMirror 6 set up for pond SQL: highlighting, completion of bound table names and their
 * columns, Ctrl/Cmd+Enter to run. In its own module so the editor loads with the SQL console only.
 */
import { basicSetup } from 'codemirror';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import { sql, PostgreSQL } from '@codemirror/lang-sql';

/** CodeMirror's standard setup (undo history, keymaps, search, completion) plus a placeholder. */
const basics: Extension = [basicSetup, placeholder('SELECT * FROM t LIMIT 100')];

export interface SqlEditor {
  setSchema(schema: Record<string, string[]>): void;
  setValue(text: string): void;
  focus(): void;
  destroy(): void;
}

/** Mount an editor in `host`. */
export function createSqlEditor(host: HTMLElement, options: {
  value: string;
  schema: Record<string, string[]>;
  onchange: (text: string) => void;
  onrun: () => void;
}): SqlEditor {
  const language = new Compartment();
  // DuckDB's dialect is closest to PostgreSQL's among those lang-sql knows.
  const lang = (schema: Record<string, string[]>) => sql({ dialect: PostgreSQL, schema, upperCaseKeywords: true });
  const view = new EditorView({
    parent: host,
    state: EditorState.create({
      doc: options.value,
      extensions: [
        basics,
        language.of(lang(options.schema)),
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => (options.onrun(), true) }])),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) options.onchange(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ 'aria-label': 'SQL query', 'data-testid': 'sql-editor' }),
        EditorView.theme({ '&': { fontSize: '0.9rem', border: '1px solid #d5dae2', borderRadius: '4px' }, '.cm-scroller': { minHeight: '7rem' } }),
      ],
    }),
  });
  return {
    setSchema: (schema) => view.dispatch({ effects: language.reconfigure(lang(schema)) }),
    setValue: (text) => {
      if (text !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
