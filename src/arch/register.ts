// One declaration per register: a name, an address (absolute for memory-mapped
// registers, or an offset/index for DP and AP registers) and named bitfields.
// Both the simulator and the host stack use these, so the two sides cannot drift.

export interface BitField {
  readonly name: string;
  /** Lowest bit of the field. */
  readonly lsb: number;
  readonly width: number;
  /** Mask of the field in place (unsigned 32-bit). */
  readonly mask: number;
}

/** Field spec as written in declarations: a bit number, or [msb, lsb]. */
export type FieldSpec = number | readonly [number, number];

export type Fields<S extends Record<string, FieldSpec>> = { readonly [K in keyof S]: BitField };

export interface Register<S extends Record<string, FieldSpec> = Record<string, FieldSpec>> {
  readonly name: string;
  /** Address (memory-mapped) or register offset (DP/AP). */
  readonly address: number;
  readonly fields: Fields<S>;
  /** Decode a value into its named fields (for display and error messages). */
  decode(value: number): Record<keyof S, number>;
  /** Build a value from named fields (missing fields are 0). */
  encode(values: Partial<Record<keyof S, number>>): number;
}

function makeField(name: string, spec: FieldSpec): BitField {
  const [msb, lsb] = typeof spec === 'number' ? [spec, spec] : spec;
  const width = msb - lsb + 1;
  const mask = (width === 32 ? 0xffffffff : ((1 << width) - 1) << lsb) >>> 0;
  return { name, lsb, width, mask };
}

export function register<S extends Record<string, FieldSpec>>(name: string, address: number, specs: S): Register<S> {
  const fields = {} as Record<string, BitField>;
  for (const k of Object.keys(specs)) fields[k] = makeField(k, specs[k]);
  return {
    name,
    address: address >>> 0,
    fields: fields as Fields<S>,
    decode(value: number) {
      const out = {} as Record<keyof S, number>;
      for (const k of Object.keys(fields)) out[k as keyof S] = getField(value, fields[k]);
      return out;
    },
    encode(values) {
      let v = 0;
      for (const k of Object.keys(values)) v = setField(v, fields[k], values[k as keyof S] ?? 0);
      return v >>> 0;
    },
  };
}

/** Value of field f in v. */
export function getField(v: number, f: BitField): number {
  return ((v & f.mask) >>> f.lsb) >>> 0;
}

/** v with field f replaced by x. */
export function setField(v: number, f: BitField, x: number): number {
  return ((v & ~f.mask) | ((x << f.lsb) & f.mask)) >>> 0;
}

/** True when any bit of the field is set. */
export function isSet(v: number, f: BitField): boolean {
  return (v & f.mask) !== 0;
}

/** Names of the set single-bit fields of v, for messages such as 'STICKYERR|WDATAERR'. */
export function setFlagNames(reg: Register, v: number): string[] {
  const out: string[] = [];
  for (const f of Object.values(reg.fields) as BitField[]) if (f.width === 1 && (v & f.mask) !== 0) out.push(f.name);
  return out;
}

export const hex32 = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');
