package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// pollers read every client from one goroutine per core with epoll: one epoll_wait for many
// ready sockets and one read per socket, where a goroutine per client pays a park, a wake-up
// and a read that finds nothing for every frame.
type pollers struct {
	set  []*poller
	stop atomic.Bool
	wg   sync.WaitGroup
	// gap is a pause before each epoll_wait: the sockets made ready meanwhile come in one
	// wait, where waking for each frame costs the tool (on the server's cores) a wake-up per
	// frame. It adds at most gap to the latency measured.
	gap time.Duration
	// waits and ready count epoll_waits and the sockets they returned.
	waits, ready atomic.Int64
}

type poller struct {
	epfd    int
	clients map[int32]*client
}

// startPollers spreads the clients over one poller per core and starts them.
func startPollers(clients []*client, gap time.Duration) (*pollers, error) {
	ps := &pollers{gap: gap}
	for range runtime.GOMAXPROCS(0) {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			return nil, fmt.Errorf("epoll: %w", err)
		}
		ps.set = append(ps.set, &poller{epfd: epfd, clients: map[int32]*client{}})
	}
	for i, cl := range clients {
		p := ps.set[i%len(ps.set)]
		p.clients[int32(cl.ws.fd)] = cl
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(cl.ws.fd)}
		if err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, cl.ws.fd, &ev); err != nil {
			return nil, fmt.Errorf("epoll add: %w", err)
		}
	}
	for _, p := range ps.set {
		ps.wg.Add(1)
		go func() {
			defer ps.wg.Done()
			p.run(ps)
		}()
	}
	return ps, nil
}

// Stop ends the pollers and waits for them: the clients' counters are then safe to read.
func (ps *pollers) Stop() {
	ps.stop.Store(true)
	ps.wg.Wait()
	for _, p := range ps.set {
		_ = syscall.Close(p.epfd)
	}
}

func (p *poller) run(ps *pollers) {
	events := make([]syscall.EpollEvent, 1024)
	scratch := make([]byte, 256<<10)
	for !ps.stop.Load() {
		if ps.gap > 0 {
			time.Sleep(ps.gap)
		}
		n, err := syscall.EpollWait(p.epfd, events, 100)
		ps.waits.Add(1)
		ps.ready.Add(int64(max(n, 0)))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "wsload: epoll_wait:", err)
			return
		}
		for _, ev := range events[:n] {
			cl := p.clients[ev.Fd]
			if cl == nil {
				continue
			}
			if err := cl.readable(scratch); err != nil {
				// Closed, lost or broken: it leaves the set (its record stays for the summary).
				_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, cl.ws.fd, nil)
				delete(p.clients, ev.Fd)
				cl.ws.close()
			}
		}
	}
}
