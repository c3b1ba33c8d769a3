package stream

import "sync"

// syncPool is a websocket.BufferPool on a sync.Pool.
type syncPool struct{ p sync.Pool }

func (s *syncPool) Get() any  { return s.p.Get() }
func (s *syncPool) Put(v any) { s.p.Put(v) }
