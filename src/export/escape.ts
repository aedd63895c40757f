import type { Plain } from '../db/mapper';

/**
 * Characters XML 1.0 forbids (C0 controls other than tab, LF, CR; U+FFFE, U+FFFF; lone surrogates).
 * They cannot be escaped, only dropped: a reader refuses the whole document otherwise.
 */
function isXmlForbidden(code: number, text: string, i: number): boolean {
  if (code < 0x20) return code !== 0x09 && code !== 0x0a && code !== 0x0d;
  if (code === 0xfffe || code === 0xffff) return true;
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    const prev = text.charCodeAt(i - 1);
    return !(prev >= 0xd800 && prev <= 0xdbff);
  }
  return false;
}

/** Anything outside the plain BMP ranges XML allows: only such text needs the careful scan below. */
const MAYBE_FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD]/;

export function stripXmlForbidden(text: string): string {
  if (!MAYBE_FORBIDDEN.test(text)) return text;
  let out: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (isXmlForbidden(code, text, i)) {
      out ??= text.slice(0, i);
    } else if (out !== null) {
      out += text[i];
    }
  }
  return out ?? text;
}

const XML_ATTR: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Kept as references so attribute-value normalisation does not turn them into spaces.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Text an attribute value or element content can hold as it is: one test answers nearly every string
 * of an export, which then skips the scans below. (Surrogates send text to the careful path even when
 * paired: correct, only slower.)
 */
const ATTR_SAFE = /^[\u0020\u0021\u0023-\u0025\u0028-\u003b\u003d\u003f-\ud7ff\ue000-\ufffd]*$/;
const TEXT_SAFE = /^[\t\n\u0020-\u0025\u0027-\u003b\u003d\u003f-\ud7ff\ue000-\ufffd]*$/;

/**
 * `escape` of a value, kept until a different value comes: the edges of an edge record share their
 * source (the same string object, so the test is a pointer comparison) and a deal's edges share its
 * interval (one object), and each is written once for the run.
 */
export function lastEscaped<T>(escape: (value: T) => string): (value: T) => string {
  let seen = false;
  let last: T | undefined;
  let escaped = '';
  return (value) => {
    if (!seen || value !== last) {
      seen = true;
      last = value;
      escaped = escape(value);
    }
    return escaped;
  };
}

/** Escapes text for a double-quoted XML attribute value. */
export function xmlAttr(text: string): string {
  if (ATTR_SAFE.test(text)) return text;
  return stripXmlForbidden(text).replace(/[&<>"'\t\n\r]/g, (c) => XML_ATTR[c] ?? c);
}

/** Escapes XML character data (element content); CR as a reference so it survives line-end normalisation. */
export function xmlText(text: string): string {
  if (TEXT_SAFE.test(text)) return text;
  return stripXmlForbidden(text).replace(/[&<>\r]/g, (c) => (c === '\r' ? '&#13;' : (XML_ATTR[c] ?? c)));
}

/**
 * A property value as one text cell (XML attribute values, CSV cells): lists joined by `|` (GraphML
 * and GEXF as NetworkX and Gephi read them have no list type), numbers and booleans as JSON spells them.
 */
export function plainText(value: Plain): string {
  if (value === null) return '';
  if (Array.isArray(value)) {
    // As map + join, without the intermediate list (a list of strings, sourceIds or labels, is common).
    let s = '';
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as Plain;
      if (i > 0) s += '|';
      s += typeof v === 'string' ? v : plainText(v);
    }
    return s;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
