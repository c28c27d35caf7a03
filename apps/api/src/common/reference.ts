/** References are stable identifiers people type: letters, digits and . _ : - */
export const referencePattern = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const referenceRule =
  'must start with a letter or digit and contain only letters, digits and . _ : -';
