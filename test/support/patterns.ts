// Test data: the top byte of a 32-bit linear congruential generator, so a seed gives the
// same bytes every run and data written somewhere can be compared with what comes back.
export function seededBytes(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) b[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return b;
}
