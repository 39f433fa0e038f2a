// tsprobe as a library: open a target and script it.
//   import { Target } from 'tsprobe';
//   const t = await Target.open('sim:mps2-an385');
export * from './script/index.js';
export { ProbeSession, ProbeBusyError } from './probe/session.js';
