// Fills XForms in ODK's own engine (@getodk/xforms-engine, headless under jsdom), as a device
// running ODK would: load the form, answer every question, serialise the submission.
//
//   node fill.mjs OUTDIR SEED FORM.xml...
//
// For each FORM.xml writes OUTDIR/NAME.submission.xml (the engine's submission bytes) and
// OUTDIR/NAME.labels.tsv: one line "lang<TAB>path<TAB>required<TAB>label" per question and
// "lang<TAB>path/value<TAB>-<TAB>label" per option, in every language of the form, as the
// engine shows them. Select questions get the option at index (SEED + question number) modulo
// the number of options, so different seeds give different, always valid, answers; text
// questions get $FILL_SURVEYOR (the surveyor) or $FILL_TEXT (any other text).
// Exit status: 0 ok, 1 the engine refused the form or the answers, 2 usage.
import { JSDOM } from 'jsdom';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const fail = (status, msg) => {
  process.stderr.write(`fill.mjs: ${msg}\n`);
  process.exit(status);
};

const [outdir, seedArg, ...forms] = process.argv.slice(2);
if (!outdir || !/^[0-9]+$/.test(seedArg ?? '') || !forms.length)
  fail(2, 'usage: node fill.mjs OUTDIR SEED FORM.xml...');
const seed = Number(seedArg);
const surveyorText = process.env.FILL_SURVEYOR ?? 'Điều tra viên';
const otherText = process.env.FILL_TEXT ?? 'Ý kiến';

// The engine reads DOMParser, document and Node when its module is evaluated, and its bundled
// tree-sitter wants __dirname: set them first, then import it dynamically.
const { window } = new JSDOM('<!DOCTYPE html><html><body></body></html>');
globalThis.DOMParser = window.DOMParser;
globalThis.document = window.document;
globalThis.Node = window.Node;
const require = createRequire(import.meta.url);
globalThis.__dirname = dirname(require.resolve('@getodk/xforms-engine'));
process.on('unhandledRejection', (e) => fail(1, `unhandled rejection: ${e?.stack ?? e}`));
const { createInstance } = await import('@getodk/xforms-engine');

const nodesOf = (root) => {
  const out = [];
  const walk = (n) => {
    out.push(n);
    for (const c of n.currentState.children ?? []) walk(c);
  };
  walk(root);
  return out;
};

for (const form of forms) {
  const name = basename(form, '.xml');
  let instance;
  try {
    instance = await createInstance(readFileSync(form, 'utf8'), {
      form: {
        fetchFormAttachment: async (url) => {
          throw new Error(`the form asks for an attachment: ${url}`);
        },
      },
      instance: { preloadProperties: { deviceID: 'parindex-test-device' } },
    });
  } catch (e) {
    fail(1, `${form}: the engine refused the form: ${e?.message ?? e}`);
  }
  const root = instance.root;
  const nodes = nodesOf(root);

  // labels in every language, as the engine resolves them
  const lines = [];
  const languages = root.languages.filter((l) => !l.isSyntheticDefault);
  const defaultLanguage = languages.find((l) => l.isDefault);
  for (const lang of languages) {
    root.setLanguage(lang);
    for (const n of nodes) {
      if (n.nodeType !== 'select' && n.nodeType !== 'input') continue;
      const st = n.currentState;
      lines.push([lang.language, st.reference, st.required ? 'required' : 'optional',
        st.label?.asString ?? ''].join('\t'));
      if (n.nodeType === 'select')
        for (const o of st.valueOptions)
          lines.push([lang.language, `${st.reference}/${o.value}`, '-', o.label?.asString ?? ''].join('\t'));
    }
  }
  if (defaultLanguage) root.setLanguage(defaultLanguage);
  writeFileSync(join(outdir, `${name}.labels.tsv`), lines.join('\n') + '\n');

  // answer everything a respondent can answer
  let number = 0;
  for (const n of nodes) {
    const st = n.currentState;
    if (!st.relevant || st.readonly) continue;
    if (n.nodeType === 'select') {
      const options = st.valueOptions;
      if (!options.length) fail(1, `${form}: ${st.reference} has no options`);
      const value = options[(seed + number++) % options.length].value;
      n.selectValue(value);
      // selectValue ignores a value that is not an option: make sure it took
      if (!n.isSelected(value)) fail(1, `${form}: ${st.reference}: option ${value} not taken`);
    } else if (n.nodeType === 'input') {
      if (n.valueType !== 'string') fail(1, `${form}: ${st.reference}: unexpected type ${n.valueType}`);
      n.setValue(st.reference.endsWith('/surveyor') ? surveyorText : otherText);
    }
  }
  const violations = root.validationState.violations;
  if (violations.length)
    fail(1, `${form}: not valid once filled: ${violations.map((v) => `${v.reference} (${v.violation.condition})`).join(', ')}`);
  const payload = await root.prepareInstancePayload();
  if (payload.status !== 'ready') fail(1, `${form}: submission not ready: ${payload.status}`);
  const xml = await payload.data[0].get('xml_submission_file').text();
  writeFileSync(join(outdir, `${name}.submission.xml`), xml);
}
