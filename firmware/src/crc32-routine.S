@ gdb's qCRC CRC-32 (polynomial 0x04C11DB7, MSB first, no reflection, no final XOR),
@ run on the target by the probe (src/cortexm/crc32-routine.ts holds these bytes).
@ Position independent, no stack, no FPU: any ARMv7-M core. Ends in BKPT #0, where
@ the probe finds the result.
@
@ In:  r0 = address, r1 = length in bytes, r2 = CRC so far (0xFFFFFFFF to start),
@      r3 = a 256-word table, T[i] = CRC of the byte i (i << 24 shifted 8 times).
@ Out: r0 = CRC. Clobbers r1-r5 and the flags.
@ Per byte: crc = (crc << 8) ^ T[(crc >> 24) ^ byte].
@
@ Build: arm-none-eabi-as -mcpu=cortex-m3 -mthumb -o crc.o crc32-routine.S
@        arm-none-eabi-objcopy -O binary crc.o crc.bin

        .syntax unified
        .cpu    cortex-m3
        .thumb
        .text
        .global crc32_routine
        .thumb_func
crc32_routine:
        @ Bytes until the address is word aligned (and words can be loaded).
head:   cbz     r1, done
        tst     r0, #3
        beq     words
        ldrb    r4, [r0], #1
        eor     r4, r4, r2, lsr #24
        ldr     r4, [r3, r4, lsl #2]
        eor     r2, r4, r2, lsl #8
        subs    r1, r1, #1
        b       head

        @ Whole words: one load, then its four bytes in memory (little-endian) order.
words:  subs    r1, r1, #4
        blo     tail0
wloop:  ldr     r5, [r0], #4
        uxtb    r4, r5
        eor     r4, r4, r2, lsr #24
        ldr     r4, [r3, r4, lsl #2]
        eor     r2, r4, r2, lsl #8
        ubfx    r4, r5, #8, #8
        eor     r4, r4, r2, lsr #24
        ldr     r4, [r3, r4, lsl #2]
        eor     r2, r4, r2, lsl #8
        ubfx    r4, r5, #16, #8
        eor     r4, r4, r2, lsr #24
        ldr     r4, [r3, r4, lsl #2]
        eor     r2, r4, r2, lsl #8
        eor     r4, r2, r5              @ (crc ^ word) >> 24 = (crc >> 24) ^ byte 3
        lsrs    r4, r4, #24
        ldr     r4, [r3, r4, lsl #2]
        eor     r2, r4, r2, lsl #8
        subs    r1, r1, #4
        bhs     wloop

        @ The last 0-3 bytes.
tail0:  adds    r1, r1, #4
tail:   cbz     r1, done
        ldrb    r4, [r0], #1
        eor     r4, r4, r2, lsr #24
        ldr     r4, [r3, r4, lsl #2]
        eor     r2, r4, r2, lsl #8
        subs    r1, r1, #1
        b       tail

done:   mov     r0, r2
        bkpt    #0
