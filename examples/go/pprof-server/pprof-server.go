// pprof-server: a Go service in miniature (standard library only) for allocrun's HTTP
// profile commands. It serves net/http/pprof on 127.0.0.1 (port 0: any free port, printed
// at start), keeps one more block from growHeap every tick (the leak to find), spends a
// little CPU in burnCPU, and exits normally on SIGTERM/SIGINT or after -seconds.
//
//	pprof-server [-addr 127.0.0.1:0] [-seconds 60] [-tick 20ms] [-block 65536]
//	allocrun analyze http://127.0.0.1:PORT/debug/pprof/heap
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"
)

var kept [][]byte

//go:noinline
func growHeap(size int) []byte {
	block := make([]byte, size)
	for i := range block {
		block[i] = byte(i)
	}
	return block
}

//go:noinline
func burnCPU(duration time.Duration) uint64 {
	var sum uint64
	for start := time.Now(); time.Since(start) < duration; {
		for i := uint64(0); i < 10000; i++ {
			sum += i * i
		}
	}
	return sum
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to serve /debug/pprof/ on")
	seconds := flag.Float64("seconds", 60, "exit after this many seconds")
	tick := flag.Duration("tick", 20*time.Millisecond, "time between two blocks")
	size := flag.Int("block", 64<<10, "bytes kept per tick")
	flag.Parse()

	// Record every allocation: with any other rate the first samples still follow the
	// default 512 KiB interval, and a short run may show no block at all.
	runtime.MemProfileRate = 1
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pprof-server:", err)
		os.Exit(1)
	}
	// One block before announcing the address, so the first heap profile already has it.
	kept = append(kept, growHeap(*size))
	runtime.GC()
	fmt.Printf("pprof-server: pid %d serving http://%s/debug/pprof/\n", os.Getpid(), listener.Addr())
	go func() { _ = http.Serve(listener, nil) }()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	deadline := time.After(time.Duration(*seconds * float64(time.Second)))
	ticker := time.NewTicker(*tick)
	var checksum uint64
	for running := true; running; {
		select {
		case <-stop:
			running = false
		case <-deadline:
			running = false
		case <-ticker.C:
			kept = append(kept, growHeap(*size))
			checksum += burnCPU(*tick / 4)
			// The heap profile shows the heap as of the last collection: keep it current.
			runtime.GC()
		}
	}
	fmt.Printf("pprof-server: %d blocks grown (checksum %d), exiting normally\n", len(kept), checksum%10)
}
