/** Code units made into a string at once (an argument each). */
const UNITS_A_CALL = 4096;

/**
 * A copy of a string read from an index row that holds none of the row's other text, for what a
 * long-lived map keeps. The store's decoder (msgpackr) cuts a row's short strings out of one
 * string of the row's text, and V8 keeps that whole string alive while any cut of it lives: a
 * thread id and a client kept from each token state of a large home held most of those rows' text
 * (measured in the commit that made it). A string made from its code units is one of its own (a cut or a
 * concatenation of the original would not be).
 */
export const detachedString = (s: string): string => {
  let copy = '';
  for (let from = 0; from < s.length; from += UNITS_A_CALL) {
    const units: number[] = [];
    for (let i = from; i < Math.min(s.length, from + UNITS_A_CALL); i++) units.push(s.charCodeAt(i));
    copy += String.fromCharCode(...units);
  }
  return copy;
};

/** `s` as a long-lived map keeps it beside `same`: that string where they are equal (one for both), else a copy of its own. */
export const detachedUnlessSame = (s: string, same: string): string => (s === same ? same : detachedString(s));
