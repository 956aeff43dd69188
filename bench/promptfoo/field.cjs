// field.cjs — promptfoo's side of the benchmark's assertions (make bench).
//
// One `javascript` assertion per expected field, as gen.c writes them:
//   {"type": "javascript", "value": "file://field.cjs", "metric": "<field>",
//    "config": {"field": "date", "type": "date", "expected": "2026-12-21",
//               "rule": "<agent>/<module>/<field>" (enum and label only)}}
// It reads the reply the way DSPy's ChatAdapter does (`[[ ## name ## ]]`
// sections), then compares the field with the expected value after a light,
// typed normalisation — the same checks, field by field, that harness's
// typed rules make (harness's grammars are much richer: relative dates,
// spoken numbers, USPS addresses, similarity thresholds; this is what a
// promptfoo user would reasonably write, and it costs promptfoo about what
// such assertions cost). `null` means "the caller never gave it": the reply
// must be empty / None. {"any_of": [...]} accepts any of its values.
'use strict';
const path = require('path');
const RULES = require(path.join(__dirname, 'rules.json'));

let lastOutput = null;
let lastFields = null;
function sections(output) {
  if (output === lastOutput) return lastFields;
  const fields = Object.create(null);
  const re = /\[\[ ## (\w+) ## \]\]/g;
  let m, name = null, start = 0;
  while ((m = re.exec(output)) !== null) {
    if (name !== null && !(name in fields)) fields[name] = output.slice(start, m.index).trim();
    name = m[1];
    start = re.lastIndex;
  }
  if (name !== null && !(name in fields)) fields[name] = output.slice(start).trim();
  lastOutput = output;
  lastFields = fields;
  return fields;
}

const fold = (s) => String(s).normalize('NFKD').replace(/[\u0300-\u036f]/g, '')
  .toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();

function time24(s) {
  const m = /^(\d{1,2})(?::(\d{2}))?\s*([ap])?\.?\s*m?\.?$/i.exec(String(s).trim());
  if (!m) return null;
  let h = +m[1];
  const mi = m[2] ? +m[2] : 0;
  if (m[3]) { h %= 12; if (m[3].toLowerCase() === 'p') h += 12; }
  if (h > 23 || mi > 59) return null;
  return String(h).padStart(2, '0') + ':' + String(mi).padStart(2, '0');
}

function phone(s) {
  let d = String(s).replace(/\D+/g, '');
  if (d.length === 10) d = '1' + d;
  return d.length >= 8 ? '+' + d : null;
}

function canon(type, v, rule) {
  if (v === null || v === undefined) return null;
  const s = String(v).trim();
  switch (type) {
    case 'date': return /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : null;
    case 'time': return time24(s);
    case 'integer': case 'number': case 'money': {
      const x = Number(s.replace(/[$,\s]/g, ''));
      return Number.isFinite(x) ? String(x) : null;
    }
    case 'phone': return phone(s);
    case 'boolean': {
      const b = s.toLowerCase();
      if (['true', 'yes', 'y'].includes(b)) return 'true';
      if (['false', 'no', 'n'].includes(b)) return 'false';
      return null;
    }
    case 'enum': case 'label': {
      const map = RULES[rule] || {};
      return map[s.toLowerCase()] || null;
    }
    default: return fold(s);
  }
}

module.exports = (output, context) => {
  const { field, type, expected, rule } = context.config;
  const got = sections(output)[field];
  const absent = got === undefined || got === '' || /^(none|null)$/i.test(got);
  if (expected === null) {
    return { pass: absent, score: absent ? 1 : 0,
             reason: absent ? 'absent, as expected' : `${field}: expected no value, got ${JSON.stringify(got)}` };
  }
  const wants = (expected && typeof expected === 'object' && Array.isArray(expected.any_of))
    ? expected.any_of : [expected];
  const g = absent ? null : canon(type, got, rule);
  const pass = g !== null && wants.some((w) => canon(type, w, rule) === g);
  return { pass, score: pass ? 1 : 0,
           reason: pass ? 'Assertion passed'
             : `${field}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}` };
};
