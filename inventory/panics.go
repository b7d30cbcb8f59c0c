package inventory

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// PanicBox carries the first panic of worker goroutines to the goroutine that waits for
// them, which panics again with it: a panic in a goroutine would otherwise end the process
// before the CLI's last-resort recover could turn it into "internal error" (exit 4).
type PanicBox struct {
	once  sync.Once
	value any
	stack []byte
}

// Capture is deferred by each worker goroutine.
func (b *PanicBox) Capture() {
	if r := recover(); r != nil {
		b.once.Do(func() { b.value, b.stack = r, debug.Stack() })
	}
}

// Rethrow panics on the calling goroutine, with a *WorkerPanic, when a worker panicked;
// call it after the workers are done.
func (b *PanicBox) Rethrow() {
	if b.value != nil {
		panic(&WorkerPanic{Value: b.value, Stack: b.stack})
	}
}

// WorkerPanic is a panic raised in a loader's worker goroutine, re-raised on the goroutine
// that waited for it, with the worker's stack.
type WorkerPanic struct {
	Value any
	Stack []byte
}

// Error is the panic value as text.
func (p *WorkerPanic) Error() string { return fmt.Sprintf("%v", p.Value) }
