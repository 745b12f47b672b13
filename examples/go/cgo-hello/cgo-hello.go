// cgo-hello: a Go program that also allocates with C malloc. cgo makes it dynamically
// linked, so a preloaded allocator sees the C allocations, never the Go heap, and the
// Go runtime exits without running C atexit handlers (allocrun doctor tests).
package main

/*
#include <stdlib.h>
#include <string.h>
static char *c_copy(const char *text) { return strdup(text); }
*/
import "C"

import (
	"fmt"
	"unsafe"
)

func main() {
	kept := make([]*C.char, 0, 100)
	for i := 0; i < 100; i++ {
		text := C.CString(fmt.Sprint("block ", i))
		kept = append(kept, C.c_copy(text))
		C.free(unsafe.Pointer(text))
	}
	fmt.Println("cgo-hello: kept", len(kept), "C strings")
}
