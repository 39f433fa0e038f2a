/* fp_registers(x, y): double-precision work that leaves a known value in every one of
 * d0-d15 and in FPSCR, so a debugger test can check them exactly. Written in assembly
 * because a compiler chooses its own registers. Hard-float ABI: x in d0, y in d1, the
 * result in d0; d8-d15 are callee-saved.
 *
 * At the label fp_registers_done (break there with `break *fp_registers_done`):
 *   d0  = d2 + d15 (the result)   d1  = y (untouched)       d2  = x + y
 *   d3  = x - y                   d4  = x * y               d5  = x / y
 *   d6  = sqrt(x)                 d7  = fma(x, y, d2): x*y + d2 rounded once
 *   d8  = -y                      d9  = d3 + d4 * d5, rounded after the multiply and after the add (VMLA)
 *   d10 = 0.5 (VMOV immediate)    d11 = d5 * 0.5
 *   d12 = raw 64 bits: high word 0, low word (int32)(d5 * d6) rounded toward zero
 *   d13 = (double) of that int    d14 = maxNum(d3, d4)      d15 = sqrt(x) / (x + y)
 *   FPSCR = the flags of these operations on a cleared FPSCR (round to nearest) and
 *           NZCV of the compare of d2 with d3. */
    .syntax unified
    .cpu cortex-m7
    .fpu fpv5-d16
    .thumb

    .section .text.fp_registers, "ax", %progbits
    .global fp_registers
    .type fp_registers, %function
    .thumb_func
fp_registers:
    vpush {d8-d15}
    movs r0, #0
    vmsr fpscr, r0            @ clean flags and round to nearest, whatever ran before
    vadd.f64 d2, d0, d1
    vsub.f64 d3, d0, d1
    vmul.f64 d4, d0, d1
    vdiv.f64 d5, d0, d1
    vsqrt.f64 d6, d0
    vmov.f64 d7, d2
    vfma.f64 d7, d0, d1
    vneg.f64 d8, d1
    vmov.f64 d9, d3
    vmla.f64 d9, d4, d5
    vmov.f64 d10, #0.5
    vmul.f64 d11, d5, d10
    vmov d12, r0, r0          @ both words 0 before the conversion fills the low one
    vmul.f64 d13, d5, d6
    vcvt.s32.f64 s24, d13
    vcvt.f64.s32 d13, s24
    vmaxnm.f64 d14, d3, d4
    vdiv.f64 d15, d6, d2
    vcmp.f64 d2, d3
    vadd.f64 d0, d2, d15
    .global fp_registers_done
fp_registers_done:
    nop
    vpop {d8-d15}
    bx lr
    .size fp_registers, . - fp_registers
