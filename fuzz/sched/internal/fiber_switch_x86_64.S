// SPDX-License-Identifier: Apache-2.0
// The own fiber switch (HVFUZZ_FIBER=asm), System V x86-64. A suspended context is its stack
// pointer; the stack holds the callee-saved registers and the address to resume at.
// MXCSR and the x87 control word are not saved: model code never changes them (boost's
// jump_fcontext saves them; that is the only semantic difference between the backends).

  .text

// void* hvfuzz_asm_jump(void** save /*rdi*/, void* to /*rsi*/, void* arg /*rdx*/)
// Saves the current context into *save, resumes `to`; `to` sees `arg` as the return value of
// its own hvfuzz_asm_jump (or, on its first run, as Transfer::arg of its start function).
  .globl hvfuzz_asm_jump
  .type hvfuzz_asm_jump, @function
  .p2align 4
hvfuzz_asm_jump:
  .cfi_startproc
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  movq %rdx, %rax
  ret
  .cfi_endproc
  .size hvfuzz_asm_jump, .-hvfuzz_asm_jump

// First code a new context runs (the initial frame built by AsmContext::Make holds the start
// function in r12 and a zero rbp, which ends frame-pointer backtraces here). Calls
// start(Transfer{nullptr, arg}); a start function never returns.
  .globl hvfuzz_asm_trampoline
  .type hvfuzz_asm_trampoline, @function
  .p2align 4
hvfuzz_asm_trampoline:
  .cfi_startproc
  .cfi_undefined rip
  xorl %edi, %edi
  movq %rax, %rsi
  callq *%r12
  ud2
  .cfi_endproc
  .size hvfuzz_asm_trampoline, .-hvfuzz_asm_trampoline

  .section .note.GNU-stack,"",@progbits
