// hello: a pure-Go program (standard library only). Built with CGO_ENABLED=0 it is
// statically linked, so LD_PRELOAD cannot reach it (allocrun doctor tests).
package main

import (
	"fmt"
	"strings"
)

func main() {
	parts := make([]string, 0, 1000)
	for i := 0; i < 1000; i++ {
		parts = append(parts, fmt.Sprint(i))
	}
	fmt.Println("hello:", len(strings.Join(parts, ",")), "bytes")
}
