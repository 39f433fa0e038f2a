/* The STM32H743/H750 registers the demo firmware uses, written down from RM0433
 * (addresses and bit positions only). */
#ifndef STM32H7_H
#define STM32H7_H
#include <stdint.h>

#define REG(addr) (*(volatile uint32_t *)(addr))

/* Core (Cortex-M7 SCS) */
#define SCB_CPUID REG(0xE000ED00u)
#define SCB_CPACR REG(0xE000ED88u)
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SYST_CSR_ENABLE 1u
#define SYST_CSR_TICKINT 2u
#define SYST_CSR_CLKSOURCE 4u

/* PWR */
#define PWR_BASE 0x58024800u
#define PWR_CSR1 REG(PWR_BASE + 0x04u)
#define PWR_CR3 REG(PWR_BASE + 0x0Cu)
#define PWR_D3CR REG(PWR_BASE + 0x18u)
#define PWR_CR3_LDOEN (1u << 1)
#define PWR_CR3_SUPPLY_MASK 0x7u
#define PWR_CSR1_ACTVOSRDY (1u << 13)
#define PWR_D3CR_VOSRDY (1u << 13)
#define PWR_D3CR_VOS_SHIFT 14
#define PWR_D3CR_VOS_MASK (3u << 14)

/* RCC */
#define RCC_BASE 0x58024400u
#define RCC_CR REG(RCC_BASE + 0x00u)
#define RCC_CFGR REG(RCC_BASE + 0x10u)
#define RCC_D1CFGR REG(RCC_BASE + 0x18u)
#define RCC_D2CFGR REG(RCC_BASE + 0x1Cu)
#define RCC_D3CFGR REG(RCC_BASE + 0x20u)
#define RCC_PLLCKSELR REG(RCC_BASE + 0x28u)
#define RCC_PLLCFGR REG(RCC_BASE + 0x2Cu)
#define RCC_PLL1DIVR REG(RCC_BASE + 0x30u)
#define RCC_AHB4ENR REG(RCC_BASE + 0xE0u)
#define RCC_APB2ENR REG(RCC_BASE + 0xF0u)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_PLL1ON (1u << 24)
#define RCC_CR_PLL1RDY (1u << 25)
#define RCC_CFGR_SW_MASK 7u
#define RCC_CFGR_SW_PLL1 3u
#define RCC_CFGR_SWS_SHIFT 3
#define RCC_AHB4ENR_GPIOAEN (1u << 0)
#define RCC_APB2ENR_USART1EN (1u << 4)

/* FLASH interface */
#define FLASH_ACR REG(0x52002000u)

/* GPIO */
#define GPIOA_BASE 0x58020000u
#define GPIO_MODER(b) REG((b) + 0x00u)
#define GPIO_ODR(b) REG((b) + 0x14u)
#define GPIO_BSRR(b) REG((b) + 0x18u)
#define GPIO_AFRH(b) REG((b) + 0x24u)

/* USART1 */
#define USART1_BASE 0x40011000u
#define USART_CR1(b) REG((b) + 0x00u)
#define USART_BRR(b) REG((b) + 0x0Cu)
#define USART_ISR(b) REG((b) + 0x1Cu)
#define USART_RDR(b) REG((b) + 0x24u)
#define USART_TDR(b) REG((b) + 0x28u)
#define USART_CR1_UE (1u << 0)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_ISR_RXNE (1u << 5)
#define USART_ISR_TXE (1u << 7)

/* DBGMCU */
#define DBGMCU_IDCODE REG(0x5C001000u)

#endif
