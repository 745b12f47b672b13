// hello: a pure-Go program (standard library only). Built with CGO_ENABLED=0 it is
// statically linked, so LD_PRELOAD cannot reach it (allocrun doctor tests).
//
//	hello [MS]   with MS, stays alive that many milliseconds after its work
package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	parts := make([]string, 0, 1000)
	for i := 0; i < 1000; i++ {
		parts = append(parts, fmt.Sprint(i))
	}
	fmt.Println("hello:", len(strings.Join(parts, ",")), "bytes")
	if len(os.Args) > 1 {
		if ms, err := strconv.Atoi(os.Args[1]); err == nil {
			time.Sleep(time.Duration(ms) * time.Millisecond)
		}
	}
}
