/**
 * CodeMirror 6 set up for pond SQL: highlighting, completion of bound table names and their
 * columns, Ctrl/Cmd+Enter to run. In its own module so the editor loads with the SQL console only.
 */
import { basicSetup } from 'codemirror';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { Compartment, EditorState, Prec, type Extension } from '@codemirror/state';
import { sql, PostgreSQL } from '@codemirror/lang-sql';
import { HighlightStyle, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';

/** CodeMirror's standard setup (undo history, keymaps, search, completion) plus a placeholder. */
const basics: Extension = [basicSetup, placeholder('SELECT * FROM t LIMIT 100')];

/** CodeMirror's default colours, each behind a theme token (src/ui/theme.css) so dark mode recolours them. */
const SYNTAX_TOKEN: Record<string, string> = {
  '#708': '--syntax-keyword',
  '#219': '--syntax-atom',
  '#164': '--syntax-number',
  '#a11': '--syntax-string',
  '#e40': '--syntax-special',
  '#00f': '--syntax-def',
  '#30a': '--syntax-def',
  '#085': '--syntax-type',
  '#167': '--syntax-type',
  '#256': '--syntax-def',
  '#00c': '--syntax-def',
  '#940': '--syntax-comment',
  '#404740': '--syntax-comment',
  '#f00': '--danger',
};
const themedHighlight = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) =>
    spec.color && SYNTAX_TOKEN[spec.color] ? { ...spec, color: `var(${SYNTAX_TOKEN[spec.color]}, ${spec.color})` } : spec,
  ),
);

/** The editor's chrome in the app's tokens: light and dark follow the system with the rest of the app. */
const chrome = EditorView.theme({
  '&': { fontSize: 'var(--text-md)', color: 'var(--fg)', background: 'var(--bg)', border: '1px solid var(--border)', borderRadius: 'var(--radius)' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '0' },
  '.cm-scroller': { minHeight: '7rem', fontFamily: 'var(--font-mono)' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--fg)' },
  '.cm-gutters': {
    background: 'var(--bg-subtle)',
    color: 'var(--fg-muted)',
    borderRight: '1px solid var(--border-subtle)',
    borderRadius: 'var(--radius) 0 0 var(--radius)',
  },
  '.cm-activeLine': { background: 'color-mix(in srgb, var(--bg-hover) 50%, transparent)' },
  '.cm-activeLineGutter': { background: 'var(--bg-hover)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection': { background: 'var(--bg-selected)' },
  '.cm-placeholder': { color: 'var(--fg-muted)' },
  '.cm-tooltip': { background: 'var(--bg)', color: 'var(--fg)', border: '1px solid var(--border)', borderRadius: 'var(--radius)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { background: 'var(--accent)', color: 'var(--accent-fg)' },
  '.cm-matchingBracket': { background: 'var(--bg-selected)', color: 'inherit' },
  '.cm-panels': { background: 'var(--bg-subtle)', color: 'var(--fg)' },
});

export interface SqlEditor {
  setSchema(schema: Record<string, string[]>): void;
  setValue(text: string): void;
  focus(): void;
  destroy(): void;
}

/** Mount an editor in `host`. */
export function createSqlEditor(
  host: HTMLElement,
  options: {
    value: string;
    schema: Record<string, string[]>;
    onchange: (text: string) => void;
    onrun: () => void;
  },
): SqlEditor {
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
        chrome,
        syntaxHighlighting(themedHighlight),
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
